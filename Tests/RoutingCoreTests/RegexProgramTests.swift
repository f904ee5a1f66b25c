@testable import RoutingCore
import Testing

/// RegularExpression matches in RE2 syntax, whole-value, in linear time.
@Suite(.timeLimit(.minutes(1)))
struct RegexProgramTests {
    @Test(arguments: [
        ("/foo/[0-9]+", "/foo/123", true), ("/foo/[0-9]+", "/foo/12a", false), ("/foo", "/foo/bar", false),
        ("/(a|b)c", "/bc", true), ("/(a|b)c", "/cc", false), ("a|", "", true),
        ("[^/]+", "abc", true), ("[^/]+", "a/c", false), ("[]a]+", "]a", true), ("[a-]+", "a-", true),
        (#"\d{3}-\w+"#, "123-ab_c", true), (#"\D\S\W"#, "a- ", true), (#"\D\S\W"#, "a-b", false), (#"\s"#, "\t", true),
        ("a{2,3}", "aaaa", false), ("a{2,3}", "aaa", true), ("a{2}", "aa", true), ("a{2,}", "aaaaa", true), ("a{0}", "", true),
        ("a{", "a{", true), ("a{x}", "a{x}", true), ("a{1,x}", "a{1,x}", true),
        ("(?i)abc", "AbC", true), ("(?i:a)b", "AB", false), ("(?i)[a-c]+", "BCA", true), ("(?i)é", "É", true),
        (".", "\n", false), ("(?s).", "\n", true), (".", "é", true), ("é+", "éé", true),
        ("^/a$", "/a", true), ("(?m)a$\n^b", "a\nb", true), (#"\bfoo\b.*"#, "foo bar", true), (#".*\Bo"#, "fo", true),
        (#"\Qa.b\E"#, "a.b", true), (#"\Qa.b\E"#, "axb", false), (#"\Qa*"#, "a*", true),
        ("a+?b", "aab", true), ("a*?", "aaa", true), ("(?U)a+", "aa", true),
        ("(?P<x>a)b", "ab", true), ("(?<x>a)b", "ab", true), ("(?:ab)+", "abab", true),
        ("[[:digit:]]+", "42", true), ("[[:^alpha:]]", "1", true), ("[[:^alpha:]]", "q", false),
        (#"\x41\x{263a}"#, "A☺", true), (#"\.\/\-"#, "./-", true), (#"[\d.]+"#, "1.2", true), (#"\0101"#, "A", false),
        ("(a*)*b", "aaaab", true), ("(a|aa)*", "aaaaa", true), ("(|a)+", "aa", true), ("", "", true), ("", "a", false),
    ])
    func matchesTheWholeValue(pattern: String, value: String, expected: Bool) throws {
        #expect(try RegexMatcher(pattern).matches(value) == expected)
    }

    /// What RE2 rejects, and malformed patterns, do not compile.
    @Test(arguments: ["(a", "a)", "*a", "a**", "a{2}{3}", #"(a)\1"#, "(?=a)", "(?!a)", "(?<=a)b", "(?<!a)b", "(?>a)", "a*+",
                      "a{1001}", "a{3,2}", "[a", "[z-a]", #"\p{L}"#, #"\q"#, "^*", "(?z)", #"\"#, #"\x{110000}"#, "[[:nope:]]"])
    func rejectsWhatRE2Rejects(pattern: String) {
        #expect(throws: RegexSyntaxError.self) { try RegexMatcher(pattern) }
    }

    /// Patterns that make a backtracking engine take exponential time (each added
    /// character doubled it) finish here; the suite's time limit is the check.
    @Test func pathologicalPatternsRunInLinearTime() throws {
        let nested = try RegexMatcher("(a*)*b")
        #expect(!nested.matches(String(repeating: "a", count: 5_000)))
        let files = try RegexMatcher(#"/files/([a-z0-9]+/?)+\.png"#)
        #expect(!files.matches("/files/" + String(repeating: "a", count: 20_000) + ".txt"))
        #expect(files.matches("/files/" + String(repeating: "ab/", count: 1_000) + "x.png"))
    }

    @Test func expandedRepeatsHaveALimit() {
        #expect(throws: RegexSyntaxError.self) { try RegexMatcher("(a{1000}){1000}") }
    }
}
