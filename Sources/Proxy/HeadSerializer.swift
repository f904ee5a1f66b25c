import NIOCore
import NIOHTTP1

/// HTTP/1.1 heads written as bytes for the byte path (`FastPathHandler`): what NIO's
/// encoders write for the same head, checked so that it stays one message (RFC 9110 §5.5:
/// no CR, LF or NUL in a field; a name is a token), since a header filter's value or a
/// backend's could otherwise split it.
enum HeadSerializer {
    /// Whether `head` can go to a backend as one message: its fields as above, and a target
    /// of visible ASCII (RFC 9112 §3.2), which every request the proxy reads has unless a
    /// filter made it otherwise. Both paths ask this before connecting. Not NIO's outbound
    /// validator, which also refuses `"`, `{`, `|` and the like that NIO's parser (and
    /// every mainstream proxy) lets through: the full pipeline would then have refused, on
    /// the backend's side, requests the byte path forwards.
    static func isSendable(_ head: HTTPRequestHead) -> Bool {
        isValidTarget(head.uri) && head.headers.allSatisfy { isValidName($0.name) && isValidValue($0.value) }
    }

    /// Appends the request head; false (with `buffer` unchanged) when it is not sendable (`isSendable`).
    static func write(_ head: HTTPRequestHead, to buffer: inout ByteBuffer) -> Bool {
        guard isValidTarget(head.uri) else { return false }
        let start = buffer.writerIndex
        buffer.writeString(head.method.rawValue)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(head.uri)
        buffer.writeStaticString(" HTTP/1.1\r\n")
        guard fields(head.headers, to: &buffer) else {
            buffer.moveWriterIndex(to: start)
            return false
        }
        return true
    }

    /// Appends the response head (HTTP/1.1; the client of the byte path speaks it); false
    /// (with `buffer` unchanged) when a field is not valid.
    static func write(_ head: HTTPResponseHead, to buffer: inout ByteBuffer) -> Bool {
        let start = buffer.writerIndex
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(head.status.code))
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(head.status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        guard fields(head.headers, to: &buffer) else {
            buffer.moveWriterIndex(to: start)
            return false
        }
        return true
    }

    private static func fields(_ headers: HTTPHeaders, to buffer: inout ByteBuffer) -> Bool {
        for (name, value) in headers {
            guard isValidName(name), isValidValue(value) else { return false }
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
        return true
    }

    private static func isValidTarget(_ uri: String) -> Bool { uri.utf8.allSatisfy(HeadParser.isVisibleASCII) }

    private static func isValidName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            guard !bytes.isEmpty else { return false }
            for byte in bytes where !HeadParser.isTokenByte(byte) { return false }
            return true
        }
    }

    private static func isValidValue(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            for byte in bytes where byte == 0x0D || byte == 0x0A || byte == 0 { return false }
            return true
        }
    }
}
