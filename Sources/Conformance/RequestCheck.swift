import Foundation
import GatewayAPI
import RoutingCore

/// Sends one case request through the routing table and compares what a
/// client and the echo backend would observe with the expectation, following
/// upstream's CompareRoundTrip: status first; then, on a 2xx, backend,
/// namespace and the request the backend saw; on a 3xx, the redirect target.
package enum RequestCheck {
    /// The RouteRequest upstream's client would send.
    static func routeRequest(_ spec: RequestSpec, gateway: ObjectRef, port: Int, scheme: String) -> RouteRequest {
        let grpc = spec.protocol?.lowercased() == "grpc"
        var headers = spec.headers.map { HTTPHeader(name: $0.0, value: $0.1) }
        if grpc, !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            headers.append(HTTPHeader(name: "content-type", value: "application/grpc"))
        }
        let host = (spec.host ?? "").isEmpty ? "\(SuiteRuntime.gatewayAddress):\(port)" : spec.host!
        return RouteRequest(gateway: ObjectKey(kind: "Gateway", namespace: gateway.namespace, name: gateway.name), port: port,
                            scheme: scheme, method: spec.method ?? (grpc ? "POST" : "GET"), host: host,
                            path: spec.path ?? "/", headers: headers, sni: spec.sni)
    }

    static func check(_ r: RequestCase, world: World, table: RoutingTable, key: String) -> [String] {
        if let proto = connectionProtocol(r, world: world) { return checkConnection(r, protocol: proto, table: table, world: world, key: key) }
        let request = routeRequest(r.request, gateway: r.gateway, port: r.port, scheme: r.scheme)
        let decision = table.route(request, key: key)
        let observed = Observed(decision, world: world, backendHeaders: r.expect?.backendSetResponseHeaders ?? [])
        return compare(r, request: request, observed: observed, decision: decision)
            .map { "\($0) (\(observed.route))" }
    }

    static func compare(_ r: RequestCase, request: RouteRequest, observed o: Observed, decision: Decision) -> [String] {
        if r.expectFailure {
            return o.isSuccess ? ["expected a failure, got \(o.status)"] : []
        }
        guard let e = r.expect else {
            // gRPC calls without an expect block must end Unimplemented (no route).
            if r.isGRPC { return o.isSuccess ? ["expected no matching route (gRPC Unimplemented), got \(o.status)"] : [] }
            return o.status == 200 ? [] : ["expected status 200, got \(o.status)"]
        }
        let codes = e.statusCodes.flatMap { $0.isEmpty ? nil : $0 } ?? [200]
        guard codes.contains(o.status) || (Set(codes).isDisjoint(with: [408, 504]) == false && [408, 504].contains(o.status)) else {
            return ["expected status \(codes.map(String.init).joined(separator: " or ")), got \(o.status)"]
        }
        var out: [String] = []
        if o.isSuccess { out += backend(r, e, request: request, observed: o) }
        if o.isRedirect, let redirect = e.redirect { out += self.redirect(redirect, request: request, location: o.location) }
        if let response = e.response { out += self.response(response, headers: o.responseHeaders) }
        if o.isSuccess { out += mirrors(e.mirroredTo, decision: decision) }
        return out
    }

    // MARK: - 2xx: who answered and what it saw

    package static func backend(_ r: RequestCase, _ e: Expectation, request: RouteRequest, observed o: Observed) -> [String] {
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
        guard let seen = o.request, e.backend != "" else { return out }
        let expected = e.request
        if let host = expected?.host, !host.isEmpty, host.lowercased() != seen.host.lowercased() {
            out.append("expected backend to see host \(host), got \(seen.host)")
        }
        let method = expected?.method.flatMap { $0.isEmpty ? nil : $0 } ?? request.method
        if method != seen.method { out.append("expected backend to see method \(method), got \(seen.method)") }
        let path = expected?.path.flatMap { $0.isEmpty ? nil : $0 } ?? request.path
        if path != seen.path { out.append("expected backend to see path \(path), got \(seen.path)") }
        // Without an expected request upstream expects the request as sent, headers included.
        let headers = expected?.headers ?? (r.isGRPC ? [] : r.request.headers)
        for (name, value) in headers {
            guard let actual = Observed.value(of: name, in: seen.headers) else {
                out.append("expected backend to see header \(name): \(value), missing")
                continue
            }
            if Observed.normalize(actual) != Observed.normalize(value) {
                out.append("expected backend to see header \(name): \(value), got \(actual)")
            }
        }
        for name in expected?.absentHeaders ?? [] {
            if let actual = Observed.value(of: name, in: seen.headers) {
                out.append("expected backend not to see header \(name), got \(actual)")
            }
        }
        if let sni = expected?.sni, !sni.isEmpty, sni.lowercased() != (o.backendSNI ?? "").lowercased() {
            out.append("expected the backend to see TLS server name \(sni), got \(o.backendSNI.map { $0 } ?? "no TLS")")
        }
        return out
    }

    // MARK: - 3xx

    package static func redirect(_ want: ExpectedRedirect, request: RouteRequest, location: String?) -> [String] {
        guard let location else { return ["expected a redirect, got no Location"] }
        let got = Location(location)
        var out: [String] = []
        if let host = want.host, host.lowercased() != got.host.lowercased() {
            out.append("expected redirect host \(host), got \(got.host) (Location \(location))")
        }
        let scheme = want.scheme ?? request.scheme
        if scheme.lowercased() != got.scheme.lowercased() {
            out.append("expected redirect scheme \(scheme), got \(got.scheme.isEmpty ? "none" : got.scheme) (Location \(location))")
        }
        if let port = want.port {
            if port != got.port { out.append("expected redirect port \(port), got \(got.port.isEmpty ? "none" : got.port) (Location \(location))") }
        } else {
            let defaultPort = got.scheme.lowercased() == "https" ? "443" : "80"
            if !got.port.isEmpty && got.port != defaultPort {
                out.append("expected redirect port empty or \(defaultPort), got \(got.port) (Location \(location))")
            }
        }
        let path = want.path ?? Location.pathOnly(request.path)
        if path != got.path { out.append("expected redirect path \(path), got \(got.path) (Location \(location))") }
        return out
    }

    /// scheme://host:port/path?query, split as Go's url.Parse would for these.
    struct Location {
        var scheme = "", host = "", port = "", path = ""
        init(_ text: String) {
            var rest = Substring(text)
            if let range = rest.range(of: "://") {
                scheme = String(rest[..<range.lowerBound])
                rest = rest[range.upperBound...]
                let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
                let authority = rest[..<authorityEnd]
                rest = rest[authorityEnd...]
                if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
                    host = String(authority[..<colon])
                    port = String(authority[authority.index(after: colon)...])
                } else {
                    host = String(authority)
                }
            }
            path = Location.pathOnly(String(rest))
        }
        static func pathOnly(_ path: String) -> String { String(path.prefix { $0 != "?" }) }
    }

    // MARK: - Response headers

    package static func response(_ want: ExpectedResponse, headers: [HTTPHeader]) -> [String] {
        var out: [String] = []
        for (name, value) in want.headers {
            guard let actual = Observed.value(of: name, in: headers) else {
                out.append("expected response header \(name): \(value), missing")
                continue
            }
            if Observed.normalize(actual) != Observed.normalize(value) {
                out.append("expected response header \(name): \(value), got \(actual)")
            }
        }
        for name in want.absentHeaders {
            if let actual = Observed.value(of: name, in: headers) { out.append("expected no response header \(name), got \(actual)") }
        }
        for (name, values) in want.validHeaderValues {
            let actual = Observed.value(of: name, in: headers)
            guard let actual, values.contains(where: { Observed.normalize($0) == Observed.normalize(actual) }) else {
                out.append("expected response header \(name) one of [\(values.joined(separator: " | "))], got \(actual ?? "none")")
                continue
            }
        }
        return out
    }

    // MARK: - Mirrors

    static func mirrors(_ wanted: [MirrorExpectation], decision: Decision) -> [String] {
        wanted.compactMap { want in
            guard let mirror = decision.mirrors.first(where: { $0.backend.name == want.name && $0.backend.namespace == want.namespace }) else {
                let have = decision.mirrors.map { $0.backend.description }.joined(separator: ", ")
                return "expected a mirror to \(want.namespace)/\(want.name), got [\(have)]"
            }
            if !mirror.valid { return "mirror to \(want.namespace)/\(want.name) is invalid" }
            if let percent = want.percent {
                if abs(mirror.share * 100 - percent) > 0.01 { return "expected mirror share \(percent)%, got \(mirror.share * 100)%" }
            } else if mirror.share < 0.9999 || !mirror.selected {
                return "expected every request mirrored to \(want.namespace)/\(want.name), got share \(mirror.share) selected \(mirror.selected)"
            }
            return nil
        }
    }

    // MARK: - TLS / TCP connections

    /// A request entry with only an SNI is a TLS connection; so is any request
    /// to a TLS or TCP listener (HTTPS spoken end to end with a passthrough
    /// backend). Returns the listener protocol to route the connection with.
    static func connectionProtocol(_ r: RequestCase, world: World) -> ListenerProtocol? {
        let gatewayKey = ObjectKey(kind: "Gateway", namespace: r.gateway.namespace, name: r.gateway.name)
        var onPort: [ListenerProtocol] = []
        if case .gateway(let gateway)? = world.objects[gatewayKey]?.resource {
            onPort = gateway.listeners.filter { $0.port == r.port }.map(\.protocol)
        }
        if let l4 = onPort.first(where: { $0 == .tls || $0 == .tcp || $0 == .udp }), !onPort.contains(.http), !onPort.contains(.https) {
            return l4
        }
        return r.isConnection ? .tls : nil
    }

    /// The connection succeeds when it is forwarded to a valid backend.
    static func checkConnection(_ r: RequestCase, protocol proto: ListenerProtocol, table: RoutingTable, world: World, key: String) -> [String] {
        let gatewayKey = ObjectKey(kind: "Gateway", namespace: r.gateway.namespace, name: r.gateway.name)
        let decision = table.routeConnection(ConnectionRequest(gateway: gatewayKey, port: r.port, protocol: proto, sni: r.request.sni), key: key)
        let route = decision.route.map { "route \($0)" } ?? "no route" + (decision.reason.map { ": \($0)" } ?? "")
        let chosenValid = decision.backends.first { $0.backend == decision.backend }?.valid ?? true
        let connected = decision.outcome == .forward && decision.backend != nil && chosenValid
        var out: [String] = []
        let wantsSuccess = r.expect?.statusCodes.map { $0.isEmpty || $0.contains { (200..<300).contains($0) } } ?? true
        if r.expectFailure || r.expect == nil || !wantsSuccess {
            if connected { out.append("expected the connection to fail, got backend \(decision.backend!.name)") }
            return out.map { "\($0) (\(route))" }
        }
        guard connected, let backend = decision.backend else {
            return ["expected a connection to a backend, got \(decision.outcome.rawValue)\(decision.status.map { " \($0)" } ?? "") (\(route))"]
        }
        if let want = r.expect?.backend, !want.isEmpty, !world.podName(namespace: backend.namespace, service: backend.name).hasPrefix(want) {
            out.append("expected backend \(want), got \(backend.name)")
        }
        if let want = r.expect?.namespace, !want.isEmpty, want != backend.namespace {
            out.append("expected namespace \(want), got \(backend.namespace)")
        }
        return out.map { "\($0) (\(route))" }
    }
}
