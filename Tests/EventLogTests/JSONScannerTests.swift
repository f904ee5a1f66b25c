import XCTest
@testable import EventLog

final class JSONScannerTests: XCTestCase {
    /// The word-at-a-time string scan must stop exactly where a byte-by-byte scan
    /// stops, whatever byte ends the string and wherever it sits in a word.
    func testPlainStringScanMatchesAByteByByteScan() {
        var rng = SystemRandomNumberGenerator()
        let specials: [UInt8] = [0x22, 0x5C, 0x00, 0x1F, 0x20, 0x7F, 0x80, 0xC3, 0xFF, 0x21, 0x23, 0x5B, 0x5D]
        for _ in 0..<20_000 {
            var bytes: [UInt8] = [0x22]
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                bytes.append(Bool.random(using: &rng) ? UInt8.random(in: 0x20...0x7E, using: &rng) : specials.randomElement(using: &rng)!)
            }
            bytes.withUnsafeBufferPointer { buffer in
                var scanner = JSONScanner(buffer)
                let fast = Result { try scanner.scanPlainString() }.map { [$0.start, $0.end, $0.ascii ? 1 : 0] }
                let expected = Self.byteByByte(buffer)
                switch (fast, expected) {
                case (.success(let got), .success(let want)):
                    XCTAssertEqual(got, want, "\(bytes)")
                    XCTAssertEqual(scanner.pos, want[1] < 0 ? Self.firstBackslash(buffer) : want[1] + 1, "\(bytes)")
                case (.failure, .failure): break
                default: XCTFail("\(bytes): \(fast) against \(expected)")
                }
            }
        }
    }

    /// Integers of every length around the unchecked eighteen digits, both signs and
    /// the limits: the value `Int64(_:)` gives, and an error exactly where it gives none
    /// (overflow) or JSON forbids the form (a leading zero).
    /// Bytes.equal reads words, the last one overlapping: every length around a
    /// word's edge, with each single byte changed, agrees with a byte loop.
    func testByteEqualityAgreesWithElementsEqual() {
        for length in 0...26 {
            let a = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            for changed in -1..<length {
                var b = a
                if changed >= 0 { b[changed] ^= 0x20 }
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        XCTAssertEqual(Bytes.equal(a, b), a.elementsEqual(b), "length \(length), changed \(changed)")
                    }
                }
            }
        }
    }

    func testIntegersMatchInt64Parsing() {
        var rng = SystemRandomNumberGenerator()
        var texts = ["0", "-0", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "007", "-01",
                     "1.5", "2e3", "7E1"]
        for length in 1...22 {
            for _ in 0..<200 {
                let digits = String((0..<length).map { index in Character(String(Int.random(in: index == 0 ? 1...9 : 0...9, using: &rng))) })
                texts.append(Bool.random(using: &rng) ? "-" + digits : digits)
            }
        }
        for text in texts {
            let bytes = Array((text + ",").utf8)
            bytes.withUnsafeBufferPointer { buffer in
                var scanner = JSONScanner(buffer)
                let read = try? scanner.readInt()
                let leadingZero = text.drop { $0 == "-" }.count > 1 && text.drop { $0 == "-" }.first == "0"
                XCTAssertEqual(read, leadingZero ? nil : Int64(text), text)
                if read != nil { XCTAssertEqual(scanner.pos, text.utf8.count, text) }
                // The short form reads what readInt reads, or leaves it to readInt.
                var short = JSONScanner(buffer)
                if let natural = short.readShortNatural() {
                    XCTAssertEqual(natural, read, text)
                    XCTAssertEqual(short.pos, text.utf8.count, text)
                } else {
                    XCTAssertEqual(short.pos, 0, text)
                    XCTAssertTrue(read == nil || text.hasPrefix("-") || text.count > 18, text)
                }
            }
        }
    }

    struct Stop: Error {}

    /// The scan's rule, one byte at a time: a quote ends it, a backslash is an escape,
    /// a control character or the end of the buffer is an error.
    static func byteByByte(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<[Int], Stop> {
        var high: UInt8 = 0
        for p in 1..<buffer.count {
            switch buffer[p] {
            case 0x22: return .success([1, p, high < 0x80 ? 1 : 0])
            case 0x5C: return .success([1, -1, 0])
            case 0..<0x20: return .failure(Stop())
            default: high |= buffer[p]
            }
        }
        return .failure(Stop())
    }

    static func firstBackslash(_ buffer: UnsafeBufferPointer<UInt8>) -> Int { buffer.firstIndex(of: 0x5C)! }
}
