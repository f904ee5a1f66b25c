import Testing
@testable import Replay

/// The report's Host key (ReportBuilder.normalizeHost) is read byte by byte for
/// visible ASCII; it must give what the character-by-character form gives, for
/// every short Host over the characters that matter and some that do not.
@Suite struct HostNormalizationTests {
    @Test func bytesAgreeWithCharacters() {
        let alphabet: [Character] = ["a", "Z", "0", "9", ":", ".", "[", "]", "-"]
        var hosts = [""]
        var frontier = [""]
        for _ in 0..<5 {
            frontier = frontier.flatMap { prefix in alphabet.map { prefix + String($0) } }
            hosts += frontier
        }
        hosts += ["Example.COM:8080", "example.com.", "[::1]:443", "[::1]", "a:b:c", "host:", "é.example:80", "a b:1", "x\r\n.", "٣:٣"]
        for host in hosts {
            let expected = ReportBuilder.normalizeHostByCharacters(host)
            #expect(ReportBuilder.normalizeHost(host) == expected, "\(host.debugDescription)")
        }
    }
}
