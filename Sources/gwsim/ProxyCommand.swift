import ArgumentParser
import EventLog
import Foundation
import GatewayAPI
import Proxy
import RoutingCore
import Scenarios

/// `gwsim proxy`: serve the manifests' HTTP listeners for real, recording what happens.
/// TLS listeners, HTTP/2, the admin API and `apply --review` are later slices.
struct ProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Run a live HTTP/1.1 reverse proxy that routes with the simulator's routing core.",
        discussion: """
            Binds every HTTP listener of the Gateways (through --port-map), resolves Services
            through EndpointSlices, ExternalName or --backend, and records resource and request
            events in --log. Stops on SIGINT/SIGTERM after draining in-flight requests.

            Example (the seed walkthrough):
              gwsim whoami --listen 127.0.0.1:9001 --name whoami &
              gwsim proxy -f scenarios/seed/00-traefik-gateway.yaml -f scenarios/seed/01-whoami.yaml \\
                -f scenarios/seed/02-whoami-httproute.yaml --backend kube-system/whoami=127.0.0.1:9001 \\
                --port-map 8000=18000 --log events.db
              curl -H 'Host: whoami' http://127.0.0.1:18000/
            """
    )

    @OptionGroup var manifests: ManifestOptions

    @Option(help: "Event store to record resource and request events in (SQLite; created when missing).")
    var log: String?

    @Option(name: .customLong("backend"), help: "NS/NAME=HOST:PORT: endpoints of a Service, instead of its EndpointSlices (repeatable).")
    var backends: [String] = []

    @Option(name: .customLong("port-map"), help: "LISTENER=LOCAL: bind Gateway listener port LISTENER on LOCAL (0 = ephemeral; repeatable).")
    var portMaps: [String] = []

    @Option(help: "Address the listeners bind on.")
    var listenHost: String = "127.0.0.1"

    func validate() throws {
        for backend in backends where ProxyConfig.parseBackendOverride(backend) == nil {
            throw ValidationError("--backend \(backend): expected NS/NAME=HOST:PORT")
        }
        for mapping in portMaps where ProxyConfig.parsePortMapping(mapping) == nil {
            throw ValidationError("--port-map \(mapping): expected LISTENER=LOCAL, e.g. 8000=18000")
        }
    }

    var config: ProxyConfig {
        var overrides: [String: [Endpoint]] = [:]
        for backend in backends {
            let (service, endpoint) = ProxyConfig.parseBackendOverride(backend)!
            overrides[service, default: []].append(endpoint)
        }
        var portMap: [Int: Int] = [:]
        for mapping in portMaps {
            let (listener, local) = ProxyConfig.parsePortMapping(mapping)!
            portMap[listener] = local
        }
        return ProxyConfig(listenHost: listenHost, portMap: portMap, backendOverrides: overrides)
    }

    func run() throws {
        let loaded = manifests.load()
        if loaded.hasErrors {
            Terminal.error("error: the manifests have errors; nothing served")
            throw Exit.badInput
        }
        let config = self.config
        var recorder: (queue: BoundedEventQueue, writer: EventStoreWriter)?
        if let log {
            let store = try EventLogSupport.openStore(log)
            do {
                let changes = try ManifestEvents.changes(for: loaded.objects, source: .file) { $0.location.description }
                let now = Date().timeIntervalSince1970
                _ = try store.append(changes.map { Event(time: now, body: .resource($0)) })
            } catch {
                throw EventLogSupport.fail(log, error)
            }
            let queue = BoundedEventQueue()
            let writer = EventStoreWriter(store: store, queue: queue)
            writer.start()
            recorder = (queue, writer)
        }
        var onRequest: (@Sendable (RequestRecord) -> Void)?
        if let queue = recorder?.queue { onRequest = { record in queue.offer(record) } }
        let proxy = GatewayProxy(resources: loaded.resources, config: config, compileOptions: manifests.compileOptions,
                                 onRequest: onRequest)
        for skipped in proxy.skippedListeners { Terminal.error("warning: \(skipped.listener): \(skipped.reason)") }
        let bound: [GatewayProxy.BoundListener]
        do { bound = try proxy.start() } catch {
            recorder?.writer.stop()
            Terminal.error("error: \(error)")
            throw ExitCode.failure
        }
        if bound.isEmpty { Terminal.error("warning: no programmed HTTP listener to serve") }
        for listener in bound { Terminal.out(listener.description) }
        let signal = ShutdownSignal.wait()
        Terminal.error("signal \(signal): draining")
        proxy.stop()
        recorder?.writer.stop()
        var summary = "served \(proxy.stats.requests) request\(proxy.stats.requests == 1 ? "" : "s")"
        if let recorder {
            summary += ", recorded \(recorder.writer.written) event(s) in \(log ?? "")"
            if recorder.queue.dropped > 0 { summary += ", dropped \(recorder.queue.dropped) (queue full)" }
            if let error = recorder.writer.failures.lastError { summary += ", last write error: \(error)" }
        }
        Terminal.error(summary)
    }
}
