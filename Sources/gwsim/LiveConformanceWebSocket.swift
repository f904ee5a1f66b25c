import Conformance
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A WebSocket exchange through the proxy, as upstream's HTTPRouteBackendProtocolWebSocket
/// makes it (utils/websocket): an upgrade request (RFC 6455 section 4.1) with the RFC's own
/// sample key, whose expected `Sec-WebSocket-Accept` is known (section 1.3), then one text
/// and one binary message, masked as a client must, each expected back unchanged from the
/// echo backend; then a close.
enum LiveWebSocketProbe {
    static let sampleKey = "dGhlIHNhbXBsZSBub25jZQ=="
    static let sampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Differences of one exchange (empty: it worked).
    static func exchange(_ probe: SuiteRuntime.WebSocketProbe, port: Int, host: String) -> [String] {
        do {
            let fd = try LiveHTTPClient.openSocket(host: "127.0.0.1", port: port)
            defer { close(fd) }
            let upgrade = "GET \(probe.path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: \(sampleKey)\r\nSec-WebSocket-Version: 13\r\nOrigin: ws://gateway/\(probe.path)\r\n\r\n"
            try LiveHTTPClient.writeAll(Array(upgrade.utf8), to: fd)
            var reader = Reader(fd: fd)
            let head = try reader.head()
            let response = try LiveHTTPClient.parse(Array(head.utf8))
            guard response.status == 101 else { return ["expected 101 Switching Protocols to \(probe.path), got \(response.status)"] }
            guard response.header("sec-websocket-accept") == sampleAccept else {
                return ["Sec-WebSocket-Accept is \(response.header("sec-websocket-accept") ?? "missing"), expected \(sampleAccept)"]
            }
            var out: [String] = []
            for (opcode, payload) in [(UInt8(1), Array(probe.text.utf8)), (UInt8(2), probe.binary)] {
                try LiveHTTPClient.writeAll(frame(opcode: opcode, payload: payload), to: fd)
                let (gotOpcode, got) = try reader.frame()
                if gotOpcode != opcode || got != payload {
                    out.append("sent \(opcode == 1 ? "text" : "binary") \(payload), got opcode \(gotOpcode) with \(got)")
                }
            }
            try LiveHTTPClient.writeAll(frame(opcode: 8, payload: [0x03, 0xE8]), to: fd)
            return out
        } catch {
            return ["WebSocket exchange on \(probe.path): \(error)"]
        }
    }

    /// A final, masked client frame (section 5.2); payloads here are under 126 bytes.
    static func frame(opcode: UInt8, payload: [UInt8]) -> [UInt8] {
        let mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        return [0x80 | opcode, 0x80 | UInt8(payload.count)] + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    /// Blocking reads of the upgrade response head, then of server frames.
    struct Reader {
        let fd: Int32
        var buffer: [UInt8] = []

        mutating func fill(_ count: Int) throws {
            var chunk = [UInt8](repeating: 0, count: 4096)
            while buffer.count < count {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw Failure(description: "connection ended after \(buffer.count) bytes") }
                buffer += chunk[0..<n]
            }
        }

        mutating func head() throws -> String {
            while true {
                if let end = (0..<max(0, buffer.count - 3)).first(where: { Array(buffer[$0..<$0 + 4]) == [13, 10, 13, 10] }) {
                    let text = String(decoding: buffer[..<(end + 4)], as: UTF8.self)
                    buffer.removeFirst(end + 4)
                    return text
                }
                try fill(buffer.count + 1)
            }
        }

        mutating func frame() throws -> (opcode: UInt8, payload: [UInt8]) {
            try fill(2)
            let opcode = buffer[0] & 0x0F
            var length = Int(buffer[1] & 0x7F)
            var offset = 2
            if length == 126 {
                try fill(4)
                length = Int(buffer[2]) << 8 | Int(buffer[3])
                offset = 4
            } else if length == 127 {
                throw Failure(description: "unexpectedly large frame")
            }
            try fill(offset + length)
            let payload = Array(buffer[offset..<(offset + length)])
            buffer.removeFirst(offset + length)
            return (opcode, payload)
        }
    }
}
