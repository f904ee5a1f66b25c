import ArgumentParser
import GatewayAPI

/// The URL argument of `gwsim route`: scheme, Host header, optional port, and the
/// path with its query. Parsed by hand so that any Host value (including ones a
/// URL library would reject or normalize) reaches the routing core as written.
/// `tls://`, `tcp://` and `udp://` name a connection to a TLS, TCP or UDP listener
/// (for TLS the host is the SNI); they have no path.
struct TargetURL {
    var scheme: String
    /// The Host header: the authority as written, port included when given.
    var host: String
    /// The explicit port, when the URL names one.
    var port: Int?
    var path: String
    /// The URL's host name, without port or IPv6 brackets: the TLS server name unless
    /// `--sni` says otherwise (also when -H replaces the Host).
    let hostName: String

    init(_ text: String) throws {
        guard let separator = text.range(of: "://") else {
            throw ValidationError("URL \(text) needs a scheme: http://HOST/PATH or https://HOST/PATH")
        }
        scheme = text[..<separator.lowerBound].lowercased()
        guard Self.schemes.contains(scheme) else {
            throw ValidationError("URL scheme \(scheme) is not supported: use \(Self.schemes.joined(separator: ", "))")
        }
        // The fragment never leaves the client (RFC 9110 §7.1): not part of the request target.
        let rest = text[separator.upperBound...].prefix { $0 != "#" }
        let pathStart = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<pathStart]
        // Userinfo is not part of the Host header either.
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        host = String(authority)
        guard !host.isEmpty else { throw ValidationError("URL \(text) has no host") }
        guard host.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            throw ValidationError("URL \(text): the host holds a space or control character")
        }
        var target = String(rest[pathStart...])
        if target.isEmpty { target = "/" }
        if target.hasPrefix("?") { target = "/" + target }
        path = target
        var name = Substring(host)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw ValidationError("URL \(text): the IPv6 address in the host has no closing ]") }
            let after = host[host.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw ValidationError("URL \(text): only a :PORT may follow the ] of an IPv6 host") }
            name = host[...close]
        } else if host.contains("[") || host.contains("]") {
            throw ValidationError("URL \(text): [ and ] belong only around an IPv6 address")
        }
        // A port is the digits after the last ':' outside an IPv6 literal.
        if let colon = host.lastIndex(of: ":"), !host[colon...].contains("]") {
            let digits = host[host.index(after: colon)...]
            guard let value = Int(digits), (1...65535).contains(value) else {
                throw ValidationError("URL \(text) has an invalid port \(digits)")
            }
            port = value
            if !host.hasPrefix("[") { name = host[..<colon] }
        }
        guard !name.isEmpty else { throw ValidationError("URL \(text) has a port but no host name") }
        hostName = String(name.hasPrefix("[") ? name.dropFirst().dropLast() : name)
        if isConnection, path != "/" { throw ValidationError("URL \(text): a \(scheme):// connection has no path") }
    }

    static let schemes = ["http", "https", "tls", "tcp", "udp"]

    /// A TLS, TCP or UDP connection rather than an HTTP request.
    var isConnection: Bool { connectionProtocol != nil }

    var connectionProtocol: ListenerProtocol? {
        switch scheme {
        case "tls": .tls
        case "tcp": .tcp
        case "udp": .udp
        default: nil
        }
    }

    /// The listener protocol the URL reaches.
    var listenerProtocol: ListenerProtocol { connectionProtocol ?? (scheme == "https" ? .https : .http) }

    /// 80 or 443; nil for connections, whose port must be given (or be the only one).
    var defaultPort: Int? {
        switch scheme {
        case "http": 80
        case "https": 443
        default: nil
        }
    }
}
