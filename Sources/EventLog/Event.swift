import GatewayAPI

/// One entry of the gwsim event log (schema `gwsim.events/v1`): a resource change or a
/// request, in one totally ordered sequence.
///
/// `seq` is the order; `time` is when it happened. Both are kept: imported traces keep their
/// original times but get new sequence numbers, so time order and seq order may differ.
public struct Event: Sendable, Equatable {
    /// Position in the log, strictly increasing. `nil` means "not assigned yet": the
    /// `EventStore` and `TraceWriter` then assign the next number (last + 1). An explicit value
    /// must be greater than the last recorded one or the write is rejected.
    public var seq: Int64?
    /// Event time in whole microseconds since the Unix epoch (UTC). Integer so that the text
    /// form and the SQLite `REAL` column round-trip exactly.
    public var timeMicros: Int64
    /// What happened.
    public var body: Body

    public enum Body: Sendable, Equatable {
        case resource(ResourceChange)
        case request(RequestRecord)
    }

    /// - Parameter time: seconds since the epoch; rounded to microseconds (see `EventTime`).
    public init(seq: Int64? = nil, time: Double, body: Body) {
        self.seq = seq
        self.timeMicros = EventTime.micros(fromSeconds: time)
        self.body = body
    }

    public init(seq: Int64? = nil, timeMicros: Int64, body: Body) {
        self.seq = seq
        self.timeMicros = min(max(timeMicros, Limits.minTimeMicros), Limits.maxTimeMicros)
        self.body = body
    }

    /// Seconds since the epoch.
    public var time: Double { Double(timeMicros) / 1_000_000 }
    /// RFC 3339 UTC text with microseconds, as written in traces.
    public var timeText: String { EventTime.format(micros: timeMicros) }
    public var type: EventType {
        switch body {
        case .resource: return .resource
        case .request: return .request
        }
    }
    public var resource: ResourceChange? { if case .resource(let r) = body { return r } else { return nil } }
    public var request: RequestRecord? { if case .request(let r) = body { return r } else { return nil } }
}

/// The JSON `type` field.
public enum EventType: String, Sendable, CaseIterable {
    case resource, request
}

/// A Kubernetes object was applied or deleted. The object stays opaque JSON text, so this
/// module needs no knowledge of Gateway API kinds; only its identity is extracted.
public struct ResourceChange: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable { case applied, deleted }
    /// Who made the change: a watched/loaded file, the admin API, or an import.
    public enum Source: String, Sendable, CaseIterable { case file, admin, `import` }

    public var action: Action
    public var source: Source
    /// Free-form provenance, e.g. the file path, or `import:<trace>` after an import.
    public var origin: String?
    /// The object as compact JSON (whitespace outside strings removed, key order kept).
    /// For a delete it holds at least `apiVersion`, `kind` and `metadata.{namespace,name}`.
    public let objectJSON: String
    /// `kind` of the object.
    public let kind: String
    /// `metadata.namespace`, empty for cluster-scoped objects.
    public let namespace: String
    /// `metadata.name`.
    public let name: String

    /// Validates and compacts `objectJSON`; throws unless it is a JSON object with a
    /// non-empty string `kind` and `metadata.name`.
    public init(action: Action, source: Source, origin: String? = nil, objectJSON: String) throws {
        var text = objectJSON
        let (compact, identity) = try text.withUTF8 { try ObjectIdentity.compactAndIdentify($0) }
        self.action = action
        self.source = source
        self.origin = origin
        self.objectJSON = compact
        self.kind = identity.kind
        self.namespace = identity.namespace
        self.name = identity.name
    }

    /// Trusted construction from already-validated parts (SQLite rows).
    init(action: Action, source: Source, origin: String?, objectJSON: String, kind: String, namespace: String, name: String) {
        self.action = action
        self.source = source
        self.origin = origin
        self.objectJSON = objectJSON
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects (same convention as
    /// `GatewayAPI.ObjectKey.description`). Key of `EventStore.resourceState(at:)`.
    public var key: String { ResourceChange.key(kind: kind, namespace: namespace, name: name) }

    static func key(kind: String, namespace: String, name: String) -> String {
        namespace.isEmpty ? "\(kind)/\(name)" : "\(kind)/\(namespace)/\(name)"
    }
}

/// One HTTP/TLS/TCP request as seen at a listener, with the outcome observed on a real
/// gateway if known (`observed`), so replays can compare the simulated decision with it.
public struct RequestRecord: Sendable, Equatable {
    /// Stable request id (e.g. `x-request-id`), unique within a log.
    public var id: String
    /// Client address `ip:port` (IPv6 as `[addr]:port`).
    public var client: String
    /// Listener port the request arrived on.
    public var port: Int
    /// `http`, `https`, `tls`, `tcp`, `udp`, `grpc` … (not checked here).
    public var scheme: String
    public var method: String
    public var host: String
    /// Path including the query string.
    public var path: String
    /// Request headers in arrival order; names keep their case, duplicates are allowed.
    public var headers: [HeaderField]
    /// Gateway the request was addressed to, `namespace/name`, when the source knows it
    /// (the live proxy serves every Gateway on one address and leaves it out).
    public var gateway: String?
    /// TLS server name indication.
    public var sni: String?
    public var observed: ObservedOutcome?

    public init(id: String, client: String, port: Int, scheme: String, method: String, host: String, path: String,
                headers: [HeaderField] = [], gateway: String? = nil, sni: String? = nil, observed: ObservedOutcome? = nil) {
        self.id = id; self.client = client; self.port = port; self.scheme = scheme; self.method = method
        self.host = host; self.path = path; self.headers = headers; self.gateway = gateway; self.sni = sni
        self.observed = observed
    }
}

/// One header as a (name, value) pair; a list of them keeps order and duplicates.
/// The routing model's type, so a recorded request's headers route as they are.
public typealias HeaderField = HTTPHeader

extension HTTPHeader {
    public init(_ name: String, _ value: String) { self.init(name: name, value: value) }
}

/// What a real gateway did with a request. Every field is optional: a 404 has no route,
/// a connection reset has no status.
public struct ObservedOutcome: Sendable, Equatable {
    /// Matched route, `Kind/namespace/name`.
    public var route: String?
    /// Index of the matched rule in the route.
    public var rule: Int?
    /// Backend, `namespace/name:port`.
    public var backend: String?
    /// Endpoint that served it, `ip:port`.
    public var endpoint: String?
    public var status: Int?
    /// Milliseconds; non-finite values are not written (they have no JSON form).
    public var latencyMs: Double?
    public var bytesIn: Int?
    public var bytesOut: Int?

    public init(route: String? = nil, rule: Int? = nil, backend: String? = nil, endpoint: String? = nil,
                status: Int? = nil, latencyMs: Double? = nil, bytesIn: Int? = nil, bytesOut: Int? = nil) {
        self.route = route; self.rule = rule; self.backend = backend; self.endpoint = endpoint
        self.status = status; self.latencyMs = latencyMs; self.bytesIn = bytesIn; self.bytesOut = bytesOut
    }

    /// The statuses a gateway answers a request with before routing it: malformed
    /// (400), a method no listener serves (405, CONNECT), a head too slow (408), a body
    /// too large (413), header fields too large (431). Routing itself never answers
    /// them without a route (it gives 404 or 421), so together with no route and no
    /// backend they say the request never reached routing, in any world.
    public static let refusalStatuses: Set<Int> = [400, 405, 408, 413, 431]

    /// The gateway refused the request before routing it (`refusalStatuses`).
    public var refusedBeforeRouting: Bool {
        route == nil && backend == nil && status.map(Self.refusalStatuses.contains) == true
    }
}
