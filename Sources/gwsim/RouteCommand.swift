import ArgumentParser
import Foundation
import GatewayAPI
import RoutingCore

/// `gwsim route`: what happens to one request, and why.
struct RouteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Route one request through the Gateways and explain the decision.",
        discussion: """
            Examples:
              gwsim route -f scenarios/seed/ http://whoami/
              gwsim route -f routes/ --gateway infra/shared -H 'version: two' -o json https://api.example.com/v2?x=1
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var manifests: ManifestOptions

    @Option(help: "The Gateway as NAMESPACE/NAME (default: the one Gateway with a listener on the port).")
    var gateway: String?

    @Option(help: "The listener port the request arrives on (default: the URL's port, else 80 for http and 443 for https).")
    var port: Int?

    @Option(name: .customShort("X"), help: "The request method, as sent: methods are case-sensitive (`get` is not GET).")
    var method: String = "GET"

    @Option(name: .customShort("H"), help: "A request header 'Name: value' (repeatable).")
    var header: [String] = []

    @Option(help: "The TLS server name (https only; default: the URL's host).")
    var sni: String?

    @Option(help: "The key for weighted and sampled choices (default: the method and URL), e.g. a request id.")
    var key: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json.")
    var output: Format = .text

    @Argument(help: "The request URL: scheme, Host header, optional port, path and query.")
    var url: String

    func validate() throws {
        if let port, !(1...65535).contains(port) { throw ValidationError("--port \(port) is not a port number (1-65535)") }
        guard HTTPToken.isValid(method) else { throw ValidationError("-X \(method): a method is a token (letters, digits, \(HTTPToken.symbols))") }
    }

    func run() throws {
        var target = try TargetURL(url)
        var headers = try header.map(Self.parseHeader)
        // As with curl, a Host header given with -H is the Host the request carries; the
        // URL still gives the scheme, the port and the TLS server name.
        let hosts = headers.filter { $0.name.lowercased() == "host" }
        if hosts.count > 1 { throw ValidationError("-H Host is given \(hosts.count) times; a request has one Host") }
        if let host = hosts.first {
            guard !host.value.isEmpty else { throw ValidationError("-H Host: the value is empty") }
            headers.removeAll { $0.name.lowercased() == "host" }
            target.host = host.value
        }
        let gatewayKey = try gateway.map(Self.parseGateway)
        let loaded = manifests.load()
        let world = Compiler.compile(loaded.resources, options: manifests.compileOptions)
        if let gatewayKey, loaded.resources[gatewayKey] == nil {
            let known = loaded.resources.gateways.map { "\($0.meta.namespace)/\($0.meta.name)" }
            Terminal.error("error: --gateway \(gatewayKey.namespace)/\(gatewayKey.name): no such Gateway in the manifests"
                + (known.isEmpty ? " (they hold none)" : "; they hold " + known.joined(separator: ", ")))
            throw Exit.badInput
        }

        let listenerPort = try port ?? target.port ?? fallbackPort(world.table, target: target, gateway: gatewayKey)
        if gatewayKey == nil {
            if world.table.gateways(listeningOn: listenerPort).count > 1 {
                let names = world.table.gatewayNames(onPort: listenerPort)
                let leftOut = world.table.listenersLeftOut(onPort: listenerPort).map(\.description)
                Terminal.error("note: Gateways \(names) listen on port \(listenerPort) and are served as one, as by the live proxy"
                    + (leftOut.isEmpty ? "" : ", without listeners that could take the same traffic as another's: " + leftOut.joined(separator: ", "))
                    + "; --gateway NAMESPACE/NAME routes as one of them alone would")
            }
        }
        if let proto = target.connectionProtocol {
            let sni = proto == .tls ? (sni ?? target.hostName) : nil
            let request = ConnectionRequest(gateway: gatewayKey, port: listenerPort, protocol: proto, sni: sni)
            let key = key ?? url
            let decision = world.table.routeConnection(request, key: key)
            if decision.listener == nil { noteUnprogrammedGateways(on: listenerPort, gateway: gatewayKey, loaded: loaded, world: world) }
            switch output {
            case .json: Terminal.out(decision.jsonValue.toJSON(sortedKeys: false))
            case .text:
                let title = "\(proto) connection to port \(listenerPort)" + (sni.map { " (SNI \($0))" } ?? "") + "  (key \"\(key)\")"
                Terminal.out(DecisionText.render(decision, title: title))
            }
            if loaded.hasErrors { throw Exit.badInput }
            return
        }
        let hostOnly = target.host
        if method != method.uppercased(), HTTPRouteMatch.methods.contains(method.uppercased()) {
            Terminal.error("note: method \(method) is not \(method.uppercased()): methods are case-sensitive (RFC 9110 §9.1), so no `method: \(method.uppercased())` match takes it")
        }
        let request = RouteRequest(gateway: gatewayKey, port: listenerPort, scheme: target.scheme, method: method,
                                   host: hostOnly, path: target.path, headers: headers,
                                   sni: target.scheme == "https" ? (sni ?? target.hostName) : nil)
        let decision = world.table.route(request, key: key ?? "\(method) \(url)", explain: output == .text)
        if target.scheme == "https", decision.route?.kind == "TLSRoute", let listener = decision.listener {
            Terminal.error("note: SNI \(request.sni ?? "(none)") selects TLS listener \(listener.name) on port \(listenerPort) before any HTTP is read "
                + "(no HTTPS listener there names it more specifically); the request goes to its TLSRoute as sent")
        }
        if decision.listener == nil {
            noteUnprogrammedGateways(on: listenerPort, gateway: gatewayKey, loaded: loaded, world: world)
            let other = world.table.allListeners.filter { $0.ref.port == listenerPort && [.tls, .tcp, .udp].contains($0.protocol) }
            if let first = other.first {
                let scheme = "\(first.protocol)".lowercased()
                Terminal.error("note: port \(listenerPort) has a \(first.protocol) listener; route a connection to it with \(scheme)://HOST:\(listenerPort)")
            }
        }
        switch output {
        case .json: Terminal.out(decision.jsonValue.toJSON(sortedKeys: false))
        case .text: Terminal.out(DecisionText.render(decision, request: request, key: key ?? "\(method) \(url)"))
        }
        if loaded.hasErrors { throw Exit.badInput }
    }

    /// A request no listener took, on a port where a Gateway that is not programmed has one
    /// (an address outside --address-pool, say): says which and why, since the table
    /// holds only what is served.
    private func noteUnprogrammedGateways(on port: Int, gateway: ObjectKey?, loaded: LoadResult, world: CompiledWorld) {
        for candidate in loaded.resources.gateways where candidate.listeners.contains(where: { $0.port == port }) {
            let key = ObjectKey(kind: "Gateway", namespace: candidate.meta.namespace, name: candidate.meta.name)
            guard gateway == nil || gateway == key,
                  let programmed = world.status.gateway(key)?.notProgrammed else { continue }
            Terminal.error("note: Gateway \(key.namespace)/\(key.name) has a listener on port \(port) but is not programmed "
                + "(\(programmed.reason): \(programmed.message)), so it serves nothing")
        }
    }

    /// Without an explicit port, a Gateway that has no listener on the scheme's
    /// default port but exactly one listener of that protocol is the obvious
    /// target (the seed article's Traefik listens on 8000 behind port 80).
    func fallbackPort(_ table: RoutingTable, target: TargetURL, gateway: ObjectKey?) throws -> Int {
        let wanted = target.listenerProtocol
        let listeners = table.allListeners.filter { $0.protocol == wanted && (gateway == nil || $0.ref.gateway == gateway) }
        if let port = target.defaultPort, listeners.contains(where: { $0.ref.port == port }) { return port }
        let ports = Set(listeners.map(\.ref.port))
        if ports.count == 1, let only = ports.first {
            let missing = target.defaultPort.map { "no \(wanted) listener on port \($0)" } ?? "no port given"
            Terminal.error("note: \(missing); using the only \(wanted) listener's, port \(only) (set --port to choose)")
            return only
        }
        guard let port = target.defaultPort else {
            throw ValidationError("\(target.scheme):// needs a port: \(ports.isEmpty ? "no \(wanted) listener is programmed" : "\(wanted) listeners are on ports \(ports.sorted().map(String.init).joined(separator: ", "))")")
        }
        return port
    }

    static func parseHeader(_ text: String) throws -> HTTPHeader {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw ValidationError("header \(text) must look like 'Name: value'")
        }
        let name = text[..<colon].trimmingCharacters(in: .whitespaces)
        let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard HTTPToken.isValid(name) else { throw ValidationError("header \(text): the name \(name) is not a token (letters, digits, \(HTTPToken.symbols))") }
        return HTTPHeader(name: name, value: value)
    }

    static func parseGateway(_ text: String) throws -> ObjectKey {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValidationError("--gateway \(text) must be NAMESPACE/NAME")
        }
        return ObjectKey(kind: "Gateway", namespace: String(parts[0]), name: String(parts[1]))
    }
}
