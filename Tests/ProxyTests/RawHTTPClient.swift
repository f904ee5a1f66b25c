import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deliberately tiny blocking HTTP/1.1 client over a raw socket: the tests need exact
/// control of the bytes (CL+TE, oversized heads, garbage) and no client-side magic.
/// Every read and write has a socket timeout, so a broken proxy fails a test instead of
/// hanging it.
final class RawHTTPConnection {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    enum Failure: Error { case socket(String), closed, malformed(String) }

    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, host: String = "127.0.0.1", timeoutSeconds: Int = 10) throws {
        fd = try Self.connectedSocket(port: port, host: host, timeoutSeconds: timeoutSeconds)
    }

    /// Opens the socket, closing it itself when the connection fails. It must not be a
    /// stored property before then: an initializer that throws after every property is
    /// set still runs `deinit`, and a second `close` of the same number can hit a
    /// descriptor another thread has opened since (an event loop's epoll, say).
    private static func connectedSocket(port: Int, host: String, timeoutSeconds: Int) throws -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure.socket("socket") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let error = errno
            close(fd)
            throw Failure.socket("connect to \(port): errno \(error)")
        }
        return fd
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw Failure.socket("write: errno \(errno)") }
            offset += written
        }
    }

    /// Sends a request; `Content-Length` is added for a body.
    func request(_ path: String, method: String = "GET", host: String, headers: [(String, String)] = [], body: [UInt8] = [],
                 close: Bool = false) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
        if close { head += "Connection: close\r\n" }
        try send(Array((head + "\r\n").utf8) + body)
        return try readResponse(method: method)
    }

    func readResponse(method: String = "GET") throws -> Response {
        let headEnd = try fill(until: { $0.firstRange(of: [13, 10, 13, 10]) })
        let headText = String(decoding: buffer[..<headEnd.lowerBound], as: UTF8.self)
        buffer.removeFirst(headEnd.upperBound)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure.malformed(headText) }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = Response(status: status, headers: headers, body: [])
        if method == "HEAD" || status < 200 || status == 204 || status == 304 { return response }
        if let length = response.header("content-length").flatMap(Int.init) {
            response.body = try take(length)
        } else if response.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            while true {
                let lineEnd = try fill(until: { $0.firstRange(of: [13, 10]) })
                let sizeText = String(decoding: buffer[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
                buffer.removeFirst(lineEnd.upperBound)
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { throw Failure.malformed("chunk size") }
                if size == 0 {
                    // Trailer fields up to the blank line; a response cut off before it is incomplete.
                    while true {
                        let lineEnd = try fill(until: { $0.firstRange(of: [13, 10]) })
                        buffer.removeFirst(lineEnd.upperBound)
                        if lineEnd.lowerBound == 0 { break }
                    }
                    break
                }
                response.body += try take(size)
                _ = try take(2)
            }
        } else {
            while (try? readMore()) == true {}
            response.body = buffer
            buffer = []
        }
        return response
    }

    /// True when the peer has closed (EOF) within the timeout.
    func isClosedByPeer() -> Bool {
        while true {
            do { if try !readMore() { return true } } catch { return false }
        }
    }

    /// The next `count` bytes (after what earlier reads left buffered): e.g. WebSocket frames.
    func readBytes(_ count: Int) throws -> [UInt8] { try take(count) }

    /// Everything up to and including the first blank line, unparsed (e.g. a 101 head).
    func readHead() throws -> String {
        let end = try fill(until: { $0.firstRange(of: [13, 10, 13, 10]) })
        return String(decoding: try take(end.upperBound), as: UTF8.self)
    }

    private func take(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { guard try readMore() else { throw Failure.closed } }
        let out = Array(buffer[..<count])
        buffer.removeFirst(count)
        return out
    }

    private func fill(until find: ([UInt8]) -> Range<Int>?) throws -> Range<Int> {
        while true {
            if let range = find(buffer) { return range }
            guard try readMore() else { throw Failure.closed }
        }
    }

    /// Reads what is available; false on EOF.
    private func readMore() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count == 0 { return false }
        guard count > 0 else { throw Failure.socket("read: errno \(errno)") }
        buffer += chunk[..<count]
        return true
    }
}

extension Array where Element == UInt8 {
    func firstRange(of pattern: [UInt8]) -> Range<Int>? {
        guard count >= pattern.count else { return nil }
        var index = 0
        while index + pattern.count <= count {
            if self[index] == pattern[0] && Array(self[index..<index + pattern.count]) == pattern { return index..<index + pattern.count }
            index += 1
        }
        return nil
    }
}

/// A local port nobody listens on: bind an ephemeral port, then close it.
func refusedPort() -> Int {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A listening socket that never accepts: connections complete in the kernel backlog and
/// then hear nothing, like a hung backend. Close the returned descriptor when done.
func silentListener() -> (fd: Int32, port: Int) {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    listen(fd, 16)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}
