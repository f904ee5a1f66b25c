import Conformance
import Foundation
import GatewayAPI
import NIOCore
import NIOPosix
import NIOSSL
import Proxy
import RoutingCore

/// The live run of cases that need real TLS: connections through TLS listeners (Passthrough
/// and Terminate, TLSRoute) and gateway-to-backend TLS (BackendTLSPolicy).
///
/// The suite's stand-in certificates are real key pairs (`SuiteCertificates`): backends
/// serve the Secret their pods mount, clients trust `SuiteCertificates.trustRoots`. Every
/// Service port gets its own backend, as the suite's pods serve them: a Service whose pods
/// run the TCP echo (`TCP_ECHO_SERVER`) gets an `EchoStreamServer`, TLS on ports named
/// `*tls*`; any other gets a `WhoamiServer`, serving TLS when its pods mount a certificate
/// Secret. Each addressed Gateway gets a `GatewayProxy` with every listener port moved to an
/// ephemeral one. A connection request (only an SNI) dials TLS with that SNI, trusting the
/// suite CA, and speaks the echo protocol (`TEST` names the pod); an HTTP request on a TLS
/// listener is sent over such a connection; other HTTP requests go in plain text and the
/// backend-side SNI is read from `X-Whoami-TLS-Server-Name`.
struct LiveTLSCase {
    let runner: LiveConformanceRunner
    let c: CaseFile

    /// Whether this runner owns the case: a BackendTLSPolicy, or a request to a TLS listener.
    static func applies(to c: CaseFile, world: World) -> Bool {
        if world.has(kind: "BackendTLSPolicy") { return true }
        return c.steps.contains { step in step.requests.contains { onTLSListener($0, world: world) } }
    }

    static func onTLSListener(_ r: RequestCase, world: World) -> Bool {
        let key = ObjectKey(kind: "Gateway", namespace: r.gateway.namespace, name: r.gateway.name)
        guard case .gateway(let gateway)? = world.objects[key]?.resource else { return false }
        return gateway.listeners.contains { $0.port == r.port && $0.protocol == .tls }
    }

    func run(world initial: World, result: CaseResult) -> CaseResult {
        var result = result
        var world = initial
        var everyStep = world
        for (n, step) in c.steps.enumerated() { runner.apply(step, of: c, index: n, to: &everyStep) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let backends = LiveTLSBackends(world: everyStep)
        defer { backends.stop() }
        if let error = backends.startError {
            result.outcome = .failed(["cannot start backends: \(error)"])
            return result
        }
        let proxies = LiveTLSProxies(overrides: backends.overrides, ports: everyStep.listenerPorts)
        defer { proxies.stopAll() }
        let trust = SuiteCertificates.trustRoots.compactMap { try? NIOSSLCertificate(bytes: Array($0.utf8), format: .pem) }

        var differences: [String] = []
        var notSent: [String] = []
        var ran = 0
        for (n, step) in c.steps.enumerated() {
            let label = "step \(n + 1)"
            differences += runner.apply(step, of: c, index: n, to: &world).map { "\(label): \($0)" }
            proxies.update(world: world)
            for (m, request) in step.requests.enumerated() {
                let tlsListener = Self.onTLSListener(request, world: world)
                let overTLS = tlsListener || request.scheme.lowercased() == "https"
                if !overTLS, let reason = runner.unrunnable(request, world: world) {
                    notSent.append("\(label) request \(m + 1): \(reason)")
                    continue
                }
                ran += 1
                let found: [String]
                let gateway = ObjectKey(kind: "Gateway", namespace: request.gateway.namespace, name: request.gateway.name)
                guard let port = proxies.localPort(gateway: gateway, listenerPort: request.port) else {
                    found = request.expectFailure ? [] : ["gateway serves nothing on port \(request.port)"]
                    differences += found.map { "\(label) request \(m + 1): \($0)" }
                    continue
                }
                if tlsListener && request.isConnection {
                    found = checkEcho(request, port: port, trust: trust, group: group, world: world)
                } else if overTLS {
                    found = checkHTTPOverTLS(request, port: port, trust: trust, group: group, backends: backends)
                } else {
                    found = checkHTTP(request, port: port, backends: backends, id: "\(c.name)/\(n + 1)/\(m + 1)")
                }
                differences += found.map { "\(label) request \(m + 1) \(runner.describe(request)): \($0)" }
            }
            for (d, _) in step.distributions.enumerated() {
                notSent.append("\(label) distribution \(d + 1): not run with TLS listeners or backend TLS")
            }
        }
        if !differences.isEmpty {
            var shown = Array(differences.prefix(runner.maxDifferences))
            if differences.count > runner.maxDifferences { shown.append("... and \(differences.count - runner.maxDifferences) more") }
            result.outcome = .failed(shown)
        } else if !notSent.isEmpty {
            result.outcome = .skipped(ran == 0 ? notSent[0] : "\(notSent.count) of \(notSent.count + ran) checks not runnable live (\(notSent[0])); the other \(ran) passed")
        }
        return result
    }

    // MARK: - Checks

    /// The suite's TCP echo exchange over TLS: welcome, PING/PONG, TEST naming pod and namespace.
    func checkEcho(_ r: RequestCase, port: Int, trust: [NIOSSLCertificate], group: any EventLoopGroup, world: World) -> [String] {
        let sni = r.request.sni ?? ""
        let client: LiveStreamClient
        do { client = try LiveStreamClient.connect(port: port, sni: sni, trust: trust, group: group) } catch {
            return r.expectFailure ? [] : ["cannot connect with SNI \(sni): \(error)"]
        }
        defer { client.close() }
        guard let welcome = client.readLine(), welcome.hasPrefix("gwsim stream echo") else {
            return r.expectFailure ? [] : ["no echo welcome with SNI \(sni)\(client.failure.map { ": \($0)" } ?? "")"]
        }
        client.send("PING\nIS_TLS\nTEST\n")
        let pong = client.readLine()
        let isTLS = client.readLine()
        guard pong == "PONG", let test = client.readLine(),
              let json = try? JSONSerialization.jsonObject(with: Data(test.utf8)) as? [String: Any] else {
            return r.expectFailure ? [] : ["the echo did not answer PING/TEST"]
        }
        if r.expectFailure { return ["expected the connection to fail, the echo of \(json["pod"] ?? "?") answered"] }
        var out: [String] = []
        let pod = json["pod"] as? String ?? ""
        if let backend = r.expect?.backend, !backend.isEmpty, !pod.hasPrefix(backend + "-") {
            out.append("expected backend \(backend), the echo of pod \(pod) answered")
        }
        if let namespace = r.expect?.namespace, !namespace.isEmpty, json["namespace"] as? String != namespace {
            out.append("expected namespace \(namespace), got \(json["namespace"] ?? "none")")
        }
        // Passthrough: the backend terminated the client's TLS itself and saw its SNI.
        // Terminate: the gateway did, and the backend got plaintext.
        if let passthrough = Self.passthrough(r, world: world) {
            if isTLS != String(passthrough) {
                out.append("expected IS_TLS \(passthrough) (\(passthrough ? "Passthrough" : "Terminate") listener), the echo said \(isTLS ?? "nothing")")
            }
            let seen = (json["tls"] as? [String: Any])?["serverName"] as? String ?? ""
            if passthrough, seen.lowercased() != sni.lowercased() {
                out.append("expected the backend to see SNI \(sni), it saw \(seen.isEmpty ? "none" : seen)")
            }
        }
        return out
    }

    /// Whether the TLS listener a connection with the request's SNI lands on passes TLS
    /// through (nil when no listener takes it).
    static func passthrough(_ r: RequestCase, world: World) -> Bool? {
        let key = ObjectKey(kind: "Gateway", namespace: r.gateway.namespace, name: r.gateway.name)
        let table = Compiler.compile(world.resources(onlyGateway: key), options: LiveConformanceRunner.options).table
        let decision = table.routeConnection(ConnectionRequest(gateway: key, port: r.port, protocol: .tls, sni: r.request.sni), key: "live")
        guard let listener = decision.listener, case .gateway(let gateway)? = world.objects[key]?.resource,
              let spec = gateway.listeners.first(where: { $0.name == listener.name }) else { return nil }
        return (spec.tls?.mode ?? .passthrough) == .passthrough
    }

    /// An HTTP request inside a TLS connection: to an HTTPS listener (the gateway terminates)
    /// or through a TLS listener (the backend terminates).
    func checkHTTPOverTLS(_ r: RequestCase, port: Int, trust: [NIOSSLCertificate], group: any EventLoopGroup,
                          backends: LiveTLSBackends) -> [String] {
        let sni = r.request.sni ?? (r.request.host ?? "")
        var observation: LiveObservation
        do {
            let client = try LiveStreamClient.connect(port: port, sni: sni, trust: trust, group: group)
            defer { client.close() }
            let host = (r.request.host ?? "").isEmpty ? sni : r.request.host!
            var text = "\(r.request.method ?? "GET") \(r.request.path ?? "/") HTTP/1.1\r\nHost: \(host)\r\n"
            for (name, value) in r.request.headers { text += "\(name): \(value)\r\n" }
            text += "Accept: application/json\r\nConnection: close\r\n\r\n"
            client.send(text)
            let bytes = client.readToClose()
            observation = LiveObservation(response: try LiveHTTPClient.parse(bytes))
        } catch {
            observation = LiveObservation(error: "\(error)")
        }
        backends.identify(&observation)
        if let error = observation.error { return r.expectFailure ? [] : ["no response: \(error)"] }
        return compare(r, observation)
    }

    /// A plain HTTP request; the gateway may speak TLS to the backend (BackendTLSPolicy).
    func checkHTTP(_ r: RequestCase, port: Int, backends: LiveTLSBackends, id: String) -> [String] {
        let host = (r.request.host ?? "").isEmpty ? "\(SuiteRuntime.gatewayAddress):\(r.port)" : r.request.host!
        var headers: [(String, String)] = [("Host", host)] + r.request.headers
        if !r.request.headers.contains(where: { $0.0.lowercased() == "x-request-id" }) { headers.append(("X-Request-Id", id)) }
        headers.append(("Accept", "application/json"))
        var observation: LiveObservation
        do {
            observation = LiveObservation(response: try LiveHTTPClient.send(host: "127.0.0.1", port: port, method: r.request.method ?? "GET",
                                                                            target: r.request.path ?? "/", headers: headers, body: r.request.body))
        } catch {
            observation = LiveObservation(error: "\(error)")
        }
        backends.identify(&observation)
        if let error = observation.error { return r.expectFailure ? [] : ["no response: \(error)"] }
        return compare(r, observation)
    }

    /// The usual live check, except the backend-side SNI: read from the echo's header here.
    func compare(_ r: RequestCase, _ observation: LiveObservation) -> [String] {
        var withoutSNI = r
        let sni = r.expect?.request?.sni
        withoutSNI.expect?.request?.sni = nil
        var out = LiveCheck.compare(withoutSNI, observed: observation)
        if let sni, !sni.isEmpty, observation.isSuccess {
            let seen = observation.responseHeaders.first { $0.0.lowercased() == WhoamiTLS.serverNameHeader }?.1
            if seen?.lowercased() != sni.lowercased() {
                out.append("expected the backend to see TLS server name \(sni), got \(seen.map { $0.isEmpty ? "none" : $0 } ?? "no TLS")")
            }
        }
        return out
    }
}

extension World {
    /// Every listener port of every Gateway.
    var listenerPorts: Set<Int> {
        var ports = Set<Int>()
        for object in objects.values {
            if case .gateway(let gateway) = object.resource { ports.formUnion(gateway.listeners.map(\.port)) }
        }
        return ports
    }
}

// MARK: - Backends and proxies

/// One backend per Service port (see `LiveTLSCase`), overriding `ns/name:port`.
final class LiveTLSBackends: @unchecked Sendable {
    private var whoamis: [WhoamiServer] = []
    private var echoes: [EchoStreamServer] = []
    private(set) var overrides: [String: [Endpoint]] = [:]
    private var byName: [String: ObjectKey] = [:]
    /// Each Service's backends listen on their own loopback address (127.0.0.2, ...), so that
    /// same-named pods in two namespaces are told apart by the echo's `listen`.
    private var byAddress: [String: ObjectKey] = [:]
    private(set) var startError: String?

    init(world: World) {
        for (i, key) in world.services.enumerated() {
            let host = i < 250 ? "127.0.0.\(i + 2)" : "127.0.0.1"
            let pod = world.podName(namespace: key.namespace, service: key.name)
            if byName[pod] == nil { byName[pod] = key }
            let template = world.podTemplate(namespace: key.namespace, service: key.name)
            let env = template?["spec"]?["containers"]?.arrayValue?.flatMap { $0["env"]?.arrayValue ?? [] } ?? []
            let tcpEcho = env.contains { $0["name"]?.scalarText == "TCP_ECHO_SERVER" }
            let secret = world.servingSecret(namespace: key.namespace, service: key.name).flatMap { SuiteCertificates.secrets[$0] }
            let context = secret.flatMap { try? WhoamiTLS.context(certificatePEM: $0.certificate, keyPEM: $0.key) }
            var ports: [(number: Int?, name: String)] = []
            if case .service(let service)? = world.objects[key]?.resource {
                ports = service.ports.map { ($0.port, $0.name ?? "") }
            }
            if ports.isEmpty { ports = [(nil, "")] }
            for port in ports {
                let endpoint: Endpoint?
                if tcpEcho {
                    let server = EchoStreamServer(name: pod, namespace: key.namespace, host: host, tls: port.name.contains("tls") ? context : nil)
                    endpoint = (try? server.start()) ?? { () -> Endpoint? in
                        let fallback = EchoStreamServer(name: pod, namespace: key.namespace, tls: port.name.contains("tls") ? context : nil)
                        defer { echoes.append(fallback) }
                        return try? fallback.start()
                    }()
                    echoes.append(server)
                } else {
                    let server = WhoamiServer(name: pod, host: host, tls: context)
                    endpoint = (try? server.start(threads: 1)) ?? { () -> Endpoint? in
                        let fallback = WhoamiServer(name: pod, tls: context)
                        defer { whoamis.append(fallback) }
                        return try? fallback.start(threads: 1)
                    }()
                    whoamis.append(server)
                }
                guard let endpoint else {
                    startError = "backend for \(key.namespace)/\(key.name) did not bind"
                    return
                }
                if endpoint.host != "127.0.0.1" { byAddress[endpoint.host] = key }
                let serviceKey = "\(key.namespace)/\(key.name)"
                if let number = port.number { overrides["\(serviceKey):\(number)"] = [endpoint] }
                if overrides[serviceKey] == nil { overrides[serviceKey] = [endpoint] }
            }
        }
    }

    func identify(_ o: inout LiveObservation) {
        guard let echo = o.echo else { return }
        o.pod = echo.name
        let host = Endpoint(parsing: echo.listen)?.host ?? echo.listen
        o.service = byAddress[host] ?? byName[echo.name]
    }

    func stop() {
        for server in whoamis { server.stop() }
        for server in echoes { server.stop() }
    }
}

/// One `GatewayProxy` per addressed Gateway, every listener port on an ephemeral one;
/// steps swap resources (the proxy binds listeners a step adds).
final class LiveTLSProxies: @unchecked Sendable {
    private let config: ProxyConfig
    private var world: World?
    private var proxies: [ObjectKey: GatewayProxy] = [:]

    init(overrides: [String: [Endpoint]], ports: Set<Int>) {
        config = ProxyConfig(portMap: Dictionary(uniqueKeysWithValues: ports.map { ($0, 0) }), backendOverrides: overrides,
                             eventLoopThreads: 1, drainTimeout: .seconds(1))
    }

    func update(world: World) {
        self.world = world
        for (gateway, proxy) in proxies {
            proxy.swap(resources: world.resources(onlyGateway: gateway), options: LiveConformanceRunner.options)
        }
    }

    func localPort(gateway: ObjectKey, listenerPort: Int) -> Int? {
        if proxies[gateway] == nil, let world {
            let proxy = GatewayProxy(resources: world.resources(onlyGateway: gateway), config: config,
                                     compileOptions: LiveConformanceRunner.options)
            guard (try? proxy.start()) != nil else { return nil }
            proxies[gateway] = proxy
        }
        return proxies[gateway]?.boundListeners.first { $0.listenerPort == listenerPort && $0.kind != .udp }?.address.port
    }

    func stopAll() {
        for (_, proxy) in proxies { proxy.stop() }
        proxies = [:]
    }
}
