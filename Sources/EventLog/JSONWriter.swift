/// Appends JSON fragments to a byte buffer. Hand-written because the trace writer encodes
/// every event: no `JSONEncoder`, no intermediate dictionaries, no per-field allocation.
enum JSONWriter {
    /// Appends literal ASCII text (keys, punctuation).
    @inline(__always)
    static func raw(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends a JSON string literal, escaping `"`, `\` and control characters.
    static func string(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { u in
            out.append(0x22)
            var start = 0
            for j in 0..<u.count {
                let c = u[j]
                guard c < 0x20 || c == 0x22 || c == 0x5C else { continue }
                if start < j { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[start..<j])) }
                out.append(0x5C)
                switch c {
                case 0x22, 0x5C: out.append(c)
                case 0x0A: out.append(0x6E)
                case 0x0D: out.append(0x72)
                case 0x09: out.append(0x74)
                case 0x08: out.append(0x62)
                case 0x0C: out.append(0x66)
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    out.append(0x75); out.append(0x30); out.append(0x30)
                    out.append(hex[Int(c >> 4)]); out.append(hex[Int(c & 0xF)])
                }
                start = j + 1
            }
            if start < u.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[start..<u.count])) }
            out.append(0x22)
        }
    }

    static func int(_ value: Int64, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxDecimalBytes) { tmp in
            let start = decimal(value, atEndOf: tmp)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: tmp[start...]))
        }
    }

    /// Room for any Int64 in decimal: 19 digits and a sign.
    static let maxDecimalBytes = 20

    /// Writes `value` in decimal at the end of `buffer` (at least `maxDecimalBytes` long)
    /// and returns where the text starts.
    static func decimal(_ value: Int64, atEndOf buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var i = buffer.count
        // Work with the magnitude as UInt64 so Int64.min does not overflow.
        var v = value.magnitude
        repeat {
            i -= 1
            buffer[i] = UInt8(truncatingIfNeeded: 48 + v % 10)
            v /= 10
        } while v > 0
        if value < 0 { i -= 1; buffer[i] = 0x2D }
        return i
    }

    /// Shortest text that reads back as the same Double. Callers ensure the value is finite.
    static func double(_ value: Double, to out: inout [UInt8]) {
        if value == value.rounded(), abs(value) < 1e15 {
            int(Int64(value), to: &out)
        } else {
            out.append(contentsOf: value.description.utf8)
        }
    }
}
