import GatewayAPI

/// When a case cannot be judged by a routing simulator, and why. A skip is
/// better than a pass that checks only the easy half: the reasons name what
/// would be needed. Most reasons are derived from the case data (kinds the
/// loader does not model); the rest are cases whose point only a live proxy
/// or live backend can show, listed by name with the upstream behaviour.
package enum SkipRules {
    /// Cases whose assertions need a live proxy and backend: skipped in process,
    /// run by the live runner (`gwsim conformance --live`).
    static let liveOnly: [String: String] = [
        "HTTPRouteTimeoutRequest": "needs a live backend: the outcome depends on the echo backend delaying its response (request timeout)",
        "HTTPRouteTimeoutBackendRequest": "needs a live backend: the outcome depends on the echo backend delaying its response (backendRequest timeout)",
        "HTTPRouteRetry": "needs a live backend: retries are driven by the status codes the echo backend returns",
        "HTTPRouteBackendProtocolWebSocket": "needs a live proxy: the assertion is a WebSocket exchange; only status is transcribed",
        "GatewayFrontendClientCertificateValidation": "needs a TLS handshake with client certificates",
        "GatewayFrontendClientCertificateValidationInsecureFallback": "needs a TLS handshake with client certificates",
        "GatewayFrontendInvalidDefaultClientCertificateValidation": "needs a TLS handshake that must fail (client certificate validation)",
    ]

    /// Cases whose assertions need an implementation choice or capability neither
    /// runner has.
    static let neverJudged: [String: String] = [
        "TLSRouteListenerTerminateNotSupported":
            "conditional: upstream checks nothing when the implementation supports TLSRouteModeTerminate, which gwsim models",
        "TLSRouteListenerMixedTerminationNotSupported":
            "conditional: upstream checks nothing when the implementation supports TLSRouteModeMixed, which gwsim models",
    ]

    /// A reason from the case file alone, before any manifest is loaded.
    /// `live`: for the live runner, which judges the `liveOnly` cases.
    package static func reason(for c: CaseFile, live: Bool = false) -> String? {
        if c.captured == "none" { return "captured: none (the upstream test is not transcribed)" }
        if !live, let reason = liveOnly[c.name] { return reason }
        if let reason = neverJudged[c.name] { return reason }
        for step in c.steps {
            for s in step.status {
                if !StatusCheck.checkedKinds.contains(s.kind) { return "needs \(s.kind) (not simulated)" }
                for p in s.parents where !["Gateway", "ListenerSet"].contains(p.parentRef.kind ?? "Gateway") {
                    return "needs \(p.parentRef.kind!) (not simulated)"
                }
            }
        }
        return nil
    }

    /// A reason from the loaded world: Gateway API kinds in the case's
    /// manifests that the loader does not model change what the case expects.
    package static func reason(for world: World) -> String? {
        let kinds = world.others.filter { key, raw in
            (raw["apiVersion"]?.scalarText ?? "").hasPrefix("gateway.networking") && key.kind != "Deployment"
        }.map(\.key.kind)
        guard let kind = Set(kinds).sorted().first else { return nil }
        return "needs \(kind) (not simulated)"
    }
}
