import GatewayAPI
import NIOHTTP1

/// The bodies `gwsim whoami` answers with: the container's plain-text layout, or a JSON echo
/// with sorted, lower-cased header names (deterministic, easy to assert on).
enum WhoamiReply {
    static func text(name: String, head: HTTPRequestHead, remoteAddr: String, ip: String) -> String {
        var lines = ["Hostname: \(name)", "IP: \(ip)", "RemoteAddr: \(remoteAddr)", "\(head.method.rawValue) \(head.uri) \(version(head))",
                     "Host: \(head.headers["host"].first ?? "")"]
        // Like the Go container: Host on its own line, other names in canonical form.
        for (headerName, value) in head.headers where headerName.lowercased() != "host" {
            lines.append("\(canonical(headerName)): \(value)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(name: String, head: HTTPRequestHead, remoteAddr: String, listen: String) -> String {
        var grouped: [String: [String]] = [:]
        for (headerName, value) in head.headers { grouped[headerName.lowercased(), default: []].append(value) }
        let headers = grouped.keys.sorted().map { "\(quote($0)):\(quote(grouped[$0]!.joined(separator: ", ")))" }.joined(separator: ",")
        let host = head.headers["host"].first ?? ""
        return "{\"name\":\(quote(name)),\"method\":\(quote(head.method.rawValue)),\"host\":\(quote(host)),\"path\":\(quote(head.uri)),"
            + "\"headers\":{\(headers)},\"remoteAddr\":\(quote(remoteAddr)),\"listen\":\(quote(listen))}\n"
    }

    /// `x-forwarded-for` -> `X-Forwarded-For` (Go's CanonicalMIMEHeaderKey).
    static func canonical(_ name: String) -> String {
        name.split(separator: "-", omittingEmptySubsequences: false)
            .map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }
            .joined(separator: "-")
    }

    private static func version(_ head: HTTPRequestHead) -> String { "HTTP/\(head.version.major).\(head.version.minor)" }

    /// A JSON string literal.
    static func quote(_ text: String) -> String {
        var out = ""
        Value.writeJSONString(text, into: &out)
        return out
    }
}
