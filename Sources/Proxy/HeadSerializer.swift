import NIOCore
import NIOHTTP1

/// HTTP/1.1 heads written as bytes for the byte path (`FastPathHandler`): what NIO's
/// encoders write for the same head, with the check its outbound header validation makes
/// (RFC 9110 §5.5: no CR, LF or NUL in a field; a name is a token), since a header
/// filter's value or a backend's could otherwise split the message.
enum HeadSerializer {
    /// Appends the request head; false (with `buffer` unchanged) when a field is not valid.
    static func write(_ head: HTTPRequestHead, to buffer: inout ByteBuffer) -> Bool {
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
