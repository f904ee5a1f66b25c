@testable import RoutingCore
import Testing

/// The PathPrefix walk must offer exactly the hashes of the prefixes it names, longest
/// first: the index is keyed by `PathHash.of(prefix)`, so a walk that computed one
/// word's state wrongly would miss a route without any other test noticing the path length.
struct PathHashTests {
    /// Candidate prefixes by the rule the walk implements: every `/` after the first byte
    /// ends one, and so does the whole path unless it ends in `/`; `/` comes last.
    static func expectedPrefixes(_ path: [UInt8], depths: UInt64) -> [String] {
        var result: [String] = []
        var segments = 0
        for (index, byte) in path.enumerated() where byte == UInt8(ascii: "/") {
            if index > 0, depths & (1 << UInt64(min(63, segments))) != 0 { result.append(String(decoding: path[..<index], as: UTF8.self)) }
            segments += 1
        }
        if path.count > 1, path.last != UInt8(ascii: "/"), depths & (1 << UInt64(min(63, segments))) != 0 {
            result.append(String(decoding: path, as: UTF8.self))
        }
        return result.reversed() + (depths & 1 != 0 ? ["/"] : [])
    }

    @Test func walkOffersTheHashOfEveryPrefixLongestFirst() {
        var random = SplitMix(seed: 0x7061_7468)
        let alphabet = Array("/abcdefgh/-./%".utf8)
        var paths: [[UInt8]] = [[], Array("/".utf8), Array("//".utf8), Array("/a".utf8), Array("/a/".utf8)]
        // Lengths around every word boundary up to five words, slashes anywhere.
        for length in 1...41 {
            for _ in 0..<12 { paths.append([UInt8(ascii: "/")] + (1..<length).map { _ in alphabet[random.below(alphabet.count)] }) }
        }
        // A path with more than 63 segments.
        paths.append(Array(String(repeating: "/s", count: 70).utf8))
        for path in paths {
            for depths in [UInt64.max, 0b1010, 1, 0, 1 << 63, UInt64(random.next())] {
                var offered: [UInt64] = []
                let none: Int? = path.withUnsafeBufferPointer { bytes in
                    PathHash.firstPrefixHit(bytes, depths: depths) { hash -> Int? in
                        offered.append(hash)
                        return nil
                    }
                }
                #expect(none == nil)
                let expected = Self.expectedPrefixes(path, depths: depths).map { PathHash.of($0) }
                #expect(offered == expected, "path \(String(decoding: path, as: UTF8.self)), depths \(depths)")
            }
        }
    }

    @Test func theWalkStopsAtTheFirstHit() {
        let path = Array("/a/b/c".utf8)
        var asked = 0
        let hit: String? = path.withUnsafeBufferPointer { bytes in
            PathHash.firstPrefixHit(bytes) { hash in
                asked += 1
                return hash == PathHash.of("/a/b") ? "/a/b" : nil
            }
        }
        #expect(hit == "/a/b" && asked == 2)
    }

    @Test func hashesDependOnEveryByteAndTheLength() {
        let values = ["", "/", "/a", "/a\0", "/abcdefg", "/abcdefg\0", "/abcdefgh", "/abcdefgi", "/ABCDEFGH", "/abcdefgh/"]
        #expect(Set(values.map { PathHash.of($0) }).count == values.count)
        #expect(PathHash.of("/x/y") == PathHash.of("a/x/y/b".dropFirst().dropLast(2)))
    }
}
