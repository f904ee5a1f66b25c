#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1

/// Strict HTTP/1.1 head parsing for the byte path (`FastPathHandler`, `RawUpstreamHandler`).
///
/// A subset recognizer, not a full parser: it accepts only heads written the plain way
/// RFC 9112 §2–§5 describes (CRLF line ends, `token ":" OWS value OWS`, no line folding,
/// no control bytes), which every HTTP/1.1 client and server this proxy meets writes. A
/// request head it does not accept goes to NIO's parser on the full pipeline, which
/// answers 400, 431 or whatever applies; so it never needs to know how to refuse.
enum HeadParser {
    enum Result<Head> {
        /// No blank line yet.
        case incomplete
        /// Not a head this parser accepts (or longer than `limit`).
        case unsupported
        /// The head and its length in bytes, the blank line included.
        case parsed(Head, length: Int)
    }

    /// A request head at the front of `buffer`: `HTTP/1.1` only (an HTTP/1.0 client needs
    /// the framing rules the full pipeline has).
    static func request(_ buffer: ByteBuffer, limit: Int) -> Result<HTTPRequestHead> {
        buffer.withUnsafeReadableBytes { bytes in
            guard let end = headEnd(bytes, limit: limit) else {
                return unfinished(bytes, limit: limit, firstByte: isTokenByte) { cursor in cursor.requestLine() != nil }
            }
            var cursor = Cursor(bytes: bytes, end: end)
            guard let (method, target) = cursor.requestLine(), let headers = cursor.fields() else { return .unsupported }
            let head = HTTPRequestHead(version: .http1_1, method: method, uri: target, headers: headers)
            return .parsed(head, length: end)
        }
    }

    /// A response head at the front of `buffer` (HTTP/1.0 or 1.1, any reason phrase).
    static func response(_ buffer: ByteBuffer, limit: Int) -> Result<HTTPResponseHead> {
        buffer.withUnsafeReadableBytes { bytes in
            guard let end = headEnd(bytes, limit: limit) else {
                return unfinished(bytes, limit: limit, firstByte: { $0 == UInt8(ascii: "H") }) { cursor in cursor.statusLine() != nil }
            }
            var cursor = Cursor(bytes: bytes, end: end)
            guard let (version, code) = cursor.statusLine(), let headers = cursor.fields(maxFieldBytes: ProxyLimits.maxResponseFieldBytes)
            else { return .unsupported }
            return .parsed(HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: code), headers: headers), length: end)
        }
    }

    /// A head without its blank line yet: `.incomplete` while what has arrived can still
    /// become one, `.unsupported` as soon as it cannot (over `limit`, a byte no head line
    /// holds, a bare LF, a first line `firstLine` does not read, a field line that is not
    /// one), so that nothing waits for a head that never comes.
    private static func unfinished<Head>(_ bytes: UnsafeRawBufferPointer, limit: Int, firstByte: (UInt8) -> Bool,
                                         firstLine: (inout Cursor) -> Bool) -> Result<Head> {
        guard bytes.count <= limit else { return .unsupported }
        guard let first = bytes.first else { return .incomplete }
        guard firstByte(first) else { return .unsupported }
        for index in bytes.indices {
            let byte = bytes[index]
            switch byte {
            case 0x0A:
                // A bare LF ends nothing this parser accepts (RFC 9112 §2.2 allows a recipient
                // to take it; NIO's parser refuses it, and so does the full pipeline then).
                if index == 0 || bytes[index - 1] != 0x0D { return .unsupported }
            case 0x0D:
                if index + 1 < bytes.count, bytes[index + 1] != 0x0A { return .unsupported }
            case 0x09:
                break
            default:
                if byte < 0x20 || byte == 0x7F { return .unsupported }
            }
        }
        guard let lineFeed = bytes.firstIndex(of: 0x0A) else { return .incomplete }
        var cursor = Cursor(bytes: bytes, end: lineFeed + 1)
        guard firstLine(&cursor) else { return .unsupported }
        var at = lineFeed + 1
        while let next = bytes[at...].firstIndex(of: 0x0A) {
            guard HTTPBytes.field(bytes, at: &at, end: next + 1) != nil else { return .unsupported }
        }
        // The line under way starts as a field does: a name, then its colon (or the blank line's CR).
        var index = at
        while index < bytes.count, isTokenByte(bytes[index]) { index += 1 }
        if index == bytes.count { return .incomplete }
        if index == at, bytes[index] == 0x0D { return .incomplete }
        return index > at && bytes[index] == UInt8(ascii: ":") ? .incomplete : .unsupported
    }

    static let http11 = Array("HTTP/1.1".utf8)
    static let http10 = Array("HTTP/1.0".utf8)

    /// The offset just past the first CRLFCRLF, looked for within `limit` bytes.
    static func headEnd(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Int? {
        let count = min(bytes.count, limit)
        guard count >= 4 else { return nil }
        var index = 0
        while index <= count - 4 {
            // Jump from CR to CR: most bytes are not one.
            guard let base = bytes.baseAddress,
                  let found = memchr(base + index, 0x0D, count - 3 - index) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(found))
            if bytes[at + 1] == 0x0A, bytes[at + 2] == 0x0D, bytes[at + 3] == 0x0A { return at + 4 }
            index = at + 1
        }
        return nil
    }

    /// RFC 9110 §5.6.2 tchar, looked up in a table of the ASCII bytes (tchar has no
    /// other): every field name of every head is scanned with it, and a lookup is about
    /// half the instructions of testing a bit set by range. The table is a string
    /// literal, so reading it needs no lazy initialization (a global table's once-check
    /// was not hoisted out of the scan loops).
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool { byte < 128 && tokenBytes.utf8Start[Int(byte)] == UInt8(ascii: "1") }

    /// A byte a field value, a reason phrase or a quoted string may hold (RFC 9110 §5.5,
    /// §5.6.4; RFC 9112 §4): the tab, space, visible ASCII and obs-text; no other control byte.
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool { byte == 0x09 || (byte >= 0x20 && byte != 0x7F) }

    /// VCHAR (RFC 5234): the bytes of a request target (RFC 9112 §3.2) and, less some
    /// delimiters, of a host.
    @inline(__always)
    static func isVisibleASCII(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    /// "1" at the position of each tchar byte: the digits, the letters and ``!#$%&'*+-.^_`|~``.
    private static var tokenBytes: StaticString {
        "00000000000000000000000000000000010111110011011011111111110000000111111111111111111111111110001111111111111111111111111111101010"
    }

    /// Reads a head left to right; every method returns nil (or false) without moving on a mismatch.
    private struct Cursor {
        let bytes: UnsafeRawBufferPointer
        let end: Int
        var at = 0

        init(bytes: UnsafeRawBufferPointer, end: Int) {
            self.bytes = bytes
            self.end = end
        }

        mutating func skip(_ byte: UInt8) -> Bool {
            guard at < end, bytes[at] == byte else { return false }
            at += 1
            return true
        }

        mutating func skip(_ literal: [UInt8]) -> Bool {
            guard end - at >= literal.count, literal.indices.allSatisfy({ bytes[at + $0] == literal[$0] }) else { return false }
            at += literal.count
            return true
        }

        /// One or more bytes satisfying `accept`.
        mutating func run(while accept: (UInt8) -> Bool) -> UnsafeRawBufferPointer? {
            let start = at
            while at < end, accept(bytes[at]) { at += 1 }
            return at > start ? UnsafeRawBufferPointer(rebasing: bytes[start..<at]) : nil
        }

        mutating func token() -> UnsafeRawBufferPointer? { run(while: HeadParser.isTokenByte) }

        /// `method SP target SP HTTP/1.1 CRLF`, the method one NIO's parser knows (an
        /// extension method goes to the full pipeline, which answers it).
        mutating func requestLine() -> (HTTPMethod, String)? {
            guard let name = token(), skip(UInt8(ascii: " ")), let target = run(while: HeadParser.isVisibleASCII),
                  skip(UInt8(ascii: " ")), skip(HeadParser.http11), lineEnd() else { return nil }
            let method = HTTPMethod(rawValue: String(decoding: name, as: UTF8.self))
            if case .RAW = method { return nil }
            return (method, String(decoding: target, as: UTF8.self))
        }

        /// `HTTP/1.x SP 3DIGIT [SP reason] CRLF`, the status 100 to 599 (RFC 9110 §15).
        mutating func statusLine() -> (HTTPVersion, Int)? {
            let version: HTTPVersion
            if skip(HeadParser.http11) { version = .http1_1 } else if skip(HeadParser.http10) { version = .http1_0 } else { return nil }
            guard skip(UInt8(ascii: " ")), let digits = run(while: { $0 >= 0x30 && $0 <= 0x39 }), digits.count == 3 else { return nil }
            let code = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard (100...599).contains(code) else { return nil }
            // The reason phrase is informational (RFC 9112 §4); the client gets the standard one.
            if skip(UInt8(ascii: " ")) { _ = run(while: HeadParser.isFieldValueByte) }
            return lineEnd() ? (version, code) : nil
        }

        mutating func lineEnd() -> Bool {
            guard end - at >= 2, bytes[at] == 0x0D, bytes[at + 1] == 0x0A else { return false }
            at += 2
            return true
        }

        /// Header fields up to and including the blank line; nil when a line is not one, or
        /// when names and values add up to more than `maxFieldBytes`.
        mutating func fields(maxFieldBytes: Int = .max) -> HTTPHeaders? {
            var headers = HTTPHeaders()
            var fieldBytes = 0
            while !lineEnd() {
                guard let (name, value) = HTTPBytes.field(bytes, at: &at, end: end),
                      !HTTPBytes.tabAfterFramingValue(bytes, name: name, value: value, lineEnd: at - 2) else { return nil }
                fieldBytes += name.count + value.count
                guard fieldBytes <= maxFieldBytes else { return nil }
                headers.add(name: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[name]), as: UTF8.self),
                            value: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[value]), as: UTF8.self))
            }
            return headers
        }
    }
}
