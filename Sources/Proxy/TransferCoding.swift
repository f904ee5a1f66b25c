import NIOHTTP1

/// Which request transfer codings the proxy takes (RFC 9112 §6.1): `chunked` alone. A
/// request that announces another coding (`gzip, chunked`) would otherwise be forwarded
/// with the coding silently dropped; one from an HTTP/1.0 client has faulty framing.
enum TransferCoding {
    static func refusal(_ head: HTTPRequestHead) -> (status: Int, reason: String)? {
        let values = head.headers["transfer-encoding"]
        guard !values.isEmpty else { return nil }
        if head.version == .http1_0 { return (400, "transfer-encoding in an HTTP/1.0 request") }
        let codings = values.flatMap { $0.split(separator: ",") }.map { trimmedOWS($0).lowercased() }
        guard codings == ["chunked"] else {
            return (501, "transfer coding \(codings.joined(separator: ", ")) not implemented: only chunked is")
        }
        return nil
    }
}
