import ArgumentParser

/// The URL argument of `gwsim route`: scheme, Host header, optional port, and the
/// path with its query. Parsed by hand so that any Host value (including ones a
/// URL library would reject or normalize) reaches the routing core as written.
struct TargetURL {
    var scheme: String
    /// The Host header: the authority as written, port included when given.
    var host: String
    /// The explicit port, when the URL names one.
    var port: Int?
    var path: String

    init(_ text: String) throws {
        guard let separator = text.range(of: "://") else {
            throw ValidationError("URL \(text) needs a scheme: http://HOST/PATH or https://HOST/PATH")
        }
        scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw ValidationError("URL scheme \(scheme) is not supported: use http or https")
        }
        let rest = text[separator.upperBound...]
        let pathStart = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        host = String(rest[..<pathStart])
        guard !host.isEmpty else { throw ValidationError("URL \(text) has no host") }
        var target = String(rest[pathStart...])
        if target.isEmpty { target = "/" }
        if target.hasPrefix("?") { target = "/" + target }
        path = target
        // A port is the digits after the last ':' outside an IPv6 literal.
        if let colon = host.lastIndex(of: ":"), !host[colon...].contains("]") {
            let digits = host[host.index(after: colon)...]
            guard let value = Int(digits), (1...65535).contains(value) else {
                throw ValidationError("URL \(text) has an invalid port \(digits)")
            }
            port = value
        }
    }

    var defaultPort: Int { scheme == "https" ? 443 : 80 }
}
