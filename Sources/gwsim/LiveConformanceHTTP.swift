import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking HTTP/1.1 client for the live conformance run: one request per connection
/// (`Connection: close`), the Host header and request target exactly as given, the
/// response read to EOF. Enough for loopback tests; not a general client.
enum LiveHTTPClient {
    struct Response {
        var status: Int
        /// Names as received, in order.
        var headers: [(String, String)]
        var body: String
        func header(_ name: String) -> String? {
            let values = headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
            return values.isEmpty ? nil : values.joined(separator: ",")
        }
    }

    struct ClientError: Error, CustomStringConvertible { var description: String }

    static func send(host: String, port: Int, method: String, target: String, headers: [(String, String)], body: String?,
                     timeoutSeconds: Int = 5) throws -> Response {
        let fd = try openSocket(host: host, port: port, timeoutSeconds: timeoutSeconds)
        defer { close(fd) }
        let bytes = requestBytes(method: method, target: target, headers: headers, body: body)
        try writeAll(bytes, to: fd)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { received += buffer[0..<n]; continue }
            if n == 0 { break }
            if errno == EINTR { continue }
            if received.isEmpty { throw ClientError(description: "read: errno \(errno) (no response)") }
            break
        }
        return try parse(received)
    }

    /// A connected TCP socket with read and write timeouts; the caller closes it.
    static func openSocket(host: String, port: Int, timeoutSeconds: Int = 5) throws -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ClientError(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw ClientError(description: "bad address \(host)") }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw ClientError(description: "connect \(host):\(port): errno \(errno)")
        }
        return fd
    }

    static func writeAll(_ bytes: [UInt8], to fd: Int32) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw ClientError(description: "write: errno \(errno)") }
            sent += n
        }
    }

    /// The request as sent: the headers as given, a Content-Length for a body, `Connection: close`.
    static func requestBytes(method: String, target: String, headers: [(String, String)], body: String?) -> [UInt8] {
        var text = "\(method) \(target) HTTP/1.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        let bodyBytes = Array((body ?? "").utf8)
        if !bodyBytes.isEmpty { text += "Content-Length: \(bodyBytes.count)\r\n" }
        text += "Connection: close\r\n\r\n"
        return Array(text.utf8) + bodyBytes
    }

    static func parse(_ data: [UInt8]) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, data.count - 3)).first(where: { Array(data[$0..<$0 + 4]) == separator }) else {
            throw ClientError(description: "incomplete response (\(data.count) bytes)")
        }
        let head = String(decoding: data[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw ClientError(description: "bad status line") }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(data[(end + 4)...])
        if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked") }) {
            body = dechunk(body)
        }
        return Response(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    static func dechunk(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            guard let lineEnd = (i..<max(i, data.count - 1)).first(where: { data[$0] == 13 && data[$0 + 1] == 10 }) else { break }
            let sizeText = String(decoding: data[i..<lineEnd], as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd + 2
            out += data[start..<min(start + size, data.count)]
            i = start + size + 2
        }
        return out
    }
}

/// The whoami JSON echo: `{"name","method","host","path","headers":{...},"remoteAddr","listen"}`.
struct WhoamiEcho {
    var name: String
    var method: String
    var host: String
    var path: String
    /// Lower-case names, repeated values joined with ", ".
    var headers: [(String, String)]
    var listen: String

    init?(json: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let name = object["name"] as? String else { return nil }
        self.name = name
        method = object["method"] as? String ?? ""
        host = object["host"] as? String ?? ""
        path = object["path"] as? String ?? ""
        listen = object["listen"] as? String ?? ""
        headers = ((object["headers"] as? [String: Any]) ?? [:]).map { ($0.key, "\($0.value)") }.sorted { $0.0 < $1.0 }
    }
}
