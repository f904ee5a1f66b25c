import NIOHTTP1

/// Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, so a proxy must
/// not pass them on. Message framing (Content-Length, Transfer-Encoding) is kept: NIO's
/// encoders frame the forwarded body exactly as the headers say.
enum HopByHop {
    static let names: Set<String> = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade",
                                     "proxy-authenticate", "proxy-authorization"]

    /// The header names to drop from `headers`: the fixed list plus every token of `Connection`.
    static func dropped(from headers: HTTPHeaders) -> Set<String> {
        names.union(connectionOptions(headers))
    }

    /// Every option of every `Connection` field, lower-cased (RFC 9110 §7.6.1).
    static func connectionOptions(_ headers: HTTPHeaders) -> [String] {
        headers["connection"].flatMap { $0.split(separator: ",").map { trimmedOWS($0).lowercased() } }
    }

    /// Whether the connection persists after a message with these fields (RFC 9112 §9.3):
    /// never with a `close` option; otherwise on HTTP/1.1, and on HTTP/1.0 only with a
    /// `keep-alive` option. NIO's `isKeepAlive` answers so for a head its parser read, but
    /// for fields built any other way (the byte path's, trimmed ones) it takes an option
    /// given twice for `close`; both paths ask this instead, so they agree.
    static func persists(_ headers: HTTPHeaders, version: HTTPVersion) -> Bool {
        let options = connectionOptions(headers)
        if options.contains("close") { return false }
        return version.major > 1 || (version.major == 1 && version.minor >= 1) || options.contains("keep-alive")
    }
}

/// Trims spaces and tabs (header list elements, RFC 9110 OWS) without Foundation.
func trimmedOWS<S: StringProtocol>(_ text: S) -> String {
    var slice = Substring(text)
    while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
    return String(slice)
}
