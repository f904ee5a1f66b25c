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
                        let skipped = WordBytes.skipWords(a, without: UInt8(ascii: ":"), UInt8(ascii: "["))
                        #expect(!a[..<skipped].contains(UInt8(ascii: ":")) && !a[..<skipped].contains(UInt8(ascii: "[")))
                    }
                }
            }
        }
    }
}
