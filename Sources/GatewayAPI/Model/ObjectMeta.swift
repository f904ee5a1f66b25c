/// Where an object (or one of its fields) was read from, for messages in the
/// `file:line` form that editors and CI logs link to.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { line > 0 ? "\(file):\(line)" : file }
}

/// The identity of an object: kind, namespace ("" for cluster-scoped kinds) and name.
/// Sorting by it gives the stable, human-readable order used in every output.
public struct ObjectKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var kind: String
    public var namespace: String
    public var name: String

    public init(kind: String, namespace: String, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects.
    public var description: String {
        namespace.isEmpty ? "\(kind)/\(name)" : "\(kind)/\(namespace)/\(name)"
    }

    public static func < (a: ObjectKey, b: ObjectKey) -> Bool {
        (a.kind, a.namespace, a.name) < (b.kind, b.namespace, b.name)
    }
}

/// The part of Kubernetes `metadata` that routing and status depend on.
public struct ObjectMeta: Sendable, Hashable {
    public var name: String
    public var namespace: String
    public var labels: [String: String]
    public var annotations: [String: String]
    /// `metadata.generation`; 1 when absent, as for a freshly created object.
    public var generation: Int
    /// Seconds since the epoch from `metadata.creationTimestamp`, when present.
    public var creationTimestamp: Double?
    /// Position in load order (0 = first loaded). Stands in for the creation time
    /// when `creationTimestamp` is absent: first loaded is oldest.
    public var loadOrder: Int
    /// The file and line of the object's first line.
    public var source: SourceLocation

    public init(
        name: String, namespace: String = "", labels: [String: String] = [:],
        annotations: [String: String] = [:], generation: Int = 1,
        creationTimestamp: Double? = nil, loadOrder: Int = 0,
        source: SourceLocation = SourceLocation(file: "<memory>", line: 0)
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.loadOrder = loadOrder
        self.source = source
    }

    /// The spec's "oldest Route based on creation timestamp" tie-break. Objects that
    /// carry a timestamp compare by it (equal timestamps are a tie, for the next
    /// criterion to break) and count as older than objects without one; between
    /// two objects without one, load order decides (first loaded = oldest).
    public func isOlder(than other: ObjectMeta) -> Bool {
        switch (creationTimestamp, other.creationTimestamp) {
        case let (a?, b?): return a < b
        case (.some, nil): return true
        case (nil, .some): return false
        default: return loadOrder < other.loadOrder
        }
    }
}
