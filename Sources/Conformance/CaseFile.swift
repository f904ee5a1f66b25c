/// One conformance case, as transcribed from an upstream Go test into
/// `cases/<test>.yaml` (see the suite's FORMAT.md). Every expectation field is
/// optional because an omitted key means "upstream does not check this"; the
/// checkers must be able to tell "absent" from "empty".
public struct CaseFile: Sendable {
    public var name: String
    public var upstream: String
    public var description: String
    public var features: [String]
    public var profile: String
    public var level: String
    public var provisional: Bool
    /// `full`, `partial` or `none`.
    public var captured: String
    public var notes: String
    /// Paths relative to the suite folder, applied after the base manifests.
    public var manifests: [String]
    public var steps: [CaseStep]
    /// The case file this was read from (for messages).
    public var file: String

    public init(name: String, upstream: String = "", description: String = "", features: [String] = [],
                profile: String = "", level: String = "", provisional: Bool = false, captured: String = "full",
                notes: String = "", manifests: [String] = [], steps: [CaseStep] = [], file: String = "<memory>") {
        self.name = name
        self.upstream = upstream
        self.description = description
        self.features = features
        self.profile = profile
        self.level = level
        self.provisional = provisional
        self.captured = captured
        self.notes = notes
        self.manifests = manifests
        self.steps = steps
        self.file = file
    }
}

/// One step: changes to the cluster, then what must hold once they settle.
public struct CaseStep: Sendable {
    public var apply: [String] = []
    public var delete: [ObjectRef] = []
    public var patch: [PatchSpec] = []
    public var status: [StatusExpectation] = []
    public var requests: [RequestCase] = []
    public var distributions: [DistributionCase] = []
    public init() {}
}

/// `{kind, namespace, name}`; namespace "" for cluster-scoped objects.
public struct ObjectRef: Sendable, Hashable {
    public var kind: String
    public var namespace: String
    public var name: String
    public init(kind: String, namespace: String, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }
}

/// A JSON merge patch (written as YAML) for a live object.
public struct PatchSpec: Sendable {
    public var target: ObjectRef
    public var yaml: String
}

/// `{type, status, reason}`: status nil = any status, reason nil = any reason.
public struct ConditionExpectation: Sendable, Hashable {
    public var type: String
    public var status: String?
    public var reason: String?
}

/// A `supportedKinds` entry.
public struct KindExpectation: Sendable, Hashable {
    public var group: String
    public var kind: String
}

public struct ListenerExpectation: Sendable {
    public var name: String
    public var attachedRoutes: Int?
    /// nil = not checked; [] = must be empty; otherwise each must be present.
    public var supportedKinds: [KindExpectation]?
    public var conditions: [ConditionExpectation] = []
}

/// A parentRef as written in an expectation; nil fields are not compared.
public struct ParentRefExpectation: Sendable, Hashable, CustomStringConvertible {
    public var group: String?
    public var kind: String?
    public var namespace: String?
    public var name: String
    public var sectionName: String?
    public var port: Int?

    public var description: String {
        var text = "\(namespace.map { "\($0)/" } ?? "")\(name)"
        if let kind, kind != "Gateway" { text = "\(kind) " + text }
        if let sectionName { text += "/\(sectionName)" }
        if let port { text += ":\(port)" }
        return text
    }
}

public struct ParentExpectation: Sendable {
    public var parentRef: ParentRefExpectation
    public var conditions: [ConditionExpectation] = []
}

/// What one object's status must show. Keys that only some kinds carry are
/// kept so that the runner can tell which expectations it cannot check.
public struct StatusExpectation: Sendable {
    public var kind: String
    public var namespace: String
    public var name: String
    public var conditions: [ConditionExpectation] = []
    public var listeners: [ListenerExpectation] = []
    public var parents: [ParentExpectation] = []
    public var absentParents: [ParentRefExpectation] = []
    /// Extensions of the format for kinds gwsim does not simulate.
    public var attachedListenerSets: Int?
    /// Policy status entries (`status.ancestors`), same shape as route parents.
    public var ancestors: [ParentExpectation] = []
}

/// The request part of a request case.
public struct RequestSpec: Sendable {
    public var method: String?
    /// nil or "" = the gateway address.
    public var host: String?
    /// nil for a pure TLS/TCP connection (a request entry with only `sni`).
    public var path: String?
    public var headers: [(String, String)] = []
    public var sni: String?
    public var `protocol`: String?
    public var body: String?
}

public struct ExpectedRequest: Sendable {
    public var host: String?
    public var method: String?
    public var path: String?
    public var headers: [(String, String)] = []
    public var absentHeaders: [String] = []
    public var sni: String?
}

public struct ExpectedRedirect: Sendable {
    public var scheme: String?
    public var host: String?
    public var port: String?
    public var path: String?
}

public struct ExpectedResponse: Sendable {
    public var headers: [(String, String)] = []
    public var absentHeaders: [String] = []
    public var validHeaderValues: [(String, [String])] = []
}

public struct MirrorExpectation: Sendable {
    public var name: String
    public var namespace: String
    public var percent: Double?
}

public struct Expectation: Sendable {
    public var statusCodes: [Int]?
    /// nil = any backend; "" = no backend may receive it.
    public var backend: String?
    public var namespace: String?
    public var request: ExpectedRequest?
    public var redirect: ExpectedRedirect?
    public var response: ExpectedResponse?
    public var backendSetResponseHeaders: [(String, String)] = []
    public var mirroredTo: [MirrorExpectation] = []
}

public struct RequestCase: Sendable {
    public var gateway: ObjectRef
    public var port: Int
    public var scheme: String
    public var request: RequestSpec
    /// nil when the case file has no expect block.
    public var expect: Expectation?
    public var expectFailure: Bool

    /// A request with only an SNI stands for a TLS (or TCP) connection, not HTTP.
    public var isConnection: Bool { request.path == nil && request.method == nil && request.headers.isEmpty }
    public var isGRPC: Bool { request.protocol?.lowercased() == "grpc" }
}

public struct DistributionCase: Sendable {
    public var gateway: ObjectRef
    public var port: Int
    public var scheme: String
    public var request: RequestSpec
    public var samples: Int
    /// Backend name -> expected share, in file order.
    public var expected: [(String, Double)]
    public var tolerance: Double
}
