import GatewayAPI
import RoutingCore

/// The text explanation of a decision: what won, what happens, and every
/// competing match with the reason it lost.
enum DecisionText {
    static func render(_ decision: Decision, request: RouteRequest, key: String) -> String {
        render(decision, title: "\(request.method) \(request.scheme)://\(request.host)\(request.path)  (listener port \(request.port), key \"\(key)\")")
    }

    /// `title` says what was routed: a request, or a TLS/TCP/UDP connection.
    static func render(_ decision: Decision, title: String) -> String {
        var lines: [String] = [title]
        if let listener = decision.listener {
            lines.append(row("listener", "\(listener.gateway.namespace)/\(listener.gateway.name) listener \(listener.name) (port \(listener.port))"))
        } else {
            lines.append(row("listener", "none"))
        }
        if let route = decision.route {
            let name = route.ruleName.map { " (rule name \($0))" } ?? ""
            lines.append(row("route", route.description + name))
        } else {
            lines.append(row("route", "none"))
        }
        switch decision.outcome {
        case .forward:
            lines.append(row("outcome", "forward to \(decision.backend.map(\.description) ?? "?")"))
        case .redirect:
            lines.append(row("outcome", "redirect \(decision.redirect?.status ?? 0) to \(decision.redirect?.location ?? "")"))
        case .respond:
            lines.append(row("outcome", "answered by the gateway with \(decision.status ?? 200) (CORS preflight)"))
        case .error where decision.route?.match == nil && decision.request.method.isEmpty:
            lines.append(row("outcome", "connection refused: \(decision.reason ?? "")"))
        case .error:
            lines.append(row("outcome", "HTTP \(decision.status.map(String.init) ?? "error"): \(decision.reason ?? "")"))
        }
        if !decision.backends.isEmpty {
            for (index, candidate) in decision.backends.enumerated() {
                let chosen = candidate.backend == decision.backend ? "  <- chosen" : ""
                let validity = candidate.valid ? "valid" : "INVALID (\(candidate.invalidReason ?? "unresolved"), answers 500)"
                let share = String(format1(candidate.share * 100)) + "%"
                lines.append(row(index == 0 ? "backends" : "", "\(candidate.backend)  weight \(candidate.weight)  share \(share)  \(validity)\(chosen)"))
            }
        }
        if decision.outcome == .forward, !decision.request.method.isEmpty {  // connections forward bytes, not a request
            let forwarded = decision.request
            lines.append(row("upstream", "\(forwarded.method) \(forwarded.scheme)://\(forwarded.host)\(forwarded.path)"))
            for header in forwarded.headers { lines.append(row("", "\(header.name): \(header.value)")) }
        }
        let changes = decision.responseHeaders
        for header in changes.set { lines.append(row("response", "set \(header.name): \(header.value)")) }
        for header in changes.add { lines.append(row("response", "add \(header.name): \(header.value)")) }
        for name in changes.remove { lines.append(row("response", "remove \(name)")) }
        for header in decision.cors?.headers ?? [] { lines.append(row("cors", "\(header.name): \(header.value)")) }
        for mirror in decision.mirrors {
            lines.append(row("mirror", "\(mirror.backend) share \(format1(mirror.share * 100))%\(mirror.selected ? " (this request is mirrored)" : "")"))
        }
        if let timeout = decision.timeouts.request { lines.append(row("timeout", "request \(timeout)s")) }
        if let timeout = decision.timeouts.backendRequest { lines.append(row("timeout", "backend request \(timeout)s")) }
        if !decision.candidates.isEmpty {
            lines.append("")
            lines.append("candidates, in precedence order:")
            for (index, candidate) in decision.candidates.enumerated() {
                let verdict = candidate.lostBecause.map { "lost: \($0)" } ?? "WON"
                lines.append("  \(index + 1). \(candidate.rule)  [host \(candidate.hostname); \(candidate.summary)]  \(verdict)")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func row(_ label: String, _ value: String) -> String {
        label.padding(toLength: 10) + " " + value
    }

    static func format1(_ value: Double) -> String {
        let scaled = (value * 10).rounded() / 10
        return scaled == scaled.rounded() ? String(Int(scaled)) + ".0" : String(scaled)
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
