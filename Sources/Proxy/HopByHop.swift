import NIOHTTP1

/// Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, so a proxy must
/// not pass them on. Message framing (Content-Length, Transfer-Encoding) is kept: NIO's
/// encoders frame the forwarded body exactly as the headers say.
enum HopByHop {
    static let names: Set<String> = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade",
                                     "proxy-authenticate", "proxy-authorization"]

    /// The header names to drop from `headers`: the fixed list plus every token of `Connection`.
    static func dropped(from headers: HTTPHeaders) -> Set<String> {
        var result = names
        for value in headers["connection"] {
            for token in value.split(separator: ",") {
                result.insert(trimmedOWS(token).lowercased())
            }
        }
        return result
    }
}

/// Trims spaces and tabs (header list elements, RFC 9110 OWS) without Foundation.
func trimmedOWS<S: StringProtocol>(_ text: S) -> String {
    var slice = Substring(text)
    while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
    return String(slice)
}
