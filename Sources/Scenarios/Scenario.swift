/// A scenario: the cluster state to start from, the traffic to send at it and the
/// changes that happen while it runs. Parsed from YAML by `ScenarioParser`; turned into a
/// trace by `Generator`. Paths are already resolved against the scenario file's directory.
public struct Scenario: Sendable {
    /// Short name; part of every request id, so ids stay unique across scenarios.
    public var name: String
    public var description: String
    /// The scenario file itself (for messages and relative `origin`s).
    public var file: String
    /// Manifest files or directories: the initial state.
    public var manifests: [String]
    /// The candidate change(s) a replay compares against (not applied by the generator).
    public var candidate: [String]
    public var traffic: TrafficModel
    /// Timed changes, sorted by time (stable: file order among equal times).
    public var changes: [TimedChange]

    public init(name: String, description: String = "", file: String, manifests: [String], candidate: [String] = [],
                traffic: TrafficModel, changes: [TimedChange] = []) {
        self.name = name; self.description = description; self.file = file; self.manifests = manifests
        self.candidate = candidate; self.traffic = traffic; self.changes = changes
    }
}

/// One alternative of a weighted choice.
public struct Weighted<T: Sendable>: Sendable {
    public var value: T
    /// Relative weight, >= 0; the weights of a list need not sum to anything in particular.
    public var weight: Double
    public init(_ value: T, weight: Double) { self.value = value; self.weight = weight }
}

/// A header sent with probability `probability`, its value picked by weight.
public struct HeaderSpec: Sendable {
    public var name: String
    public var values: [Weighted<Template>]
    public var probability: Double
    public init(name: String, values: [Weighted<Template>], probability: Double = 1) {
        self.name = name; self.values = values; self.probability = probability
    }
}

/// A resource change at a time during the run.
public struct TimedChange: Sendable {
    public enum Action: Sendable {
        /// Manifest files or directories to apply.
        case apply([String])
        /// Objects to delete.
        case delete([ObjectRef])
    }
    /// Microseconds since the epoch.
    public var timeMicros: Int64
    public var action: Action
    /// Where it was written (for messages).
    public var line: Int
    public init(timeMicros: Int64, action: Action, line: Int = 0) {
        self.timeMicros = timeMicros; self.action = action; self.line = line
    }
}

/// Identity of an object to delete. `apiVersion` defaults from the kind.
public struct ObjectRef: Sendable, Equatable {
    public var apiVersion: String
    public var kind: String
    public var namespace: String
    public var name: String
    public init(apiVersion: String? = nil, kind: String, namespace: String = "", name: String) {
        self.apiVersion = apiVersion ?? ObjectRef.defaultAPIVersion(kind: kind)
        self.kind = kind; self.namespace = namespace; self.name = name
    }

    /// The usual apiVersion of a kind gwsim simulates, so a delete needs only kind/ns/name.
    public static func defaultAPIVersion(kind: String) -> String {
        switch kind {
        case "Namespace", "Service", "Secret", "ConfigMap": return "v1"
        case "EndpointSlice": return "discovery.k8s.io/v1"
        case "ReferenceGrant": return "gateway.networking.k8s.io/v1beta1"
        case "TLSRoute", "TCPRoute", "UDPRoute": return "gateway.networking.k8s.io/v1alpha2"
        default: return "gateway.networking.k8s.io/v1"
        }
    }
}
