import EventLog

/// Comparisons on HTTP bytes where they lie, for the byte path's plain heads
/// (`PlainRequestHead`, `PlainResponseHead`): no `String` per field.
enum HTTPBytes {
    /// Compared a word at a time (`Bytes.equal`): every plain request and response head
    /// asks this of its first line, byte by byte it was 1.7 % of a proxied request.
    static func matches(_ bytes: UnsafeRawBufferPointer, _ at: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - at >= count, let base = bytes.baseAddress else { return false }
        return Bytes.equal(base + at, UnsafeRawPointer(literal.utf8Start), count: count)
    }

    /// `bytes[range]` equals `lowercase` in ASCII case-insensitive comparison, for a
    /// `lowercase` of letters, digits and `-`, and a field name or value as `field`
    /// reads them (no control bytes). Eight bytes at a time, each with its 0x20 bit set:
    /// that folds `A`–`Z` onto `a`–`z` and leaves the other bytes that can match as
    /// they are (digits and `-` have the bit already; only control bytes would fold
    /// onto them).
    static func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        let count = range.count
        guard count == lowercase.utf8CodeUnitCount, let base = bytes.baseAddress else { return false }
        let a = base + range.lowerBound, b = UnsafeRawPointer(lowercase.utf8Start)
        guard count >= 8 else {
            for index in 0..<count where a.load(fromByteOffset: index, as: UInt8.self) | 0x20 != b.load(fromByteOffset: index, as: UInt8.self) {
                return false
            }
            return true
        }
        let fold: UInt64 = 0x2020_2020_2020_2020
        var index = 0
        while index + 8 < count {
            if a.loadUnaligned(fromByteOffset: index, as: UInt64.self) | fold != b.loadUnaligned(fromByteOffset: index, as: UInt64.self) { return false }
            index += 8
        }
        return a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) | fold == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }

    static func equalsAny(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ names: [StaticString]) -> Bool {
        for name in names where name.utf8CodeUnitCount == range.count && equalsLowercased(bytes, range, name) { return true }
        return false
    }

    /// One of `HopByHop.names`. Every field of every plain head asks, so the names are
    /// told apart by length first rather than compared in turn.
    static func isHopByHop(_ bytes: UnsafeRawBufferPointer, _ name: Range<Int>) -> Bool {
        switch name.count {
        case 2: return equalsLowercased(bytes, name, "te")
        case 7: return equalsLowercased(bytes, name, "trailer") || equalsLowercased(bytes, name, "upgrade")
        case 10: return equalsLowercased(bytes, name, "connection") || equalsLowercased(bytes, name, "keep-alive")
        case 16: return equalsLowercased(bytes, name, "proxy-connection")
        case 18: return equalsLowercased(bytes, name, "proxy-authenticate")
        case 19: return equalsLowercased(bytes, name, "proxy-authorization")
        default: return false
        }
    }

    /// A field line at `at` (RFC 9112 §5: `token ":" OWS value OWS CRLF`, no control
    /// bytes in the value): its name and value (without the spaces around it), with `at`
    /// moved past its CRLF; nil when the line is not one. Callers stop at the blank line
    /// (`isLineEnd`) first.
    @inline(__always)
    static func field(_ bytes: UnsafeRawBufferPointer, at: inout Int, end: Int) -> (name: Range<Int>, value: Range<Int>)? {
        let nameStart = at
        while at < end, HeadParser.isTokenByte(bytes[at]) { at += 1 }
        guard at > nameStart, at < end, bytes[at] == UInt8(ascii: ":") else { return nil }
        let name = nameStart..<at
        at += 1
        while at < end, bytes[at] == 0x20 || bytes[at] == 0x09 { at += 1 }
        let valueStart = at
        at = skipFieldValueWords(bytes, from: at, end: end)
        while at < end, HeadParser.isFieldValueByte(bytes[at]) { at += 1 }
        var valueEnd = at
        while valueEnd > valueStart, bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        guard isLineEnd(bytes, at, end) else { return nil }
        at += 2
        return (name, valueStart..<valueEnd)
    }

    /// Past the whole words of field-value bytes from `at` (none below 0x20, none 0x7F):
    /// eight bytes at a time while no byte of a word is a control byte (the tests for "a
    /// byte below n" and "a zero byte" never miss one), stopping at the word that holds
    /// the line's CR, a tab or anything else for the byte loop to decide.
    @inline(__always)
    static func skipFieldValueWords(_ bytes: UnsafeRawBufferPointer, from at: Int, end: Int) -> Int {
        guard let base = bytes.baseAddress else { return at }
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        var at = at
        while at + 8 <= end {
            let word = base.loadUnaligned(fromByteOffset: at, as: UInt64.self)
            let belowSpace = (word &- ones &* 0x20) & ~word & high
            let notDelete = word ^ (ones &* 0x7F)
            let delete = (notDelete &- ones) & ~notDelete & high
            if belowSpace | delete != 0 { break }
            at += 8
        }
        return at
    }

    /// A framing field (`Content-Length`, `Transfer-Encoding`) whose value is followed by a
    /// tab, given the field's name and value and where its line's CR is. RFC 9110 §5.5
    /// takes that tab as whitespace, but NIO's parser refuses such a length and does not
    /// read such a coding as chunked: a client parsing that way would find another end of
    /// the body, so the byte path refuses both (RFC 9112 §11.2).
    static func tabAfterFramingValue(_ bytes: UnsafeRawBufferPointer, name: Range<Int>, value: Range<Int>, lineEnd: Int) -> Bool {
        guard value.upperBound < lineEnd, bytes[value.upperBound..<lineEnd].contains(0x09) else { return false }
        return equalsLowercased(bytes, name, "content-length") || equalsLowercased(bytes, name, "transfer-encoding")
    }

    /// CRLF at `at`, before `end`.
    static func isLineEnd(_ bytes: UnsafeRawBufferPointer, _ at: Int, _ end: Int) -> Bool {
        at + 1 < end && bytes[at] == 0x0D && bytes[at + 1] == 0x0A
    }
}
