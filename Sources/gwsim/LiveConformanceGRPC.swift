import Conformance
import Foundation
import GatewayAPI
import Proxy

/// Live conformance requests that upstream sends over cleartext HTTP/2 with prior knowledge:
/// gRPC calls (`protocol: gRPC`) and `protocol: H2C_PRIOR_KNOWLEDGE`. Sent with `H2CClient`
/// to the proxy's HTTP listener; the proxy detects the HTTP/2 preface.
///
/// A gRPC call is a unary call as upstream's GrpcEcho client makes it: POST to
/// `/package.Service/Method`, `content-type: application/grpc`, `te: trailers`, the metadata
/// as headers, one empty message. Upstream checks the gRPC status (case notes): OK means the
/// whoami gRPC echo answered, and its one message is the JSON echo, read like the HTTP one;
/// a gateway's own answer (e.g. 404 for no matching GRPCRoute) arrives as that HTTP status,
/// which gRPC clients turn into Unimplemented.
enum LiveH2C {
    static func isH2C(_ spec: RequestSpec) -> Bool { spec.protocol.map { isH2C(protocol: $0) } ?? false }

    static func isH2C(protocol proto: String) -> Bool { ["grpc", "h2c_prior_knowledge"].contains(proto.lowercased()) }

    static func send(_ spec: RequestSpec, localPort: Int, authority: String, requestID: String) -> LiveObservation {
        let grpc = spec.protocol?.lowercased() == "grpc"
        var headers: [(String, String)] = []
        if grpc {
            headers.append(("content-type", "application/grpc"))
            headers.append(("te", "trailers"))
        } else {
            headers.append(("accept", "application/json"))
        }
        headers += spec.headers.map { ($0.0.lowercased(), $0.1) }
        if !spec.headers.contains(where: { $0.0.lowercased() == "x-request-id" }) { headers.append(("x-request-id", requestID)) }
        let body = grpc ? GRPCFraming.frame([]) : Array((spec.body ?? "").utf8)
        let response: H2CClient.Response
        do {
            let client = try H2CClient(host: "127.0.0.1", port: localPort)
            defer { client.close() }
            response = try client.send(method: spec.method ?? (grpc ? "POST" : "GET"), path: spec.path ?? "/", authority: authority,
                                       headers: headers, body: body)
        } catch {
            return LiveObservation(error: "\(error)")
        }
        let text = String(decoding: response.body, as: UTF8.self)
        var observation = LiveObservation(response: LiveHTTPClient.Response(status: response.status, headers: response.headers, body: text))
        guard grpc, response.status == 200 else { return observation }
        guard let status = response.grpcStatus else {
            return LiveObservation(error: "gRPC response without grpc-status (HTTP \(response.status))")
        }
        guard status == 0 else {
            return LiveObservation(error: "gRPC status \(status) \(response.trailer("grpc-message") ?? "")")
        }
        if response.header("x-whoami-name") != nil, let message = GRPCFraming.messages(in: response.body)?.first {
            observation.echo = WhoamiEcho(json: String(decoding: message, as: UTF8.self))
        }
        return observation
    }
}
