@testable import RoutingCore
import Testing

/// WordBytes reads eight bytes at a time: every length around a word's edge, every
/// position of the byte searched for, and letters and non-ASCII bytes next to each
/// other must give what the byte-by-byte definitions give.
@Suite struct WordBytesTests {
    static let alphabet: [UInt8] = Array("aZ:[?.-0".utf8) + [0x80, 0xC3, 0x40, 0x5B, 0x60, 0x7B]

    @Test func searchesAndComparisonsAgreeWithByteLoops() {
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        for length in 0...27 {
            for _ in 0..<200 {
                let a = (0..<length).map { _ in Self.alphabet[next() % Self.alphabet.count] }
                var b = a.map(ByteHash.lower)
                if length > 0, next() % 2 == 0 { b[next() % length] = Self.alphabet[next() % Self.alphabet.count] }
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        #expect(WordBytes.equal(a, b) == a.elementsEqual(b), "\(Array(a)) \(Array(b))")
                        #expect(WordBytes.equal(a, a))
                        #expect(WordBytes.equalLowered(a, b) == a.map(ByteHash.lower).elementsEqual(b), "\(Array(a)) \(Array(b))")
                        for byte in [UInt8(ascii: "?"), UInt8(ascii: ":"), 0xC3] {
                            #expect(WordBytes.firstIndex(of: byte, in: a) == a.firstIndex(of: byte), "\(byte) in \(Array(a))")
                        }
                        #expect(WordBytes.firstIndex(of: UInt8(ascii: ":"), or: UInt8(ascii: "["), in: a)
                                    == a.firstIndex { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "[") }, "\(Array(a))")
                        #expect(FlatRequestLookup<BorrowedFields>.normalizedLength(a) == Self.normalizedLength(Array(a)), "\(Array(a))")
                        let skipped = WordBytes.skipWords(a, without: UInt8(ascii: ":"), UInt8(ascii: "["))
                        #expect(!a[..<skipped].contains(UInt8(ascii: ":")) && !a[..<skipped].contains(UInt8(ascii: "[")))
                    }
                }
            }
        }
    }

    /// The Host without its port, or nil for a bracket, two colons or a trailing dot (FlatRequestLookup.normalizedLength).
    static func normalizedLength(_ host: [UInt8]) -> Int? {
        if host.contains(UInt8(ascii: "[")) || host.filter({ $0 == UInt8(ascii: ":") }).count > 1 { return nil }
        let length = host.firstIndex(of: UInt8(ascii: ":")) ?? host.count
        return length > 0 && host[length - 1] == UInt8(ascii: ".") ? nil : length
    }

    /// `ByteHash.host` mixes the lower-cased bytes eight at a time, the last word
    /// packed from what is left; the bytes around the hashed ones (read by its
    /// overlapping last load) must not count, and case must not either.
    @Test func hostHashPacksLoweredWords() {
        func packed(_ bytes: ArraySlice<UInt8>) -> UInt64 {
            var hash = ByteHash.seed ^ UInt64(bytes.count)
            var rest = bytes
            while !rest.isEmpty {
                let word = rest.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64(ByteHash.lower($1.element)) << UInt64(8 * $1.offset) }
                hash = ByteHash.mixWord(hash, word)
                rest = rest.dropFirst(8)
            }
            return hash
        }
        var state: UInt64 = 0x2545_f491_4f6c_dd1d
        for length in 0...27 {
            for _ in 0..<50 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let around = (0..<(length + 16)).map { Self.alphabet[Int((state >> UInt64($0 % 50)) % UInt64(Self.alphabet.count))] }
                let start = Int(state >> 60) % 9
                let host = around[start..<(start + length)]
                around.withUnsafeBufferPointer { all in
                    let hashed = ByteHash.host(UnsafeBufferPointer(rebasing: all[start..<(start + length)]))
                    #expect(hashed == packed(host), "\(Array(host))")
                    let upper = Array(host).map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }
                    #expect(upper.withUnsafeBufferPointer { ByteHash.host($0) } == hashed)
                }
            }
        }
    }
}
