#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small pull parser over one UTF-8 JSON text (one trace line, one column value).
///
/// Why hand-written: decoding trace lines is the hot path of replay. This scanner reads
/// fields straight from the line buffer, creates a `String` only for values the caller
/// wants (short ones stay inline, no heap allocation) and never builds an intermediate
/// dictionary. It is strict JSON (RFC 8259), rejects invalid UTF-8, and bounds nesting
/// depth, so arbitrary bytes produce an error, never a crash.
///
/// The buffer must stay valid while the scanner is used (callers use `withUnsafeBufferPointer`).
struct JSONScanner {
    let buf: UnsafeBufferPointer<UInt8>
    private(set) var pos = 0
    private var depth = 0

    init(_ buf: UnsafeBufferPointer<UInt8>) { self.buf = buf }

    /// Scanning from `pos` (clamped to the buffer).
    init(_ buf: UnsafeBufferPointer<UInt8>, at pos: Int) {
        self.buf = buf
        self.pos = min(max(0, pos), buf.count)
    }

    func error(_ message: String) -> EventLogError { .json(message: message, offset: pos) }

    var atEnd: Bool { pos >= buf.count }

    mutating func skipWhitespace() {
        while pos < buf.count {
            let c = buf[pos]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            pos += 1
        }
    }

    /// Next non-whitespace byte, not consumed.
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return pos < buf.count ? buf[pos] : nil
    }

    mutating func expect(_ c: UInt8) throws {
        skipWhitespace()
        guard pos < buf.count, buf[pos] == c else {
            throw error("expected '\(Character(Unicode.Scalar(c)))'")
        }
        pos += 1
    }

    /// After the value: only whitespace may follow.
    mutating func expectEnd() throws {
        skipWhitespace()
        guard pos == buf.count else { throw error("trailing characters") }
    }

    // MARK: containers

    mutating func beginObject() throws {
        try expect(0x7B)
        depth += 1
        guard depth <= Limits.maxJSONDepth else { throw error("nesting deeper than \(Limits.maxJSONDepth)") }
    }

    /// Next member key of the current object, consuming `,` and `:`; nil after `}`.
    /// `first` must start true for each object.
    mutating func nextKey(_ first: inout Bool) throws -> String? {
        skipWhitespace()
        guard pos < buf.count else { throw error("unterminated object") }
        if buf[pos] == 0x7D { pos += 1; depth -= 1; return nil }
        if !first { try expect(0x2C) }
        first = false
        let key = try readString()
        try expect(0x3A)
        return key
    }

    mutating func beginArray() throws {
        try expect(0x5B)
        depth += 1
        guard depth <= Limits.maxJSONDepth else { throw error("nesting deeper than \(Limits.maxJSONDepth)") }
    }

    /// True when another element follows (consumes the `,`), false after `]`.
    mutating func nextElement(_ first: inout Bool) throws -> Bool {
        skipWhitespace()
        guard pos < buf.count else { throw error("unterminated array") }
        if buf[pos] == 0x5D { pos += 1; depth -= 1; return false }
        if !first { try expect(0x2C) }
        first = false
        return true
    }

    // MARK: scalars

    /// Consumes `null` if present.
    mutating func readNull() -> Bool {
        skipWhitespace()
        if pos + 4 <= buf.count, buf[pos] == 0x6E, buf[pos + 1] == 0x75, buf[pos + 2] == 0x6C, buf[pos + 3] == 0x6C {
            pos += 4
            return true
        }
        return false
    }

    mutating func readString() throws -> String {
        let (start, end, ascii) = try scanPlainString()
        if end < 0 { return try readEscapedString(from: start) }
        let raw = UnsafeBufferPointer(rebasing: buf[start..<end])
        guard ascii || UTF8Check.isValid(raw) else { throw error("invalid UTF-8 in string") }
        return String(decoding: raw, as: UTF8.self)
    }

    /// Scans a string up to its closing quote. Returns the content range and whether it is
    /// pure ASCII; `end == -1` when an escape was met (`pos` is left at the backslash).
    mutating func scanPlainString() throws -> (start: Int, end: Int, ascii: Bool) {
        skipWhitespace()
        guard pos < buf.count, buf[pos] == 0x22 else { throw error("expected string") }
        let start = pos + 1
        // Local copies keep the loop in registers (this loop is the reader's hottest).
        let base = buf.baseAddress!
        let n = buf.count
        var p = start
        var high: UInt8 = 0
        while true {
            p = Self.firstSpecial(UnsafeRawPointer(base), from: p, to: n)
            guard p < n else { break }
            let c = base[p]
            if c == 0x22 {
                pos = p + 1
                return (start, p, high < 0x80)
            }
            if c == 0x5C { pos = p; return (start, -1, false) }
            if c < 0x20 { pos = p; throw error("control character in string") }
            high |= c
            p += 1
        }
        pos = n
        throw error("unterminated string")
    }

    /// Where the first byte at or after `p` (and before `n`) is that a plain string
    /// scan stops at: '"', '\\', a control character or non-ASCII; `n` if none.
    @inline(__always)
    static func firstSpecial(_ raw: UnsafeRawPointer, from p: Int, to n: Int) -> Int {
        var p = p
        while p + 8 <= n {
            // Eight bytes at a time: flag each byte that is one of those. The lowest
            // flag is exact (higher ones may be borrows), so it says where the first is.
            let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt64.self))
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let q = w ^ (0x22 &* ones), b = w ^ (0x5C &* ones)
            let special = (((q &- ones) & ~q) | ((b &- ones) & ~b) | (w &- 0x20 &* ones) | w) & highs
            if special != 0 { return p + special.trailingZeroBitCount >> 3 }
            p += 8
        }
        while p < n {
            let c = raw.load(fromByteOffset: p, as: UInt8.self)
            if c == 0x22 || c == 0x5C || c < 0x20 || c >= 0x80 { return p }
            p += 1
        }
        return n
    }

    /// `readPlainStringRange` for a string that starts right at the cursor and is
    /// ASCII without escapes, the form of nearly every string of a trace line, in
    /// one inlined pass; any other form goes to `readPlainStringRange`.
    @inline(__always)
    mutating func readASCIIStringRange() -> Range<Int>? {
        let n = buf.count
        if pos < n, let base = buf.baseAddress, base[pos] == 0x22 {
            let end = Self.firstSpecial(UnsafeRawPointer(base), from: pos + 1, to: n)
            if end < n, base[end] == 0x22 {
                defer { pos = end + 1 }
                return (pos + 1)..<end
            }
        }
        return readPlainStringRange()
    }

    /// Consumes `literal` when the bytes at the cursor are exactly it (no whitespace
    /// skipped): the fixed punctuation and keys of lines in the writer's layout.
    @inline(__always)
    mutating func consume(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard pos + n <= buf.count, Bytes.equal(UnsafeRawPointer(buf.baseAddress! + pos), UnsafeRawPointer(literal.utf8Start), count: n) else { return false }
        pos += n
        return true
    }

    /// Where the bytes of a string without escapes that is valid UTF-8 are, as offsets
    /// in the buffer, the closing quote consumed; nil when it has an escape or is not
    /// valid (the caller falls back).
    mutating func readPlainStringRange() -> Range<Int>? {
        guard let (start, end, ascii) = try? scanPlainString(), end >= 0 else { return nil }
        return ascii || UTF8Check.isValid(UnsafeBufferPointer(rebasing: buf[start..<end])) ? start..<end : nil
    }

    /// A string's raw bytes when it has no escapes (else nil, with nothing consumed): lets
    /// callers parse fixed-format values such as timestamps without creating a String.
    mutating func readUnescapedStringBytes() throws -> UnsafeBufferPointer<UInt8>? {
        let save = pos
        let (start, end, _) = try scanPlainString()
        if end < 0 { pos = save; return nil }
        return UnsafeBufferPointer(rebasing: buf[start..<end])
    }

    /// Next member key as an index into `table` (-1 for an unknown key), nil after `}`.
    /// Matches raw bytes, so known keys cost no String creation; `hint` is the index
    /// expected next (keys usually come in the writer's fixed order).
    mutating func nextKey(in table: JSONKeyTable, hint: inout Int, _ first: inout Bool) throws -> Int? {
        skipWhitespace()
        guard pos < buf.count else { throw error("unterminated object") }
        if buf[pos] == 0x7D { pos += 1; depth -= 1; return nil }
        if !first { try expect(0x2C) }
        first = false
        let (start, end, _) = try scanPlainString()
        let index: Int
        if end < 0 {
            var key = try readEscapedString(from: start)
            index = key.withUTF8 { table.index(of: $0, hint: hint) }
        } else {
            index = table.index(of: UnsafeBufferPointer(rebasing: buf[start..<end]), hint: hint)
        }
        if index >= 0 { hint = index + 1 }
        try expect(0x3A)
        return index
    }

    private mutating func readEscapedString(from start: Int) throws -> String {
        var out = [UInt8](UnsafeBufferPointer(rebasing: buf[start..<pos]))
        while pos < buf.count {
            let c = buf[pos]
            if c == 0x22 {
                pos += 1
                guard out.withUnsafeBufferPointer({ UTF8Check.isValid($0) }) else { throw error("invalid UTF-8 in string") }
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw error("control character in string") }
            if c != 0x5C { out.append(c); pos += 1; continue }
            pos += 1
            guard pos < buf.count else { break }
            let e = buf[pos]
            pos += 1
            switch e {
            case 0x22, 0x5C, 0x2F: out.append(e)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = try readHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard pos + 2 <= buf.count, buf[pos] == 0x5C, buf[pos + 1] == 0x75 else { throw error("lone surrogate") }
                    pos += 2
                    let low = try readHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("lone surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw error("lone surrogate")
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                out.append(contentsOf: UTF8.encode(u)!)
            default:
                throw error("invalid escape")
            }
        }
        throw error("unterminated string")
    }

    private mutating func readHex4() throws -> UInt32 {
        guard pos + 4 <= buf.count else { throw error("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = buf[pos]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    /// A JSON integer (no fraction or exponent) that fits in Int64.
    mutating func readInt() throws -> Int64 {
        skipWhitespace()
        let start = pos
        var negative = false
        if pos < buf.count, buf[pos] == 0x2D { negative = true; pos += 1 }
        let digitsStart = pos
        var v: Int64 = 0
        while pos < buf.count, buf[pos] >= 0x30, buf[pos] <= 0x39 {
            let d = Int64(buf[pos] - 0x30)
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
            guard !o1, !o2 else { pos = start; throw error("integer out of range") }
            v = a
            pos += 1
        }
        let n = pos - digitsStart
        guard n > 0 else { throw error("expected integer") }
        guard !(n > 1 && buf[digitsStart] == 0x30) else { throw error("leading zero") }
        if pos < buf.count, buf[pos] == 0x2E || buf[pos] == 0x65 || buf[pos] == 0x45 {
            throw error("expected integer, found fraction or exponent")
        }
        return v
    }

    /// A non-negative integer of one to eighteen digits, without a leading zero
    /// and not followed by a fraction or an exponent: every count, port and
    /// time delta gwsim writes. Nil, with nothing consumed, for anything else
    /// (`readInt` then reads it or says what is wrong). Eighteen digits cannot
    /// overflow, so no digit is checked for it as `readInt` checks each.
    @inline(__always)
    mutating func readShortNatural() -> Int64? {
        let n = buf.count
        var p = pos
        var value: Int64 = 0
        while p < n, p - pos < 18 {
            let digit = buf[p] &- 0x30
            guard digit < 10 else { break }
            value = value &* 10 &+ Int64(digit)
            p += 1
        }
        guard p > pos, p - pos == 1 || buf[pos] != 0x30 else { return nil }
        if p < n {
            let next = buf[p]
            if next &- 0x30 < 10 || next == 0x2E || next == 0x65 || next == 0x45 { return nil }
        }
        pos = p
        return value
    }

    mutating func readIntAsInt() throws -> Int {
        let v = try readInt()
        guard let i = Int(exactly: v) else { throw error("integer out of range") }
        return i
    }

    private static let exactPowers: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                                1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

    /// Any JSON number as Double. Short numbers take an exact fast path (mantissa < 2^53,
    /// power of ten <= 22, the classic Clinger case); others go through `strtod`.
    mutating func readDouble() throws -> Double {
        skipWhitespace()
        let start = pos
        try skipNumber()
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        var negative = false
        var i = start
        if buf[i] == 0x2D { negative = true; i += 1 }
        var fast = true
        var seenDot = false
        while i < pos {
            let c = buf[i]
            if c == 0x2E { seenDot = true; i += 1; continue }
            if c == 0x65 || c == 0x45 { fast = false; break }
            if digits >= 15 { fast = false; break }
            mantissa = mantissa * 10 + UInt64(c - 0x30)
            if mantissa != 0 { digits += 1 }
            if seenDot { scale += 1 }
            i += 1
        }
        if fast && scale < Self.exactPowers.count {
            let v = Double(mantissa) / Self.exactPowers[scale]
            return negative ? -v : v
        }
        let count = pos - start
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { tmp -> Double in
            for k in 0..<count { tmp[k] = CChar(bitPattern: buf[start + k]) }
            tmp[count] = 0
            return strtod(tmp.baseAddress!, nil)
        }
        guard value.isFinite else { throw error("number out of range") }
        return value
    }

    /// Validates the JSON number grammar at `pos` and moves past it.
    private mutating func skipNumber() throws {
        if pos < buf.count, buf[pos] == 0x2D { pos += 1 }
        guard pos < buf.count, buf[pos] >= 0x30, buf[pos] <= 0x39 else { throw error("invalid number") }
        if buf[pos] == 0x30 { pos += 1 } else { skipDigits() }
        if pos < buf.count, buf[pos] == 0x2E {
            pos += 1
            guard skipDigits() > 0 else { throw error("invalid number") }
        }
        if pos < buf.count, buf[pos] == 0x65 || buf[pos] == 0x45 {
            pos += 1
            if pos < buf.count, buf[pos] == 0x2B || buf[pos] == 0x2D { pos += 1 }
            guard skipDigits() > 0 else { throw error("invalid number") }
        }
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let s = pos
        while pos < buf.count, buf[pos] >= 0x30, buf[pos] <= 0x39 { pos += 1 }
        return pos - s
    }

    // MARK: whole values

    /// Validates and skips any value (unknown fields).
    mutating func skipValue() throws {
        var sink: [UInt8]? = nil
        try copyValue(into: &sink)
    }

    /// Validates one value and appends it to `out` without insignificant whitespace
    /// (strings, numbers and key order are copied byte for byte).
    mutating func readCompactValue(into out: inout [UInt8]) throws {
        var sink: [UInt8]? = out
        out = []
        try copyValue(into: &sink)
        out = sink!
    }

    private mutating func copyValue(into out: inout [UInt8]?) throws {
        guard let c = peek() else { throw error("expected value") }
        switch c {
        case 0x7B:
            try beginObject(); out?.append(0x7B)
            var first = true
            while true {
                skipWhitespace()
                guard pos < buf.count else { throw error("unterminated object") }
                if buf[pos] == 0x7D { pos += 1; depth -= 1; break }
                if !first { try expect(0x2C); out?.append(0x2C) }
                first = false
                skipWhitespace()
                try copyString(into: &out)
                try expect(0x3A); out?.append(0x3A)
                try copyValue(into: &out)
            }
            out?.append(0x7D)
        case 0x5B:
            try beginArray(); out?.append(0x5B)
            var first = true
            var index = 0
            while try nextElement(&first) {
                if index > 0 { out?.append(0x2C) }
                index += 1
                try copyValue(into: &out)
            }
            out?.append(0x5D)
        case 0x22:
            try copyString(into: &out)
        case 0x74: try copyLiteral("true", into: &out)
        case 0x66: try copyLiteral("false", into: &out)
        case 0x6E: try copyLiteral("null", into: &out)
        default:
            let s = pos
            try skipNumber()
            out?.append(contentsOf: UnsafeBufferPointer(rebasing: buf[s..<pos]))
        }
    }

    private mutating func copyLiteral(_ word: StaticString, into out: inout [UInt8]?) throws {
        let n = word.utf8CodeUnitCount
        guard pos + n <= buf.count else { throw error("invalid literal") }
        let w = word.utf8Start
        for k in 0..<n where buf[pos + k] != w[k] { throw error("invalid literal") }
        out?.append(contentsOf: UnsafeBufferPointer(rebasing: buf[pos..<pos + n]))
        pos += n
    }

    /// Validates a string (escapes, control characters, UTF-8) and copies it verbatim.
    private mutating func copyString(into out: inout [UInt8]?) throws {
        guard pos < buf.count, buf[pos] == 0x22 else { throw error("expected string") }
        let start = pos
        pos += 1
        var plain = true
        while true {
            guard pos < buf.count else { throw error("unterminated string") }
            let c = buf[pos]
            if c == 0x22 { pos += 1; break }
            if c < 0x20 { throw error("control character in string") }
            if c >= 0x80 { plain = false }
            if c == 0x5C {
                pos += 1
                guard pos < buf.count else { throw error("unterminated string") }
                switch buf[pos] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: pos += 1
                case 0x75:
                    // Re-parse through the decoding path to validate surrogates.
                    pos = start
                    _ = try readString()
                    out?.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<pos]))
                    return
                default: throw error("invalid escape")
                }
                continue
            }
            pos += 1
        }
        let raw = UnsafeBufferPointer(rebasing: buf[start..<pos])
        if !plain, !UTF8Check.isValid(raw) { throw error("invalid UTF-8 in string") }
        out?.append(contentsOf: raw)
    }
}

/// Known member names of one object type, matched against raw key bytes.
/// Names up to 16 bytes are packed into two integers, so matching is two compares
/// (no String, no memcmp, no array traffic per byte).
struct JSONKeyTable: Sendable {
    private let packed: [Packed]
    private struct Packed: Sendable, Equatable { var a: UInt64; var b: UInt64; var count: Int }

    init(_ names: [String]) {
        packed = names.map { name in
            let bytes = Array(name.utf8)
            precondition(bytes.count <= 16, "key table names are at most 16 bytes")
            return bytes.withUnsafeBufferPointer { Self.pack($0)! }
        }
    }

    private static func pack(_ raw: UnsafeBufferPointer<UInt8>) -> Packed? {
        guard raw.count <= 16 else { return nil }
        var a: UInt64 = 0, b: UInt64 = 0
        for i in 0..<raw.count {
            if i < 8 { a |= UInt64(raw[i]) << (8 * UInt64(i)) } else { b |= UInt64(raw[i]) << (8 * UInt64(i - 8)) }
        }
        return Packed(a: a, b: b, count: raw.count)
    }

    func index(of raw: UnsafeBufferPointer<UInt8>, hint: Int) -> Int {
        guard let p = Self.pack(raw) else { return -1 }
        return packed.withUnsafeBufferPointer { table in
            if hint < table.count, table[hint] == p { return hint }
            for i in 0..<table.count where table[i] == p { return i }
            return -1
        }
    }
}

/// Strict UTF-8 validation (no overlong forms, no surrogates, nothing above U+10FFFF).
/// Hand-written because the generic `String(validating:)` was the top cost of trace reading.
enum UTF8Check {
    static func isValid(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = b.count
        var i = 0
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            if c < 0xC2 { return false }
            if c < 0xE0 {
                guard i + 1 < n, b[i + 1] & 0xC0 == 0x80 else { return false }
                i += 2
            } else if c < 0xF0 {
                guard i + 2 < n else { return false }
                let lo: UInt8 = c == 0xE0 ? 0xA0 : 0x80
                let hi: UInt8 = c == 0xED ? 0x9F : 0xBF
                guard b[i + 1] >= lo, b[i + 1] <= hi, b[i + 2] & 0xC0 == 0x80 else { return false }
                i += 3
            } else if c < 0xF5 {
                guard i + 3 < n else { return false }
                let lo: UInt8 = c == 0xF0 ? 0x90 : 0x80
                let hi: UInt8 = c == 0xF4 ? 0x8F : 0xBF
                guard b[i + 1] >= lo, b[i + 1] <= hi, b[i + 2] & 0xC0 == 0x80, b[i + 3] & 0xC0 == 0x80 else { return false }
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}
