import NIOHTTP1

/// How a request body may be framed (RFC 9112 §6): a length or the `chunked` coding
/// alone. Both at once is how requests are smuggled past a proxy; another coding
/// (`gzip, chunked`) would be forwarded with the coding silently dropped; a coding from
/// an HTTP/1.0 client is faulty framing.
enum TransferCoding {
    static func refusal(_ head: HTTPRequestHead) -> (status: Int, reason: String)? {
        let values = head.headers["transfer-encoding"]
        guard !values.isEmpty else { return nil }
        if head.headers.contains(name: "content-length") { return (400, "content-length together with transfer-encoding") }
        if head.version == .http1_0 { return (400, "transfer-encoding in an HTTP/1.0 request") }
        let codings = values.flatMap { $0.split(separator: ",") }.map { trimmedOWS($0).lowercased() }
        guard codings == ["chunked"] else {
            return (501, "transfer coding \(codings.joined(separator: ", ")) not implemented: only chunked is")
        }
        return nil
    }
}
