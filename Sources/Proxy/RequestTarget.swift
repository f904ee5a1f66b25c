import NIOHTTP1

/// The request target and Host of an HTTP/1 request, as RFC 9112 §3.2 has a server take
/// them: an absolute-form target (`GET http://host/path`) gives the host, and the Host
/// header is replaced by it; otherwise an HTTP/1.1 request carries exactly one valid
/// Host. Dot segments are removed from the path (RFC 3986 §5.2.4), so `/public/../admin`
/// is routed, and reaches the backend, as the `/admin` it names: otherwise it would match
/// the `/public` rule and skip whatever the `/admin` rule adds. The result is the head as
/// routed, recorded and forwarded (origin-form target).
enum RequestTarget {
    /// The head to route with, or why the request gets a 400.
    static func normalize(_ head: HTTPRequestHead, http2: Bool) -> Result<HTTPRequestHead, Refusal> {
        if head.method == .CONNECT { return .failure(Refusal("CONNECT is not served: this is a gateway, not a forward proxy", status: 405)) }
        var head = head
        // Whitespace around a field value is not part of it (RFC 9110 §5.5). NIO's parser
        // keeps what trails a value, the byte path's does not: trimmed here, both route,
        // check and forward the same values.
        if head.headers.contains(where: { $0.value.utf8.last == 0x20 || $0.value.utf8.last == 0x09 }) {
            head.headers = HTTPHeaders(head.headers.map { ($0.name, trimmedOWS($0.value)) })
        }
        let uri = head.uri
        if let schemeEnd = absoluteFormPrefix(uri) {
            let rest = uri[schemeEnd...]
            let pathStart = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            let authority = String(rest[..<pathStart])
            guard isValidHost(authority) else { return .failure(Refusal("the request target's host \(authority.debugDescription) is not a host")) }
            var target = String(rest[pathStart...])
            if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
            head.uri = withoutDotSegments(target)
            head.headers.replaceOrAdd(name: "host", value: authority)
            return .success(head)
        }
        let target = withoutDotSegments(uri)
        if target != uri { head.uri = target }
        // Origin form only from here: `CONNECT host:port` (authority form), `OPTIONS *`
        // (asterisk form) and URLs of other schemes name nothing a route can match.
        guard uri.utf8.first == UInt8(ascii: "/") else {
            return .failure(Refusal("the request target \(uri.debugDescription) is not a path or an http(s) URL"))
        }
        var host: String?
        for (name, value) in head.headers where isHost(name) {
            if host != nil { return .failure(Refusal(http2 ? ":authority and host name different hosts" : "more than one Host header")) }
            host = value
        }
        if let host {
            guard isValidHost(host) else { return .failure(Refusal("the Host header \(host.debugDescription) is not a host")) }
        } else if !http2 && head.version == .http1_1 {
            return .failure(Refusal("an HTTP/1.1 request needs a Host header"))
        }
        return .success(head)
    }

    /// `name` is `Host` in any case (compared without building a lower-cased copy: this runs
    /// for every header of every request).
    private static func isHost(_ name: String) -> Bool {
        name.utf8.count == 4 && name.utf8.elementsEqual("host".utf8) { $0 | 0x20 == $1 }
    }

    /// `target` with the dot segments of its path removed (`.` and `..`, also written
    /// `%2e`); the query is kept as it is. Targets without any are returned unchanged.
    static func withoutDotSegments(_ target: String) -> String {
        guard target.hasPrefix("/") else { return target }  // `*`, authority form
        // Most paths have no `/.` and no `%`: one pass over the bytes tells.
        var candidate = false, previous: UInt8 = 0
        for byte in target.utf8 {
            if byte == UInt8(ascii: "?") { break }
            if byte == UInt8(ascii: "%") || (byte == UInt8(ascii: ".") && previous == UInt8(ascii: "/")) { candidate = true; break }
            previous = byte
        }
        guard candidate else { return target }
        let queryStart = target.firstIndex(of: "?") ?? target.endIndex
        let path = target[..<queryStart]
        guard path.contains("/.") || path.lowercased().contains("%2e") else { return target }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var output: [Substring] = []
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            switch segment.lowercased().replacingOccurrences(of: "%2e", with: ".") {
            case ".":
                if isLast { output.append("") }  // `/a/.` is `/a/`
            case "..":
                if !output.isEmpty { output.removeLast() }
                if isLast { output.append("") }
            default:
                output.append(segment)
            }
        }
        return "/" + output.joined(separator: "/") + target[queryStart...]
    }

    struct Refusal: Error, Equatable {
        let reason: String
        /// 400, or 405 for a method a gateway does not serve.
        let status: Int
        init(_ reason: String, status: Int = 400) {
            self.reason = reason
            self.status = status
        }
    }

    /// The index after `http://` or `https://` (any case), when `uri` is in absolute form.
    private static func absoluteFormPrefix(_ uri: String) -> String.Index? {
        guard let first = uri.utf8.first, first | 0x20 == UInt8(ascii: "h") else { return nil }  // origin form: `/...`
        for scheme in ["http://", "https://"] where uri.utf8.count >= scheme.utf8.count
            && uri.utf8.prefix(scheme.utf8.count).elementsEqual(scheme.utf8, by: { $0 | 0x20 == $1 | 0x20 }) {
            return uri.utf8.index(uri.startIndex, offsetBy: scheme.utf8.count)
        }
        return nil
    }

    /// `uri-host [":" port]` (RFC 9110 §7.2): non-empty, no userinfo, no characters that
    /// end an authority or cannot appear in one.
    static func isValidHost(_ text: String) -> Bool {
        guard !text.isEmpty else { return false }
        return text.utf8.allSatisfy { byte in
            HeadParser.isVisibleASCII(byte) && !"/\\?#@\"<>{}|^`".utf8.contains(byte)
        }
    }
}
