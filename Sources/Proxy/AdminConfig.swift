import EventLog
import Foundation

/// Where the admin API listens and who may call it.
///
/// Loopback by default. Binding any other address without a bearer token is refused
/// (`AdminError.tokenRequired`): the admin API changes what the proxy routes, so it must
/// never be open to the network unauthenticated.
public struct AdminConfig: Sendable {
    public var host: String
    /// 0 = ephemeral.
    public var port: Int
    /// When set, every request needs `Authorization: Bearer <token>` (401 otherwise).
    public var token: String?
    /// `POST /review` without `?window=`: how far back recorded traffic is replayed (seconds).
    public var defaultReviewWindow: Double

    public init(host: String = "127.0.0.1", port: Int = 9901, token: String? = nil, defaultReviewWindow: Double = 3600) {
        self.host = host
        self.port = port
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.defaultReviewWindow = defaultReviewWindow
    }

    /// Parses `HOST:PORT` (`127.0.0.1:9901`, `[::1]:9901`, `:9901` = loopback).
    public static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65_535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    /// True for addresses only this machine can reach: an IPv4 address in 127.0.0.0/8,
    /// `::1`, or `localhost`. Any other name is not, whatever it starts with
    /// (`127.0.0.1.example.com` may resolve anywhere).
    public static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        var loopback6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1, inet_pton(AF_INET6, "::1", &loopback6) == 1 else { return false }
        return withUnsafeBytes(of: &v6) { a in withUnsafeBytes(of: &loopback6) { b in a.elementsEqual(b) } }
    }

    /// Throws `AdminError.tokenRequired` for a non-loopback address without a token.
    public func validate() throws {
        if !Self.isLoopback(host), token == nil { throw AdminError.tokenRequired(host: host) }
    }

    /// Reads a token file: its content without surrounding whitespace; empty is an error.
    public static func readToken(path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw AdminError.tokenFile(path, "cannot read file") }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw AdminError.tokenFile(path, "the file is empty") }
        return token
    }
}

/// Why the admin API cannot start (or a token cannot be read).
public enum AdminError: Error, CustomStringConvertible, Equatable {
    case tokenRequired(host: String)
    case tokenFile(String, String)
    case bindFailed(String)

    public var description: String {
        switch self {
        case .tokenRequired(let host):
            return "refusing to serve the admin API on \(host) without a token: it is not a loopback address, "
                + "so give --admin-token-file FILE (every request then needs 'Authorization: Bearer <token>')"
        case .tokenFile(let path, let why): return "\(path): \(why)"
        case .bindFailed(let why): return "cannot bind the admin API: \(why)"
        }
    }
}

/// Durations of `?window=`: `90s`, `5m`, `1h30m`, `500ms`, or plain seconds (`300`).
public enum AdminDuration {
    /// The whole range of event times (Limits.maxTimeMicros): no recorded request is older.
    public static let longest = Double(Limits.maxTimeMicros) / 1_000_000

    /// nil for text that is not a duration, and for a duration over `longest`.
    public static func seconds(_ text: String) -> Double? {
        parse(text).flatMap { $0 <= longest ? $0 : nil }
    }

    private static func parse(_ text: String) -> Double? {
        if let plain = Double(text), plain.isFinite, plain > 0 { return plain }
        var total = 0.0
        var number = ""
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while let c = rest.first {
            if c.isNumber || c == "." { number.append(c); rest.removeFirst(); continue }
            guard let value = Double(number) else { return nil }
            let unit: Double
            if rest.hasPrefix("ms") { unit = 0.001; rest.removeFirst(2) } else {
                switch c {
                case "s": unit = 1
                case "m": unit = 60
                case "h": unit = 3600
                case "d": unit = 86_400
                default: return nil
                }
                rest.removeFirst()
            }
            total += value * unit
            number = ""
        }
        guard number.isEmpty, total > 0, total.isFinite else { return nil }
        return total
    }
}
