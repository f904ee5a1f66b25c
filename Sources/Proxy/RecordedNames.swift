import RoutingCore

/// How a request record names its decision's route, rule and backend, in the event log's
/// conventions (`Kind/ns/name`, `ns/name:port`); the backend only when it forwarded.
struct RecordedNames {
    var route: String?
    var rule: Int?
    var backend: String?

    init() {}

    init(_ decision: Decision) {
        if let route = decision.route {
            self.route = "\(route.kind)/\(route.namespace)/\(route.name)"
            rule = route.rule
        }
        backend = decision.outcome == .forward ? decision.backend?.description : nil
    }
}
