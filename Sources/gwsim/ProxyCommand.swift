import ArgumentParser
import EventLog
import Foundation
import GatewayAPI
import Proxy
import RoutingCore
import Scenarios

/// `gwsim proxy`: serve the manifests' HTTP listeners for real, recording what happens.
/// With --admin, also serves the admin API (docs/admin-api.md); on an existing --log, the
/// configuration is rebuilt from the log first (the log is the source of truth).
struct ProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Run a live reverse proxy (HTTP/1.1, HTTP/2, HTTPS, TLS, TCP, UDP) that routes with the simulator's routing core.",
        discussion: """
            Binds every HTTP listener of the Gateways (through --port-map), resolves Services
            through EndpointSlices, ExternalName or --backend, and records resource and request
            events in --log. Stops on SIGINT/SIGTERM after draining in-flight requests.

            On an existing --log, the configuration is first rebuilt from the log's resource
            state, then -f manifests are recorded on top (so -f is optional there). With
            --admin HOST:PORT the admin API (apply, delete, status, routes, metrics, review;
            see docs/admin-api.md) is served there; a non-loopback address needs
            --admin-token-file.

            Example (the seed walkthrough):
              gwsim whoami --listen 127.0.0.1:9001 --name whoami &
              gwsim proxy -f scenarios/seed/00-traefik-gateway.yaml -f scenarios/seed/01-whoami.yaml \\
                -f scenarios/seed/02-whoami-httproute.yaml --backend kube-system/whoami=127.0.0.1:9001 \\
                --port-map 8000=18000 --log events.db
              curl -H 'Host: whoami' http://127.0.0.1:18000/
            """
    )

    @Option(name: [.customShort("f"), .customLong("filename")], help: "A manifest file or directory (YAML or JSON; repeatable).")
    var paths: [String] = []

    @Option(help: "Act only as the controller of GatewayClasses with this controllerName (default: every GatewayClass).")
    var controller: String?

    @OptionGroup var addresses: AddressPoolOptions

    @Option(help: "HOST:PORT of the admin API (e.g. 127.0.0.1:9901; off when not given). A non-loopback address needs --admin-token-file.")
    var admin: String?

    @Option(help: "A file holding the admin API's bearer token.")
    var adminTokenFile: String?

    @Option(help: "Event store to record resource and request events in (SQLite; created when missing).")
    var log: String?

    @Option(name: .customLong("backend"), help: "NS/NAME=HOST:PORT: endpoints of a Service, instead of its EndpointSlices (repeatable).")
    var backends: [String] = []

    @Option(name: .customLong("port-map"), help: "LISTENER=LOCAL: bind Gateway listener port LISTENER on LOCAL (0 = ephemeral; repeatable).")
    var portMaps: [String] = []

    @Option(help: "Address the listeners bind on.")
    var listenHost: String = "127.0.0.1"

    @Option(help: "Event loop threads serving the listeners (benchmarks/proxy.sh matches nginx's worker_processes).")
    var threads: Int = 2

    @Option(help: "Largest request body forwarded, in bytes; larger ones get 413 (0: no limit).")
    var maxBodySize: Int = ProxyLimits.maxRequestBodyBytes

    @Option(help: ArgumentHelp("Seconds without a byte either way before a client connection closes; a request on a rule that sets no timeouts ends after as long (504, or 408 when its body stopped).",
                               valueName: "seconds"))
    var idleTimeout: Int = Int(ProxyLimits.clientIdleTimeout.nanoseconds / 1_000_000_000)

    @Flag(help: "Send every HTTP/1.1 request through NIO's HTTP codec, also those the byte path serves (docs/proxy.md).")
    var noBytePath = false

    func validate() throws {
        if !(1...256).contains(threads) { throw ValidationError("--threads \(threads): expected 1 to 256") }
        if !(1...86_400).contains(idleTimeout) { throw ValidationError("--idle-timeout \(idleTimeout): expected 1 to 86400 seconds") }
        if maxBodySize < 0 { throw ValidationError("--max-body-size \(maxBodySize): expected a number of bytes, 0 for no limit") }
        if paths.isEmpty && log == nil { throw ValidationError("give at least one manifest with -f PATH (or an existing --log)") }
        if let admin, AdminConfig.parseAddress(admin) == nil { throw ValidationError("--admin \(admin): expected HOST:PORT, e.g. 127.0.0.1:9901") }
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
        var config = ProxyConfig(listenHost: listenHost, portMap: portMap, backendOverrides: overrides, eventLoopThreads: threads,
                                 clientIdleTimeout: .seconds(Int64(idleTimeout)))
        config.maxRequestBodyBytes = maxBodySize == 0 ? nil : maxBodySize
        config.bytePath = !noBytePath
        return config
    }

    func run() throws {
        let loaded = paths.isEmpty ? LoadResult() : Loader.load(paths: paths)
        for diagnostic in loaded.diagnostics { Terminal.error(diagnostic.description) }
        if loaded.hasErrors {
            Terminal.error("error: the manifests have errors; nothing served")
            throw Exit.badInput
        }
        let config = self.config
        // A Gateway may request only addresses the listeners are reachable at, unless told otherwise.
        let compileOptions = CompileOptions(controllerName: controller,
                                            addressPool: addresses.pool ?? LocalAddresses.pool(listenHost: listenHost))
        var adminConfig: AdminConfig?
        if let admin, let address = AdminConfig.parseAddress(admin) {
            var token: String?
            if let adminTokenFile {
                do { token = try AdminConfig.readToken(path: adminTokenFile) } catch {
                    Terminal.error("error: --admin-token-file \(error)")
                    throw Exit.badInput
                }
            }
            let candidate = AdminConfig(host: address.host, port: address.port, token: token)
            do { try candidate.validate() } catch {
                Terminal.error("error: --admin \(admin): \(error)")
                throw Exit.badInput
            }
            adminConfig = candidate
        }
        var objects: [LoadedObject] = []
        let recorder: AdminRecorder?
        if let log {
            let store = try EventLogSupport.openStore(log)
            do {
                // The log is the source of truth: its state first, then -f as new events.
                let rebuilt = try LogBootstrap.rebuild(store: store)
                for warning in rebuilt.warnings { Terminal.error("warning: \(log): \(warning)") }
                if !rebuilt.objects.isEmpty { Terminal.error("\(log): rebuilt \(rebuilt.objects.count) object(s) from the log") }
                objects = rebuilt.objects
                let changes = try ManifestEvents.changes(for: loaded.objects, source: .file) { $0.location.description }
                let now = Date().timeIntervalSince1970
                _ = try store.append(changes.map { Event(time: now, body: .resource($0)) })
            } catch {
                throw EventLogSupport.fail(log, error)
            }
            let queue = BoundedEventQueue()
            let writer = EventStoreWriter(store: store, queue: queue)
            writer.start()
            recorder = AdminRecorder(queue: queue, writer: writer)
        } else {
            recorder = adminConfig == nil ? nil : AdminRecorder()
        }
        objects += loaded.objects
        var resources = ResourceSet()
        for object in objects { resources.apply(object.resource) }
        let proxy = GatewayProxy(resources: resources, config: config, compileOptions: compileOptions,
                                 onRequest: recorder?.onRequest)
        for skipped in proxy.skippedListeners { Terminal.error("warning: \(skipped.listener): \(skipped.reason)") }
        let bound: [GatewayProxy.BoundListener]
        do { bound = try proxy.start() } catch {
            recorder?.writer?.stop()
            Terminal.error("error: \(error)")
            throw Exit.badInput
        }
        if bound.isEmpty { Terminal.error("warning: no programmed listener to serve") }
        for listener in bound { Terminal.out(listener.description) }
        var adminServer: AdminServer?
        if let adminConfig, let recorder {
            let control = AdminControlPlane(proxy: proxy, objects: objects, recorder: recorder, config: config, compileOptions: compileOptions)
            let server = AdminServer(router: AdminRouter(control: control, config: adminConfig))
            do {
                let address = try server.start()
                Terminal.out("admin API on \(address)" + (adminConfig.token == nil ? "" : " (bearer token required)"))
                adminServer = server
            } catch {
                proxy.stop()
                recorder.writer?.stop()
                Terminal.error("error: \(error)")
                throw Exit.badInput
            }
        }
        let signal = ShutdownSignal.wait()
        Terminal.error("signal \(signal): draining")
        adminServer?.stop()
        proxy.stop()
        recorder?.writer?.stop()
        var summary = "served \(proxy.stats.requests) request\(proxy.stats.requests == 1 ? "" : "s")"
        if let writer = recorder?.writer {
            summary += ", recorded \(writer.written) event(s) in \(log ?? "")"
            if let dropped = recorder?.dropped, dropped > 0 { summary += ", dropped \(dropped) (queue full)" }
            let failures = writer.failures
            if failures.lost > 0 { summary += ", lost \(failures.lost) to write errors" }
            if let error = failures.lastError { summary += ", last write error: \(error)" }
        }
        Terminal.error(summary)
    }
}
