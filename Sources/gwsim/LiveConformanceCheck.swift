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
        guard let e = r.expect else { return o.status == 200 ? [] : ["expected status 200, got \(o.status)"] }
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

    static func backend(_ r: RequestCase, _ e: Expectation, method requestMethod: String, path requestPath: String, observed o: LiveObservation) -> [String] {
        var out: [String] = []
        let got = o.service.map(\.name) ?? "none (answered by the gateway)"
        if let want = e.backend {
            if want.isEmpty {
                if o.service != nil { out.append("expected no backend (gateway answers), got backend \(got)") }
            } else if !(o.pod ?? "").hasPrefix(want) {
                out.append("expected backend \(want), got \(got)")
            }
        }
        if let want = e.namespace, want != (o.service?.namespace ?? "") {
            out.append("expected namespace \(want.isEmpty ? "none" : want), got \(o.service?.namespace ?? "none")")
        }
        guard let seen = o.echo, e.backend != "" else { return out }
        let expected = e.request
        if let host = expected?.host, !host.isEmpty, host.lowercased() != seen.host.lowercased() {
            out.append("expected backend to see host \(host), got \(seen.host)")
        }
        let method = expected?.method.flatMap { $0.isEmpty ? nil : $0 } ?? requestMethod
        if method != seen.method { out.append("expected backend to see method \(method), got \(seen.method)") }
        let path = expected?.path.flatMap { $0.isEmpty ? nil : $0 } ?? requestPath
        if path != seen.path { out.append("expected backend to see path \(path), got \(seen.path)") }
        let headers = expected?.headers ?? r.request.headers
        for (name, wanted) in headers {
            guard let actual = value(of: name, in: seen.headers) else {
                out.append("expected backend to see header \(name): \(wanted), missing")
                continue
            }
            if normalize(actual) != normalize(wanted) { out.append("expected backend to see header \(name): \(wanted), got \(actual)") }
        }
        for name in expected?.absentHeaders ?? [] {
            if let actual = value(of: name, in: seen.headers) { out.append("expected backend not to see header \(name), got \(actual)") }
        }
        return out
    }

    /// The in-process runner's redirect check, on the Location the proxy sent.
    static func redirect(_ want: ExpectedRedirect, scheme requestScheme: String, path requestPath: String, location: String?) -> [String] {
        RequestCheck.redirect(want, request: RouteRequest(port: 0, scheme: requestScheme, host: "", path: requestPath), location: location)
    }

    /// The in-process runner's response-header check, on the headers the proxy sent.
    static func response(_ want: ExpectedResponse, headers: [(String, String)]) -> [String] {
        RequestCheck.response(want, headers: headers.map { HTTPHeader(name: $0.0, value: $0.1) })
    }

    static func value(of name: String, in headers: [(String, String)]) -> String? {
        Observed.value(of: name, in: headers.map { HTTPHeader(name: $0.0, value: $0.1) })
    }

    static func normalize(_ value: String) -> String { Observed.normalize(value) }
}
