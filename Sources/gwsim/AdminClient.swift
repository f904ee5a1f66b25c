import Foundation
#if canImport(Glibc)
import Glibc
private let systemConnect = Glibc.connect
#elseif canImport(Darwin)
import Darwin
private let systemConnect = Darwin.connect
#endif

/// A tiny blocking HTTP/1.1 client for the admin API (`gwsim apply --admin`): one request
/// per connection (`Connection: close`), body read to the end. POSIX sockets only.
struct AdminClient {
    struct Response {
        var status: Int
        var body: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let host: String
    let port: Int
    let token: String?
    var timeoutSeconds = 120

    /// Parses `http://HOST:PORT` (the scheme and a trailing slash are optional).
    init(url: String, token: String?) throws {
        var text = url
        if text.hasPrefix("http://") { text.removeFirst("http://".count) }
        if text.hasPrefix("https://") { throw Failure(description: "\(url): https is not supported by the admin client") }
        while text.hasSuffix("/") { text.removeLast() }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            throw Failure(description: "\(url): expected http://HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "127.0.0.1" : host
        self.port = port
        self.token = token
    }

    func send(_ method: String, _ target: String, body: String = "") throws -> Response {
        let fd = try connect()
        defer { close(fd) }
        var request = "\(method) \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        request += "Content-Type: application/yaml\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        var bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + sent, $0.count - sent) }
            guard n > 0 else { throw Failure(description: "\(host):\(port): write failed: \(String(cString: strerror(errno)))") }
            sent += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n == 0 { break }
            guard n > 0 else { throw Failure(description: "\(host):\(port): read failed: \(String(cString: strerror(errno)))") }
            received += chunk[0..<n]
        }
        bytes = received
        guard let end = Self.find([13, 10, 13, 10], in: bytes) else { throw Failure(description: "\(host):\(port): incomplete answer") }
        let head = String(decoding: bytes[0..<end], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "\(host):\(port): not an HTTP answer") }
        return Response(status: status, body: String(decoding: bytes[(end + 4)...], as: UTF8.self))
    }

    private func connect() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw Failure(description: "\(host): cannot resolve")
        }
        defer { freeaddrinfo(list) }
        var info: UnsafeMutablePointer<addrinfo>? = first
        var lastError = "no address"
        while let ai = info {
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if fd >= 0 {
                var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                if systemConnect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { return fd }
                lastError = String(cString: strerror(errno))
                close(fd)
            }
            info = ai.pointee.ai_next
        }
        throw Failure(description: "cannot connect to the admin API at \(host):\(port): \(lastError)")
    }

    static func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        for i in 0...(bytes.count - pattern.count) where bytes[i] == pattern[0] && Array(bytes[i..<(i + pattern.count)]) == pattern { return i }
        return nil
    }
}
