import Conformance
import Foundation
import GatewayAPI
import Proxy
import RoutingCore

/// `gwsim conformance DIR --live`: the conformance cases over real HTTP(S). For each case the
/// world is built as the in-process runner builds it and applied, step by step, through the
/// admin API of a controller proxy (`LiveController`), whose `GET /status` is checked with
/// the in-process `StatusCheck`. Every Service gets an in-process
/// `WhoamiServer` named as upstream names the backend (its pod name), and one
/// `GatewayProxy` per addressed Gateway (the proxy routes by port and Host only, and many
/// suite Gateways share port 80, so each proxy sees only its Gateway) forwards to them, its
/// listener ports moved to ephemeral local ports. Requests go over sockets; what the
/// whoami echo saw is compared with the case exactly as the in-process check compares the
/// simulated observation. Steps swap the proxies' resources.
struct LiveConformanceRunner {
    var directory: String
    var maxDifferences = 5
    /// Cases run concurrently (each has its own backends and proxies on ephemeral ports).
    var concurrency = 4
    /// Tries per request check (see `checkEventually`).
    var requestAttempts = 3
    /// Whether HTTPS requests are sent (the proxy terminates TLS on HTTPS listeners).
    var proxySupportsTLS = true

    static let options = SuiteRuntime.compileOptions

    func path(_ relative: String) -> String { (directory as NSString).appendingPathComponent(relative) }

    func run(profile: String? = nil, caseName: String? = nil) -> ConformanceReport {
        let suite = ConformanceRunner(directory: directory)
        let (cases, errors) = suite.selectCases(profile: profile, caseName: caseName)
        let base = suite.baseWorld()
        let results = LiveBox([CaseResult?](repeating: nil, count: cases.count))
        let next = LiveBox(0)
        let lock = NSLock()
        let workers = max(1, min(concurrency, cases.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                lock.lock()
                let i = next.value
                next.value += 1
                lock.unlock()
                guard i < cases.count else { return }
                let result = self.run(cases[i], base: base)
                lock.lock()
                results.value[i] = result
                lock.unlock()
            }
        }
        return ConformanceReport(cases: results.value.compactMap { $0 }, errors: errors, mode: "live")
    }

    // MARK: - One case

    func run(_ c: CaseFile, base: World) -> CaseResult {
        var result = CaseResult(name: c.name, profile: c.profile, level: c.level, file: c.file, outcome: .passed)
        if let reason = SkipRules.reason(for: c, live: true) {
            result.outcome = .skipped(reason)
            return result
        }
        var world = base
        for manifest in c.manifests { world.apply(file: path(manifest)) }
        if let reason = SkipRules.reason(for: world) {
            result.outcome = .skipped(reason)
            return result
        }
        // Status first, every step through the controller proxy's admin API; then the traffic.
        let status = checkStatus(c, world: world)
        let webSocketProbe = SuiteRuntime.webSocketProbes[c.name]
        let sendsTraffic = webSocketProbe != nil || c.steps.contains { !$0.requests.isEmpty || !$0.distributions.isEmpty }
        if !sendsTraffic {
            if !status.differences.isEmpty { result.outcome = .failed(shown(status.differences)) }
            return result
        }
        if LiveTLSCase.applies(to: c, world: world) {
            return merge(status, into: LiveTLSCase(runner: self, c: c).run(world: world, result: result))
        }
        // Every Service of every step gets a backend before the proxies start (overrides are fixed at init).
        var everyStep = world
        for (n, step) in c.steps.enumerated() { apply(step, of: c, index: n, to: &everyStep) }
        let backends = LiveBackends(world: everyStep)
        defer { backends.stop() }
        if let error = backends.startError {
            result.outcome = .failed(["cannot start backends: \(error)"])
            return result
        }
        let proxies = LiveProxies(config: backends.proxyConfig)
        defer { proxies.stopAll() }

        var differences: [String] = []
        var skippedRequests: [String] = []
        var ran = 0
        for (n, step) in c.steps.enumerated() {
            let label = "step \(n + 1)"
            apply(step, of: c, index: n, to: &world)
            proxies.update(world: world)
            for (m, request) in step.requests.enumerated() {
                if let reason = unrunnable(request, world: world) {
                    skippedRequests.append("\(label) request \(m + 1): \(reason)")
                    continue
                }
                ran += 1
                let id = "\(c.name)/\(n + 1)/\(m + 1)"
                let certificates = SuiteRuntime.clientCertificates[c.name]?[n] ?? []
                differences += checkEventually(request, world: world, proxies: proxies, backends: backends, requestID: id,
                                               clientCertificate: m < certificates.count ? certificates[m] : nil)
                    .map { "\(label) request \(m + 1) \(describe(request)): \($0)" }
            }
            if let probe = webSocketProbe, probe.step == n {
                ran += 1
                differences += checkWebSocket(probe, proxies: proxies).map { "\(label) WebSocket \(probe.path): \($0)" }
            }
            for (d, distribution) in step.distributions.enumerated() {
                if let reason = unrunnable(distribution) {
                    skippedRequests.append("\(label) distribution \(d + 1): \(reason)")
                    continue
                }
                ran += 1
                differences += checkDistribution(distribution, world: world, proxies: proxies, backends: backends,
                                                 keyPrefix: "\(c.name)/\(n + 1)/d\(d + 1)")
                    .map { "\(label) distribution \(d + 1): \($0)" }
            }
        }
        if !differences.isEmpty {
            var shown = shown(differences)
            if !skippedRequests.isEmpty { shown.append("(\(skippedRequests.count) request(s) not sent: \(skippedRequests[0]))") }
            result.outcome = .failed(shown)
        } else if !skippedRequests.isEmpty {
            let first = skippedRequests[0]
            result.outcome = .skipped(ran == 0 ? first : "\(skippedRequests.count) of \(skippedRequests.count + ran) checks not runnable live (\(first)); the other \(ran) passed")
        }
        return merge(status, into: result)
    }

    /// The probe's exchange, `repetitions` times in a row (retried like requests, see `checkEventually`).
    func checkWebSocket(_ probe: SuiteRuntime.WebSocketProbe, proxies: LiveProxies) -> [String] {
        let gateway = ObjectKey(kind: "Gateway", namespace: probe.gateway.namespace, name: probe.gateway.name)
        guard let port = proxies.localPort(gateway: gateway, listenerPort: probe.port) else {
            return ["gateway \(gateway.namespace)/\(gateway.name) serves nothing on port \(probe.port)"]
        }
        let host = "\(SuiteRuntime.gatewayAddress):\(probe.port)"
        var found: [String] = []
        for attempt in 1...requestAttempts {
            if attempt > 1 { usleep(100_000) }
            found = []
            for _ in 0..<probe.repetitions where found.isEmpty {
                found = LiveWebSocketProbe.exchange(probe, port: port, host: host)
            }
            if found.isEmpty { break }
        }
        return found
    }

    /// At most `maxDifferences` of them, and how many more.
    func shown(_ differences: [String]) -> [String] {
        var shown = Array(differences.prefix(maxDifferences))
        if differences.count > maxDifferences { shown.append("... and \(differences.count - maxDifferences) more") }
        return shown
    }

    // MARK: - Status

    /// Applies each step through the admin API of a controller proxy holding every object
    /// (`LiveController`) and checks its `GET /status` answer with the in-process
    /// `StatusCheck`; load errors count as in process. `checks`: steps with expectations.
    func checkStatus(_ c: CaseFile, world initial: World) -> (differences: [String], checks: Int) {
        var world = initial
        let controller: LiveController
        do { controller = try LiveController(config: ProxyConfig(eventLoopThreads: 1, drainTimeout: .seconds(1))) } catch {
            return (["cannot start the controller proxy's admin API: \(error)"], 1)
        }
        defer { controller.stop() }
        var differences: [String] = []
        var checks = 0
        var reportedErrors = 0
        for (n, step) in c.steps.enumerated() {
            let label = "step \(n + 1)"
            differences += apply(step, of: c, index: n, to: &world).map { "\(label): \($0)" }
            differences += world.errors.dropFirst(reportedErrors).map { "\(label): load error: \($0)" }
            reportedErrors = world.errors.count
            differences += controller.sync(world).map { "\(label): \($0)" }
            guard !step.status.isEmpty else { continue }
            checks += 1
            switch controller.status() {
            case .success(let report):
                differences += StatusCheck.check(step.status, report: report) { world.objects[$0]?.resource.meta.generation }
                    .map { "\(label) status: \($0)" }
            case .failure(let error):
                differences.append("\(label) status: \(error)")
            }
        }
        return (differences, checks)
    }

    /// A traffic result with the status result: status differences fail the case; a skip
    /// says that the status checks passed.
    func merge(_ status: (differences: [String], checks: Int), into result: CaseResult) -> CaseResult {
        var result = result
        switch result.outcome {
        case .passed:
            if !status.differences.isEmpty { result.outcome = .failed(shown(status.differences)) }
        case .failed(let reasons):
            if !status.differences.isEmpty { result.outcome = .failed(shown(status.differences) + reasons) }
        case .skipped(let reason):
            if !status.differences.isEmpty {
                result.outcome = .failed(shown(status.differences) + ["(traffic not checked: \(reason))"])
            } else if status.checks > 0 {
                result.outcome = .skipped("\(reason) (status checks of \(status.checks) step(s) passed)")
            }
        }
        return result
    }

    @discardableResult
    func apply(_ step: CaseStep, of c: CaseFile, index n: Int, to world: inout World) -> [String] {
        var out: [String] = []
        for file in step.apply { world.apply(file: path(file)) }
        if let text = SuiteRuntime.stepObjects[c.name]?[n] { world.apply(text: text, file: "<runner>/\(c.name)-step\(n + 1).yaml") }
        for ref in step.delete where !world.delete(ref) { out.append("delete \(ref.kind) \(ref.namespace)/\(ref.name): no such object") }
        for patch in step.patch {
            do {
                let value = try YAMLValue.parse(SuiteRuntime.substitute(patch.yaml))
                if let error = world.patch(patch.target, with: value) { out.append(error) }
            } catch { out.append("patch of \(patch.target.kind) \(patch.target.name) is not YAML: \(error)") }
        }
        return out
    }

    /// Why a request cannot be sent over plain HTTP/1.1 to this proxy, if it cannot.
    func unrunnable(_ r: RequestCase, world: World) -> String? {
        let gatewayKey = ObjectKey(kind: "Gateway", namespace: r.gateway.namespace, name: r.gateway.name)
        var onPort: [ListenerProtocol] = []
        if case .gateway(let gateway)? = world.objects[gatewayKey]?.resource {
            onPort = gateway.listeners.filter { $0.port == r.port }.map(\.protocol)
        }
        if r.isConnection || (onPort.contains { $0 == .tls || $0 == .tcp || $0 == .udp } && !onPort.contains(.http) && !onPort.contains(.https)) {
            return "needs a TLS/TCP connection (the proxy serves HTTP only)"
        }
        if r.scheme.lowercased() == "https" && !proxySupportsTLS { return "needs HTTPS (the proxy serves HTTP only)" }
        if let proto = r.request.protocol, !proto.isEmpty, !Self.isSupported(protocol: proto, scheme: r.scheme) {
            return "needs \(proto) (the live runner speaks HTTP/1.1, h2c and gRPC over cleartext, and HTTP/2 over TLS)"
        }
        return nil
    }

    func unrunnable(_ d: DistributionCase) -> String? {
        if d.scheme.lowercased() == "https" && !proxySupportsTLS { return "needs HTTPS (the proxy serves HTTP only)" }
        if let proto = d.request.protocol, !proto.isEmpty, !Self.isSupported(protocol: proto, scheme: d.scheme) {
            return "needs \(proto) (the live runner speaks HTTP/1.1, h2c and gRPC over cleartext, and HTTP/2 over TLS)"
        }
        return nil
    }

    /// HTTP/1.1, or H2 on an HTTPS request (ALPN h2).
    static func isSupported(protocol proto: String, scheme: String) -> Bool {
        proto.uppercased() == "HTTP/1.1" || (proto.uppercased() == "H2" && scheme.lowercased() == "https")
            || (LiveH2C.isH2C(protocol: proto) && scheme.lowercased() == "http")
    }

    func describe(_ r: RequestCase) -> String {
        let host = (r.request.host ?? "").isEmpty ? "<gateway>" : r.request.host!
        return "(\(r.request.method ?? "GET") \(r.scheme)://\(host):\(r.port)\(r.request.path ?? "/"))"
    }

    // MARK: - Requests

    func send(_ spec: RequestSpec, scheme: String, gateway: ObjectRef, port: Int, proxies: LiveProxies, requestID: String,
              clientCertificate: String? = nil) -> LiveObservation {
        let gatewayKey = ObjectKey(kind: "Gateway", namespace: gateway.namespace, name: gateway.name)
        guard let local = proxies.localPort(gateway: gatewayKey, listenerPort: port) else {
            return LiveObservation(error: "gateway \(gateway.namespace)/\(gateway.name) serves no HTTP(S) listener on port \(port) (connection refused)")
        }
        let host = (spec.host ?? "").isEmpty ? "\(SuiteRuntime.gatewayAddress):\(port)" : spec.host!
        if LiveH2C.isH2C(spec), scheme.lowercased() == "http" { return LiveH2C.send(spec, localPort: local, authority: host, requestID: requestID) }
        var headers: [(String, String)] = [("Host", host)]
        headers += spec.headers
        if !spec.headers.contains(where: { $0.0.lowercased() == "x-request-id" }) { headers.append(("X-Request-Id", requestID)) }
        headers.append(("Accept", "application/json"))
        do {
            let response = scheme.lowercased() == "https" && spec.protocol?.uppercased() == "H2"
                ? try LiveHTTP2Client.send(host: "127.0.0.1", port: local, serverName: spec.sni ?? ServerName.forAuthority(host),
                                           clientCertificate: clientCertificate,
                                           method: spec.method ?? "GET", target: spec.path ?? "/", headers: headers, body: spec.body)
                : scheme.lowercased() == "https"
                ? try LiveHTTPSClient.send(host: "127.0.0.1", port: local, serverName: spec.sni ?? ServerName.forAuthority(host),
                                           clientCertificate: clientCertificate,
                                           method: spec.method ?? "GET", target: spec.path ?? "/", headers: headers, body: spec.body)
                : try LiveHTTPClient.send(host: "127.0.0.1", port: local, method: spec.method ?? "GET", target: spec.path ?? "/",
                                          headers: headers, body: spec.body)
            return LiveObservation(response: response)
        } catch {
            return LiveObservation(error: "\(error)")
        }
    }

    /// The request as upstream's client sends it: the headers asking the echo backend to set
    /// response headers (MakeRequest), and a fresh `uuid` for a retry probe (each probe of
    /// HTTPRouteRetry is counted apart by the echo backend).
    func upstreamRequest(_ r: RequestCase, requestID: String) -> RequestSpec {
        var spec = r.request
        let setHeaders = r.expect?.backendSetResponseHeaders ?? []
        if !setHeaders.isEmpty {
            spec.headers.append(("X-Echo-Set-Header", setHeaders.map { "\($0.0):\($0.1)" }.joined(separator: ",")))
        }
        if let path = spec.path, path.contains("succeedAfter=") {
            spec.path = path + "&uuid=" + (requestID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? requestID)
        }
        return spec
    }

    /// Upstream's request helpers wait for the expected answer (MakeRequestAndExpectEventually
    /// ConsistentResponse): a check that fails is sent again, a few times, before its last
    /// differences count. On a loaded machine this absorbs a slow answer near a route timeout.
    func checkEventually(_ r: RequestCase, world: World, proxies: LiveProxies, backends: LiveBackends, requestID: String,
                         clientCertificate: String? = nil) -> [String] {
        var found = check(r, world: world, proxies: proxies, backends: backends, requestID: requestID, clientCertificate: clientCertificate)
        var attempt = 1
        while !found.isEmpty && attempt < requestAttempts {
            usleep(100_000)
            attempt += 1
            found = check(r, world: world, proxies: proxies, backends: backends, requestID: "\(requestID)#\(attempt)",
                          clientCertificate: clientCertificate)
        }
        return found
    }

    /// - Parameter clientCertificate: the stand-in Secret an HTTPS client presents (`SuiteRuntime.clientCertificates`).
    func check(_ r: RequestCase, world: World, proxies: LiveProxies, backends: LiveBackends, requestID: String,
               clientCertificate: String? = nil) -> [String] {
        let mirrorCounts = r.expect?.mirroredTo.map { backends.requests(namespace: $0.namespace, name: $0.name) } ?? []
        // Checked against the request as sent: upstream compares with its own request, uuid included.
        var sent = r
        sent.request = upstreamRequest(r, requestID: requestID)
        var o = send(sent.request, scheme: r.scheme, gateway: r.gateway, port: r.port, proxies: proxies, requestID: requestID,
                     clientCertificate: clientCertificate)
        backends.identify(&o)
        if let error = o.error {
            if r.expectFailure { return [] }
            return ["no response: \(error)"]
        }
        // Upstream's TLS failure checks (MakeTLSRequestAndExpectFailureResponse) want no HTTP answer at all.
        if r.expectFailure && r.scheme.lowercased() == "https" { return ["expected the TLS connection to fail, got HTTP \(o.status)"] }
        var out = LiveCheck.compare(sent, observed: o)
        if o.isSuccess, let mirrors = r.expect?.mirroredTo, !mirrors.isEmpty {
            for (mirror, before) in zip(mirrors, mirrorCounts) where mirror.percent == nil || mirror.percent! >= 100 {
                guard let before else {
                    out.append("mirror backend \(mirror.namespace)/\(mirror.name) does not exist")
                    continue
                }
                let deadline = Date().addingTimeInterval(2)
                while backends.requests(namespace: mirror.namespace, name: mirror.name)! <= before && Date() < deadline { usleep(5_000) }
                if backends.requests(namespace: mirror.namespace, name: mirror.name)! <= before {
                    out.append("expected a mirror to \(mirror.namespace)/\(mirror.name), it received nothing")
                }
            }
        }
        return out
    }

    func checkDistribution(_ dist: DistributionCase, world: World, proxies: LiveProxies, backends: LiveBackends, keyPrefix: String) -> [String] {
        DistributionCheck.evaluate(dist) { i in
            var o = send(dist.request, scheme: dist.scheme, gateway: dist.gateway, port: dist.port, proxies: proxies, requestID: "\(keyPrefix)-\(i)")
            backends.identify(&o)
            return DistributionCheck.Sample(pod: o.isSuccess ? o.pod : nil, service: o.service?.name,
                                            failure: o.error.map { _ in "no response" } ?? String(o.status))
        }
    }
}

// MARK: - Backends and proxies of one case

/// One `WhoamiServer` per Service, named by the Service's pod name (upstream's backend
/// identity), each on its own loopback address (127.0.0.2, ...) so that two Services whose
/// pods share a name in different namespaces are still told apart by the echo's `listen`.
final class LiveBackends: @unchecked Sendable {
    private(set) var servers: [ObjectKey: (server: WhoamiServer, endpoint: Endpoint)] = [:]
    private var byAddress: [String: ObjectKey] = [:]
    private var byName: [String: ObjectKey] = [:]
    private(set) var startError: String?

    init(world: World) {
        for (i, key) in world.services.enumerated() {
            let pod = world.podName(namespace: key.namespace, service: key.name)
            var host = i < 250 ? "127.0.0.\(i + 2)" : "127.0.0.1"
            var server = WhoamiServer(name: pod, host: host, port: 0)
            var endpoint = try? server.start(threads: 1)
            if endpoint == nil {
                host = "127.0.0.1"
                server = WhoamiServer(name: pod, host: host, port: 0)
                endpoint = try? server.start(threads: 1)
            }
            guard let endpoint else {
                startError = "whoami for \(key.namespace)/\(key.name) did not bind"
                return
            }
            servers[key] = (server, endpoint)
            if host != "127.0.0.1" { byAddress[host] = key }
            if byName[pod] == nil { byName[pod] = key }
        }
    }

    var proxyConfig: ProxyConfig {
        var overrides: [String: [Endpoint]] = [:]
        for (key, value) in servers { overrides["\(key.namespace)/\(key.name)"] = [value.endpoint] }
        return ProxyConfig(backendOverrides: overrides, eventLoopThreads: 1, drainTimeout: .seconds(1))
    }

    /// Fills in which Service answered, from the echo.
    func identify(_ o: inout LiveObservation) {
        guard let echo = o.echo else { return }
        o.pod = echo.name
        o.service = byAddress[echo.listen] ?? byName[echo.name]
    }

    func requests(namespace: String, name: String) -> Int? {
        servers[ObjectKey(kind: "Service", namespace: namespace, name: name)]?.server.stats.requests
    }

    func stop() { for (_, value) in servers { value.server.stop() } }
}

/// One `GatewayProxy` per Gateway a case sends to, started on first use.
final class LiveProxies: @unchecked Sendable {
    private let config: ProxyConfig
    private var world: World?
    private var proxies: [ObjectKey: (proxy: GatewayProxy, ports: [Int: Int])] = [:]

    init(config: ProxyConfig) { self.config = config }

    /// A new step: swap every running proxy's resources (restart when listener ports appear).
    func update(world: World) {
        self.world = world
        for gateway in proxies.keys.sorted() { refresh(gateway) }
    }

    func localPort(gateway: ObjectKey, listenerPort: Int) -> Int? {
        if proxies[gateway] == nil { refresh(gateway) }
        return proxies[gateway]?.ports[listenerPort]
    }

    /// The listener ports the proxy binds: HTTP, and HTTPS it has a certificate for.
    private func httpPorts(_ resources: ResourceSet) -> Set<Int> {
        let world = GatewayProxy.world(resources: resources, config: config, options: LiveConformanceRunner.options)
        return Set(world.table.allListeners.filter {
            $0.protocol == .http || ($0.protocol == .https && world.tls.serves(listener: $0.ref.description, port: $0.ref.port))
        }.map(\.ref.port))
    }

    private func refresh(_ gateway: ObjectKey) {
        guard let world else { return }
        let resources = world.resources(onlyGateway: gateway)
        let ports = httpPorts(resources)
        if let running = proxies[gateway], ports.isSubset(of: Set(running.ports.keys)) {
            running.proxy.swap(resources: resources, options: LiveConformanceRunner.options)
            return
        }
        proxies[gateway]?.proxy.stop()
        proxies[gateway] = nil
        var config = self.config
        config.portMap = Dictionary(uniqueKeysWithValues: ports.map { ($0, 0) })
        let proxy = GatewayProxy(resources: resources, config: config, compileOptions: LiveConformanceRunner.options)
        guard let bound = try? proxy.start() else { return }
        proxies[gateway] = (proxy, Dictionary(uniqueKeysWithValues: bound.map { ($0.listenerPort, $0.address.port) }))
    }

    func stopAll() {
        for (_, value) in proxies { value.proxy.stop() }
        proxies = [:]
    }
}

final class LiveBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
