import GatewayAPI
import NIOSSL
import RoutingCore

/// The server certificates of the HTTPS listeners, per listener port, ready for handshakes.
///
/// Built from the same resource snapshot as the routing table and swapped with it (part of
/// `ProxyWorld`), so a certificate rotated by a swap is served to the next connection.
/// One `NIOSSLContext` per listener: building a context parses PEM and is far too costly
/// to do per connection, while picking one by SNI is a lookup.
public struct TLSCertificates: Sendable {
    /// One terminating listener with its certificate.
    struct Entry: Sendable {
        /// `ns/gateway/listener`.
        let listener: String
        /// The listener's hostname (nil: any); exact or `*.suffix`.
        let hostname: String?
        let context: NIOSSLContext
        /// The Gateway's frontend client-certificate validation for this port, if any.
        var clientValidation: FrontendClientValidation? = nil
    }

    private let byPort: [Int: [Entry]]
    /// TLS listeners in mode Terminate (TLSRoute), by `ns/gateway/listener`: no ALPN.
    private let terminating: [String: NIOSSLContext]
    /// HTTPS listeners that cannot be served, with why (the routing core's status says the same).
    public let skipped: [(listener: String, reason: String)]

    /// No certificates: HTTPS listeners are skipped.
    public init() {
        byPort = [:]
        terminating = [:]
        skipped = []
    }

    /// Certificates for every programmed HTTPS listener, and every TLS listener in mode Terminate,
    /// of `table`, from the Secrets in `resources`.
    /// ALPN advertises `h2` then `http/1.1`.
    public init(resources: ResourceSet, table: RoutingTable) {
        var byPort: [Int: [Entry]] = [:]
        var skipped: [(listener: String, reason: String)] = []
        var terminating: [String: NIOSSLContext] = [:]
        for listener in table.allListeners where listener.protocol == .https || listener.protocol == .tls {
            let isTLS = listener.protocol == .tls
            let name = listener.ref.description
            guard let spec = Self.spec(of: listener.ref, in: resources) else {
                skipped.append((name, "listener spec not found"))
                continue
            }
            // TLS listeners default to Passthrough: nothing to terminate.
            if isTLS && spec.listener.tls?.mode != .terminate { continue }
            guard let tls = spec.listener.tls, tls.mode == .terminate, let ref = tls.certificateRefs.first else {
                skipped.append((name, "\(isTLS ? "TLS" : "HTTPS") listener without a certificateRef to terminate with"))
                continue
            }
            let namespace = ref.namespace ?? spec.namespace
            let key = ObjectKey(kind: "Secret", namespace: namespace, name: ref.name)
            guard case .secret(let secret)? = resources[key] else {
                skipped.append((name, "Secret \(namespace)/\(ref.name) not found"))
                continue
            }
            var clientValidation: FrontendClientValidation?
            if !isTLS {
                switch FrontendClientValidation.resolve(gateway: listener.ref.gateway, port: listener.ref.port, resources: resources) {
                case .success(let validation): clientValidation = validation
                case .failure(let error):
                    skipped.append((name, "frontend client-certificate validation: \(error); listener not served"))
                    continue
                }
            }
            do {
                let context = try Self.context(certificatePEM: secret.data["tls.crt"] ?? "", keyPEM: secret.data["tls.key"] ?? "",
                                               alpn: isTLS ? [] : ["h2", "http/1.1"], clientValidation: clientValidation)
                if isTLS {
                    terminating[name] = context
                } else {
                    byPort[listener.ref.port, default: []].append(Entry(listener: name, hostname: listener.hostname, context: context,
                                                                        clientValidation: clientValidation))
                }
            } catch {
                skipped.append((name, "Secret \(namespace)/\(ref.name): unusable tls.crt/tls.key (\(error)); listener not served"))
            }
        }
        self.byPort = byPort
        self.terminating = terminating
        self.skipped = skipped
    }

    /// A server context for a PEM certificate chain and key, advertising `alpn` (HTTPS: h2, http/1.1).
    static func context(certificatePEM: String, keyPEM: String, alpn: [String] = ["h2", "http/1.1"],
                        clientValidation: FrontendClientValidation? = nil) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
        guard !chain.isEmpty else { throw NIOSSLError.failedToLoadCertificate }
        let key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                     privateKey: .privateKey(key))
        configuration.applicationProtocols = alpn
        clientValidation?.apply(to: &configuration)
        return try NIOSSLContext(configuration: configuration)
    }

    /// The context of a TLS listener in mode Terminate (`ns/gateway/listener`); nil for Passthrough.
    func terminatingContext(listener: String) -> NIOSSLContext? { terminating[listener] }

    /// Whether the TLS listener `ns/gateway/listener` terminates but has no usable certificate.
    func isUnusableTerminating(listener: String) -> Bool { skipped.contains { $0.listener == listener } }

    /// Whether the listener `ns/gateway/listener` has a usable certificate.
    public func serves(listener: String, port: Int) -> Bool { (byPort[port] ?? []).contains { $0.listener == listener } }

    /// The context for a handshake on `port` with server name `sni`: the most specific
    /// listener hostname matching it (exact beats wildcard, a longer wildcard beats a
    /// shorter one), else the listener without hostname, else the first listener.
    func context(port: Int, sni: String?) -> NIOSSLContext? {
        entry(port: port, sni: sni)?.context
    }

    /// The TLS handler for a handshake on `port` with server name `sni` (see `context(port:sni:)`),
    /// asking for a client certificate as the Gateway's frontend validation says.
    func serverHandler(port: Int, sni: String?) -> NIOSSLServerHandler? {
        entry(port: port, sni: sni).map { FrontendClientValidation.serverHandler(context: $0.context, validation: $0.clientValidation) }
    }

    func entry(port: Int, sni: String?) -> Entry? {
        let entries = byPort[port] ?? []
        if let sni = sni?.lowercased() {
            var best: (entry: Entry, rank: Int)?
            for entry in entries {
                guard let hostname = entry.hostname?.lowercased() else { continue }
                let rank: Int
                if hostname == sni {
                    rank = Int.max
                } else if hostname.hasPrefix("*."), sni.count > hostname.count - 1, sni.hasSuffix(hostname.dropFirst()) {
                    rank = hostname.count
                } else {
                    continue
                }
                if best == nil || rank > best!.rank { best = (entry, rank) }
            }
            if let best { return best.entry }
        }
        return entries.first { $0.hostname == nil } ?? entries.first
    }

    /// The `Listener` a programmed listener ref stands for, with the namespace its
    /// certificateRefs default to (the Gateway's, or the ListenerSet's).
    private static func spec(of ref: ListenerRef, in resources: ResourceSet) -> (listener: Listener, namespace: String)? {
        if let set = ref.listenerSet {
            let parts = set.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            for kind in ["ListenerSet", "XListenerSet"] {
                if case .listenerSet(let listenerSet)? = resources[ObjectKey(kind: kind, namespace: parts[0], name: parts[1])],
                   let listener = listenerSet.listeners.first(where: { $0.name == ref.name }) {
                    return (listener, listenerSet.meta.namespace)
                }
            }
            if let listenerSet = resources.listenerSets.first(where: { "\($0.meta.namespace)/\($0.meta.name)" == set }),
               let listener = listenerSet.listeners.first(where: { $0.name == ref.name }) {
                return (listener, listenerSet.meta.namespace)
            }
            return nil
        }
        guard case .gateway(let gateway)? = resources[ref.gateway],
              let listener = gateway.listeners.first(where: { $0.name == ref.name }) else { return nil }
        return (listener, gateway.meta.namespace)
    }
}
