/// Comparisons on HTTP bytes where they lie, for the byte path's plain heads
/// (`PlainRequestHead`, `PlainResponseHead`): no `String` per field.
enum HTTPBytes {
    static func matches(_ bytes: UnsafeRawBufferPointer, _ at: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - at >= count else { return false }
        let text = literal.utf8Start
        for index in 0..<count where bytes[at + index] != text[index] { return false }
        return true
    }

    /// `bytes[range]` equals `lowercase` in ASCII case-insensitive comparison.
    static func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        let text = lowercase.utf8Start
        for index in 0..<range.count {
            var byte = bytes[range.lowerBound + index]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            if byte != text[index] { return false }
        }
        return true
    }

    static func equalsAny(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ names: [StaticString]) -> Bool {
        for name in names where name.utf8CodeUnitCount == range.count && equalsLowercased(bytes, range, name) { return true }
        return false
    }

    /// `HopByHop.names`, spelled for `equalsAny`.
    static let hopByHop: [StaticString] = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade",
                                           "proxy-authenticate", "proxy-authorization"]

    static func isHopByHop(_ bytes: UnsafeRawBufferPointer, _ name: Range<Int>) -> Bool { equalsAny(bytes, name, hopByHop) }
}
