import Conformance
import Foundation
import GatewayAPI
import RoutingCore

/// What a client and the echo backend observed for one live request.
struct LiveObservation {
    var status = 0
    var error: String?
    var echo: WhoamiEcho?
    /// Service that answered (from the echo), nil when the gateway answered itself.
    var service: ObjectKey?
    var pod: String?
    var location: String?
    var responseHeaders: [(String, String)] = []

    init(error: String) { self.error = error }

    init(response: LiveHTTPClient.Response) {
        status = response.status
        responseHeaders = response.headers
        location = response.header("location")
        if (200..<300).contains(status), response.header("content-type")?.contains("application/json") == true,
           response.header("x-whoami-name") != nil {
            echo = WhoamiEcho(json: response.body)
        }
    }

    var isSuccess: Bool { error == nil && (200..<300).contains(status) }
    var isRedirect: Bool { error == nil && (300..<400).contains(status) }
}

/// The in-process check (Conformance.RequestCheck.compare and its helpers), rewritten
/// against live observations: status first; on a 2xx the backend (pod-name prefix),
/// namespace and the request as the echo saw it; on a 3xx the Location; response headers.
enum LiveCheck {
    static func compare(_ r: RequestCase, observed o: LiveObservation) -> [String] {
        if r.expectFailure { return o.isSuccess ? ["expected a failure, got \(o.status)"] : [] }
        guard let e = r.expect else {
            // gRPC calls without an expect block must end Unimplemented (no route), as in-process.
            if r.isGRPC { return o.isSuccess ? ["expected no matching route (gRPC Unimplemented), got \(o.status)"] : [] }
            return o.status == 200 ? [] : ["expected status 200, got \(o.status)"]
        }
        let codes = e.statusCodes.flatMap { $0.isEmpty ? nil : $0 } ?? [200]
        guard codes.contains(o.status) || (!Set(codes).isDisjoint(with: [408, 504]) && [408, 504].contains(o.status)) else {
            return ["expected status \(codes.map(String.init).joined(separator: " or ")), got \(o.status)"]
        }
        let method = r.request.method ?? "GET"
        let path = r.request.path ?? "/"
        var out: [String] = []
        if o.isSuccess { out += backend(r, e, method: method, path: path, observed: o) }
        if o.isRedirect, let redirect = e.redirect { out += self.redirect(redirect, scheme: r.scheme, path: path, location: o.location) }
        if let response = e.response { out += self.response(response, headers: o.responseHeaders) }
        return out
    }

    /// The in-process runner's backend check, on what the echo backend reported.
    static func backend(_ r: RequestCase, _ e: Expectation, method requestMethod: String, path requestPath: String, observed o: LiveObservation) -> [String] {
        let seen = o.echo.map {
            ForwardedRequest(method: $0.method, scheme: "", host: $0.host, path: $0.path,
                             headers: $0.headers.map { HTTPHeader(name: $0.0, value: $0.1) })
        }
        let observed = Observed(status: o.status, service: o.service.map { BackendRef(namespace: $0.namespace, name: $0.name, port: nil) },
                                pod: o.pod, request: seen, location: o.location,
                                responseHeaders: o.responseHeaders.map { HTTPHeader(name: $0.0, value: $0.1) })
        return RequestCheck.backend(r, e, request: RouteRequest(port: 0, method: requestMethod, host: "", path: requestPath), observed: observed)
    }

    /// The in-process runner's redirect check, on the Location the proxy sent.
    static func redirect(_ want: ExpectedRedirect, scheme requestScheme: String, path requestPath: String, location: String?) -> [String] {
        RequestCheck.redirect(want, request: RouteRequest(port: 0, scheme: requestScheme, host: "", path: requestPath), location: location)
    }

    /// The in-process runner's response-header check, on the headers the proxy sent.
    static func response(_ want: ExpectedResponse, headers: [(String, String)]) -> [String] {
        RequestCheck.response(want, headers: headers.map { HTTPHeader(name: $0.0, value: $0.1) })
    }
}
