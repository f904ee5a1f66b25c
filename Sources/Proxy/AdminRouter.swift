import Foundation
import GatewayAPI
import Replay

/// One admin API request, already read whole.
public struct AdminRequest: Sendable {
    public var method: String
    /// The path without the query string.
    public var path: String
    public var query: [(name: String, value: String)]
    public var authorization: String?
    public var body: String

    public init(method: String, target: String, authorization: String? = nil, body: String = "") {
        self.method = method
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts[0])
        query = parts.count > 1 ? Self.parseQuery(String(parts[1])) : []
        self.authorization = authorization
        self.body = body
    }

    static func parseQuery(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in (String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)) }
            return (decode(kv[0]), kv.count > 1 ? decode(kv[1]) : "")
        }
    }

    func values(_ name: String) -> [String] { query.filter { $0.name == name }.map(\.value) }
}

/// Auth and dispatch: `AdminRequest` -> `AdminResponse`. No sockets (the server is
/// `AdminServer`), so every endpoint is testable as a function.
public struct AdminRouter: Sendable {
    public let control: AdminControlPlane
    public let config: AdminConfig

    public init(control: AdminControlPlane, config: AdminConfig) {
        self.control = control
        self.config = config
    }

    public func handle(_ request: AdminRequest) -> AdminResponse {
        if let token = config.token, !Self.carriesBearer(token, request.authorization) {
            return .error(401, "missing or wrong bearer token (send 'Authorization: Bearer <token>')")
        }
        let path = request.path
        switch (request.method, path) {
        case ("GET", "/healthz"): return AdminResponse(status: 200, contentType: "text/plain; charset=utf-8", body: "ok\n")
        case ("GET", "/status"): return control.status()
        case ("GET", "/routes"): return control.routes()
        case ("GET", "/metrics"):
            let recorder = control.recorder
            return AdminResponse(status: 200, contentType: MetricsExposition.contentType,
                                 body: MetricsExposition.render(recorder.metrics.snapshot, queueDepth: recorder.queueDepth, dropped: recorder.dropped,
                                                                writeFailures: recorder.writeFailures))
        case ("POST", "/apply"): return control.apply(yaml: request.body)
        case ("POST", "/review"): return review(request)
        case ("DELETE", _) where path.hasPrefix("/resources/"):
            let text = String(path.dropFirst("/resources/".count))
            switch ResourceKinds.parseKey(text) {
            case .success(let key): return control.delete(key)
            case .failure(let error): return .error(400, "/resources/\(text): \(error)")
            }
        case (_, "/healthz"), (_, "/status"), (_, "/routes"), (_, "/metrics"), (_, "/apply"), (_, "/review"):
            return .error(405, "method \(request.method) not allowed on \(path)")
        default:
            return .error(404, "no such endpoint: \(request.method) \(path)")
        }
    }

    /// `Authorization: Bearer <token>`, the scheme in any case (RFC 9110 §11.1).
    static func carriesBearer(_ token: String, _ authorization: String?) -> Bool {
        guard let authorization, let space = authorization.firstIndex(of: " ") else { return false }
        return authorization[..<space].lowercased() == "bearer"
            && authorization[authorization.index(after: space)...].trimmingCharacters(in: .whitespaces) == token
    }

    private func review(_ request: AdminRequest) -> AdminResponse {
        var window = config.defaultReviewWindow
        if let text = request.values("window").last {
            guard let seconds = AdminDuration.seconds(text) else { return .error(400, "window=\(text): expected a duration like 90s, 15m, 1h, more than 0s and at most \(Int(AdminDuration.longest))s") }
            window = seconds
        }
        var gates: [FailOnExpression] = []
        for text in request.values("fail-on") {
            do { gates.append(try FailOnExpression(parsing: text)) } catch { return .error(400, "\(error)") }
        }
        var removals: [ObjectKey] = []
        for text in request.values("without") {
            switch ResourceKinds.parseKey(text) {
            case .success(let key): removals.append(key)
            case .failure(let error): return .error(400, "without=\(text): \(error)")
            }
        }
        let response = ReviewService(control: control).review(yaml: request.body, removals: removals, window: window, gates: gates)
        guard response.status == 200, request.values("format").last == "text" else { return response }
        // ?format=text: just the rendering (for curl).
        guard let value = try? Value.parseJSON(response.body), let text = value["text"]?.stringValue else { return response }
        return AdminResponse(status: 200, contentType: "text/plain; charset=utf-8", body: text)
    }
}
