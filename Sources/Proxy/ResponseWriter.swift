import GatewayAPI
import NIOCore
import NIOHTTP1
import RoutingCore

/// The heads and bodies the proxy sends downstream: the backend's response with the
/// decision's header changes applied, or a response of the gateway's own (redirect, CORS
/// preflight, error). Pure functions; the channel handler only writes what they return.
enum ResponseWriter {
    /// The backend's head, cleaned of hop-by-hop headers, with the rule's response header
    /// changes (remove, set, add, in that order: Gateway API's filter semantics) and CORS.
    ///
    /// `version` is the client's: NIO frames the body for it. An HTTP/1.0 client knows no
    /// chunked coding (RFC 9112 §6.1: never send it Transfer-Encoding), so a body of unknown
    /// length reaches it delimited by the close (`needsCloseDelimiting`).
    static func proxiedHead(_ upstream: HTTPResponseHead, edits: ResponseEdits, requestID: String, keepAlive: Bool,
                            version: HTTPVersion = .http1_1) -> HTTPResponseHead {
        var framing: Set<String> = []
        if version == .http1_0 { framing.insert("transfer-encoding") }
        // RFC 9110 §8.6: never a Content-Length on a 1xx or 204, whatever the backend sent
        // (over HTTP/2 it would announce a body the stream then cannot carry).
        if upstream.status.code < 200 || upstream.status == .noContent { framing.formUnion(["content-length", "transfer-encoding"]) }
        var headers = withoutHopByHop(upstream.headers, alsoDropping: framing)
        let changes = edits.headers
        apply(set: changes.set, add: changes.add, remove: changes.remove, to: &headers)
        for header in edits.cors { headers.replaceOrAdd(name: header.name, value: header.value) }
        finish(&headers, requestID: requestID, keepAlive: keepAlive, version: version)
        return HTTPResponseHead(version: version, status: upstream.status, headers: headers)
    }

    /// `headers` without the hop-by-hop fields and the lower-case names in `alsoDropping`
    /// (an informational answer is passed on with just the hop-by-hop ones gone).
    static func withoutHopByHop(_ headers: HTTPHeaders, alsoDropping: Set<String> = []) -> HTTPHeaders {
        let drop = HopByHop.dropped(from: headers).union(alsoDropping)
        var kept = HTTPHeaders()
        for (name, value) in headers where !drop.contains(name.lowercased()) { kept.add(name: name, value: value) }
        return kept
    }

    /// An HTTP/1.0 client can only find the end of a body without Content-Length by the
    /// connection closing (RFC 9112 §6.3): true for such a response (one with a body).
    static func needsCloseDelimiting(_ upstream: HTTPResponseHead, version: HTTPVersion, method: HTTPMethod) -> Bool {
        guard version == .http1_0, method != .HEAD, !upstream.headers.contains(name: "content-length") else { return false }
        let code = upstream.status.code
        return !(100..<200).contains(code) && code != 204 && code != 304
    }

    /// A response of the gateway's own with a short text body (empty for redirects and
    /// preflights). Returns the head and the body bytes.
    static func local(status: Int, body: String, extraHeaders: [HTTPHeader] = [], requestID: String?, keepAlive: Bool,
                      version: HTTPVersion = .http1_1, allocator: ByteBufferAllocator) -> (HTTPResponseHead, ByteBuffer) {
        var headers = HTTPHeaders()
        for header in extraHeaders { headers.replaceOrAdd(name: header.name, value: header.value) }
        let buffer = allocator.buffer(string: body)
        if !body.isEmpty { headers.add(name: "content-type", value: "text/plain; charset=utf-8") }
        headers.add(name: "content-length", value: String(buffer.readableBytes))
        if let requestID { headers.add(name: "x-request-id", value: requestID) }
        addConnection(&headers, keepAlive: keepAlive, version: version)
        return (HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: headers), buffer)
    }

    /// The gateway's own answer to a decision that does not forward (redirect, CORS
    /// preflight, error): status, text body and extra fields; nil for a forward.
    static func localAnswer(_ decision: Decision) -> (status: Int, body: String, headers: [HTTPHeader])? {
        switch decision.outcome {
        case .redirect:
            let redirect = decision.redirect
            let location = redirect.map { [HTTPHeader(name: "location", value: $0.location)] } ?? []
            return (redirect?.status ?? decision.status ?? 302, "", location + (decision.cors?.headers ?? []))
        case .respond:
            return (decision.status ?? 200, "", decision.cors?.headers ?? [])
        case .error:
            let status = decision.status ?? 500
            return (status, errorBody(status: status, reason: decision.reason), [])
        case .forward:
            return nil
        }
    }

    /// The text body of an error outcome: the reason the routing core gave, or a default.
    static func errorBody(status: Int, reason: String?) -> String {
        if status == 404 { return "no route\n" }
        if let reason, !reason.isEmpty { return reason + "\n" }
        return HTTPResponseStatus(statusCode: status).reasonPhrase.lowercased() + "\n"
    }

    /// Applies a response header modifier (taken apart, so this survives the model type's name).
    static func apply(set: [HTTPHeader], add: [HTTPHeader], remove: [String], to headers: inout HTTPHeaders) {
        for name in remove { headers.remove(name: name) }
        for header in set { headers.replaceOrAdd(name: header.name, value: header.value) }
        for header in add { headers.add(name: header.name, value: header.value) }
    }

    private static func finish(_ headers: inout HTTPHeaders, requestID: String, keepAlive: Bool, version: HTTPVersion) {
        if !headers.contains(name: "x-request-id") { headers.add(name: "x-request-id", value: requestID) }
        addConnection(&headers, keepAlive: keepAlive, version: version)
    }

    /// `close` when the connection ends after this response; an HTTP/1.0 client keeps it
    /// only when told `keep-alive` (RFC 9112 §9.3, and its appendix C.2.2).
    private static func addConnection(_ headers: inout HTTPHeaders, keepAlive: Bool, version: HTTPVersion) {
        if !keepAlive { headers.add(name: "connection", value: "close") } else if version == .http1_0 { headers.add(name: "connection", value: "keep-alive") }
    }
}

/// What a proxied response takes from the decision: the rule's response header changes and
/// the CORS headers. The exchange keeps these apart because reading its whole `Decision`
/// for each response would copy it, retaining every string and array it holds. A class:
/// a byte-path route's edits serve every request it takes, handed on with one retain
/// rather than the four of its arrays.
final class ResponseEdits: Sendable {
    let headers: HeaderModifier
    let cors: [HTTPHeader]

    convenience init(_ decision: Decision) {
        self.init(headers: decision.responseHeaders, cors: decision.cors?.headers ?? [])
    }

    init(headers: HeaderModifier, cors: [HTTPHeader]) {
        self.headers = headers
        self.cors = cors
    }

    /// No change to make.
    var isEmpty: Bool { headers.set.isEmpty && headers.add.isEmpty && headers.remove.isEmpty && cors.isEmpty }
}

extension ResponseWriter {
    /// Whether `proxiedHead` would only add `x-request-id` (unless the backend set one) and
    /// `connection: close` to the backend's head: no header changes or CORS on the rule,
    /// no hop-by-hop field to drop, a final status with a body, HTTP/1.1. Returns whether
    /// the backend set `x-request-id`; nil when `proxiedHead` has more to do.
    static func onlyAddsFields(to upstream: HTTPResponseHead, edits: ResponseEdits) -> Bool? {
        guard edits.isEmpty, upstream.version == .http1_1, upstream.status.code >= 200, upstream.status != .noContent else { return nil }
        var hasRequestID = false
        for (name, _) in upstream.headers {
            let lowered = name.lowercased()
            if HopByHop.names.contains(lowered) { return nil }
            if lowered == "x-request-id" { hasRequestID = true }
        }
        return hasRequestID
    }

    /// The byte path's shortcut for `proxiedHead` where it would only add fields
    /// (`onlyAddsFields`, `PlainResponseHead`): the backend's head bytes (`raw`, blank line
    /// included) go on as they are, with those fields added; `bodyRoom` bytes are reserved
    /// behind them for a small body that leaves with the head.
    static func splicedHead(raw: ByteBuffer, hasRequestID: Bool, requestID: String, keepAlive: Bool, bodyRoom: Int = 0,
                            allocator: ByteBufferAllocator) -> ByteBuffer {
        var requestID = requestID
        return requestID.withUTF8 { id in
            raw.withUnsafeReadableBytes { head in
                let fields = UnsafeRawBufferPointer(rebasing: head.dropLast(2))
                let count = fields.count + (hasRequestID ? 0 : 16 + id.count) + (keepAlive ? 0 : 19) + 2
                var out = allocator.buffer(capacity: count + bodyRoom)
                out.writeInOnePiece(count: count) { out in
                    out.put(fields)
                    if !hasRequestID {
                        out.put("x-request-id: ")
                        out.put(UnsafeRawBufferPointer(id))
                        out.put("\r\n")
                    }
                    if !keepAlive { out.put("connection: close\r\n") }
                    out.put("\r\n")
                }
                return out
            }
        }
    }
}
