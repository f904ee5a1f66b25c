import GatewayAPI
import NIOHTTP1
import RoutingCore

/// What the backend receives: the decision's request (after filters) as an HTTP/1.1 head,
/// with hop-by-hop headers removed and the X-Forwarded-* family added. Pure, so the exact
/// upstream head is unit-tested without sockets.
enum RequestForwarder {
    /// Facts about the downstream connection that routing does not know.
    struct Client {
        /// Client IP without port.
        var ip: String
        /// The Gateway listener port (spec port, not the local one).
        var listenerPort: Int
        var scheme: String
    }

    /// - Parameters:
    ///   - original: the head as the client sent it.
    ///   - routedHost: the host the routing core was given (to detect a URLRewrite hostname).
    ///   - requestID: the id the exchange is recorded and routed by: the client's first
    ///     `x-request-id`, or a generated one. The backend gets it as the one `x-request-id`
    ///     (a second or empty one from the client would name another request), unless a
    ///     RequestHeaderModifier changed that header: the filter's values go as they are.
    static func upstreamHead(decision: Decision, original: HTTPRequestHead, routedHost: String, client: Client,
                             requestID: String) -> HTTPRequestHead {
        let request = decision.request
        let drop = HopByHop.dropped(from: original.headers)
        let rewritten = request.host != routedHost
        let filteredID = request.headers.filter { $0.name.lowercased() == "x-request-id" }.map(\.value) != original.headers["x-request-id"]
        var headers = HTTPHeaders()
        headers.add(name: "host", value: rewritten ? request.host : (original.headers["host"].first ?? request.host))
        var forwardedFor: [String] = []
        for header in request.headers {
            let name = header.name.lowercased()
            if name == "host" || drop.contains(name) { continue }
            switch name {
            case "x-forwarded-for": forwardedFor.append(header.value)
            case "x-forwarded-host", "x-forwarded-port", "x-forwarded-proto", "x-real-ip": continue
            case "x-request-id" where !filteredID: continue
            default: headers.add(name: header.name, value: header.value)
            }
        }
        forwardedFor.append(client.ip)
        headers.add(name: "x-forwarded-for", value: forwardedFor.joined(separator: ", "))
        headers.add(name: "x-forwarded-host", value: original.headers["host"].first ?? routedHost)
        headers.add(name: "x-forwarded-port", value: String(client.listenerPort))
        headers.add(name: "x-forwarded-proto", value: client.scheme)
        headers.add(name: "x-real-ip", value: client.ip)
        if !filteredID { headers.add(name: "x-request-id", value: requestID) }
        // Neither length nor coding: no body (RFC 9112 §6.3). Said as a length of 0, since
        // NIO's encoder would announce a chunked body for a POST, and a backend that wants a
        // length answers that with 411.
        if original.method != .GET, original.method != .HEAD, !original.headers.contains(name: "content-length"),
           !original.headers.contains(name: "transfer-encoding") {
            headers.add(name: "content-length", value: "0")
        }
        return HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: request.path, headers: headers)
    }
}
