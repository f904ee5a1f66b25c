import EventLog
import Foundation
import GatewayAPI
import NIOConcurrencyHelpers
import NIOCore
import RoutingCore

/// One admin API answer.
public struct AdminResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: String
    public init(status: Int, contentType: String = "application/json", body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
    static func json(_ value: Value, status: Int = 200) -> AdminResponse { AdminResponse(status: status, body: value.toJSON() + "\n") }
    static func error(_ status: Int, _ message: String, details: [String] = []) -> AdminResponse {
        var pairs: [(String, Value)] = [("error", .string(message))]
        if !details.isEmpty { pairs.append(("diagnostics", .array(details.map { .string($0) }))) }
        return json(.object(pairs), status: status)
    }
}

/// The proxy's configuration as the admin API changes it: the live objects, compiled,
/// swapped in and recorded (as `admin` resource events).
///
/// The log is replayed in its order, each request routed with the resources recorded
/// before it, so a change's events must come after every request routed with the world it
/// replaces and before every request routed with the new one. A change is therefore swapped
/// in first; its events are written once the old world's requests are recorded (at most
/// `ProxyLimits.changeRecordingWait`), together with everything queued, sorted by the
/// world that routed each request (`EventStoreWriter.append(_:after:)`). If the change
/// cannot be recorded, the old world is swapped back and the answer is a 500.
///
/// Mutations are serialized by one lock (compiling happens inside it; only the admin API
/// takes it, never the data plane, which keeps routing with the world it has until `swap`).
public final class AdminControlPlane: Sendable {
    struct State {
        var resources = ResourceSet()
        /// The objects as written, for deletion events and review traces.
        var raw: [ObjectKey: Value] = [:]
    }

    public let proxy: GatewayProxy
    public let recorder: AdminRecorder
    let config: ProxyConfig
    let compileOptions: CompileOptions
    let state: NIOLockedValueBox<State>
    private let mutation = NIOLock()

    /// - Parameter objects: what the proxy was started with (already compiled into it).
    public init(proxy: GatewayProxy, objects: [LoadedObject], recorder: AdminRecorder, config: ProxyConfig,
                compileOptions: CompileOptions = CompileOptions()) {
        var initial = State()
        for object in objects {
            initial.resources.apply(object.resource)
            initial.raw[object.resource.key] = object.raw
        }
        self.proxy = proxy
        self.recorder = recorder
        self.config = config
        self.compileOptions = compileOptions
        self.state = NIOLockedValueBox(initial)
    }

    /// The live objects.
    public var resources: ResourceSet { state.withLockedValue { $0.resources } }

    /// `POST /apply`: all or nothing; loader errors are a 400 and nothing is recorded.
    public func apply(yaml: String) -> AdminResponse {
        let loaded = Loader.load(text: yaml, file: "admin", firstLoadOrder: 0)
        let errors = loaded.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { return .error(400, "the manifests have errors; nothing applied", details: errors.map(\.description)) }
        guard !loaded.objects.isEmpty else { return .error(400, "no Gateway API or core object in the body") }
        return mutation.withLock {
            let changes: [ResourceChange]
            do {
                changes = try loaded.objects.map {
                    try ResourceChange(action: .applied, source: .admin, origin: "admin", objectJSON: $0.raw.toJSON())
                }
            } catch {
                return .error(500, "cannot record the change: \(error)")
            }
            var resources = self.resources
            for object in loaded.objects { resources.apply(object.resource) }
            let world: ProxyWorld
            switch swapInAndRecord(resources, changes) {
            case .success(let swapped): world = swapped
            case .failure(let error): return .error(500, "cannot record the change: \(error)")
            }
            state.withLockedValue { s in
                s.resources = resources
                for object in loaded.objects { s.raw[object.resource.key] = object.raw }
            }
            let keys = Set(loaded.objects.map(\.resource.key))
            let applied = world.world.status.objects.filter { object in keys.contains(Self.key(of: object)) }
            return .json(.object([("applied", .array(loaded.objects.map { .string($0.resource.key.description) })),
                                  ("status", .array(applied)), ("warnings", warnings())]))
        }
    }

    /// `DELETE /resources/KIND/NS/NAME` (or `KIND/NAME` for cluster-scoped kinds).
    public func delete(_ key: ObjectKey) -> AdminResponse {
        mutation.withLock {
            guard let raw = state.withLockedValue({ $0.raw[key] }) else { return .error(404, "\(key) is not live") }
            let change: ResourceChange
            do {
                change = try ResourceChange(action: .deleted, source: .admin, origin: "admin", objectJSON: raw.deletionStub.toJSON())
            } catch {
                return .error(500, "cannot record the change: \(error)")
            }
            var resources = self.resources
            resources.delete(key)
            if case .failure(let error) = swapInAndRecord(resources, [change]) {
                return .error(500, "cannot record the change: \(error)")
            }
            state.withLockedValue { s in
                s.resources = resources
                s.raw[key] = nil
            }
            return .json(.object([("deleted", .string(key.description)), ("warnings", warnings())]))
        }
    }

    /// Compiles `resources`, swaps them in and records `changes` after the requests routed
    /// with the world they replace (see the type's doc); swaps back if recording fails.
    private func swapInAndRecord(_ resources: ResourceSet, _ changes: [ResourceChange]) -> Result<ProxyWorld, Error> {
        let world = GatewayProxy.world(resources: resources, config: config, options: compileOptions)
        let previous = proxy.world
        let time = Date().timeIntervalSince1970
        let ended = proxy.swap(world: world)
        let deadline = NIODeadline.now() + ProxyLimits.changeRecordingWait
        while recorder.writer != nil, proxy.requestsInFlightBeforeCurrentWorld > 0, NIODeadline.now() < deadline { usleep(1_000) }
        do {
            try recorder.appendResources(changes, after: ended, time: time)
        } catch {
            proxy.swap(world: previous)
            return .failure(error)
        }
        recorder.metrics.configSwapped()
        return .success(world)
    }

    /// Listeners the swapped-in world does not serve, with why (`GatewayProxy.skippedListeners`,
    /// what `gwsim proxy` prints at start): a change can leave some out.
    private func warnings() -> Value {
        .array(proxy.skippedListeners.map { .string("\($0.listener): \($0.reason)") })
    }

    /// `GET /status`: every object's status, Kubernetes-shaped.
    public func status() -> AdminResponse { .json(.array(proxy.world.world.status.objects)) }

    /// `GET /routes`: listeners and the routes attached to them.
    public func routes() -> AdminResponse { .json(AdminRoutesSummary.summary(world: proxy.world.world, resources: resources)) }

    /// The live objects as written, oldest first (for review traces).
    func rawObjectsByAge() -> [(key: ObjectKey, raw: Value)] {
        state.withLockedValue { s in
            s.resources.objects.values.sorted { $0.meta.loadOrder < $1.meta.loadOrder }
                .compactMap { r in s.raw[r.key].map { (r.key, $0) } }
        }
    }

    /// `Kind/ns/name` of a status object.
    static func key(of object: Value) -> ObjectKey {
        ObjectKey(kind: object["kind"]?.stringValue ?? "", namespace: object["metadata"]?["namespace"]?.stringValue ?? "",
                  name: object["metadata"]?["name"]?.stringValue ?? "")
    }
}
