/// The kinds `Resource` holds, by the names their objects carry, and which of them are
/// cluster-scoped: what an object key typed on a command line (`replay --without`,
/// scenario deletions) can name.
public enum ResourceKinds {
    public static let clusterScoped: Set<String> = ["GatewayClass", "Namespace"]
    /// Where the API server puts a namespaced object written without a namespace
    /// (`kubectl apply` without `-n`).
    public static let defaultNamespace = "default"
    public static let all: [String] = [
        "GatewayClass", "Gateway", "ListenerSet", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute",
        "ReferenceGrant", "BackendTLSPolicy", "Namespace", "Service", "EndpointSlice", "Secret", "ConfigMap",
    ]

    /// The kind's own spelling for `text` in any case (`httproute` -> `HTTPRoute`, as
    /// reports write route keys in lower case), nil when gwsim does not simulate it.
    public static func canonical(_ text: String) -> String? {
        all.first { $0.lowercased() == text.lowercased() }
    }

    /// The namespace an object of `kind` written with `namespace` lives in: the default
    /// one for a namespaced kind written without, none for a cluster-scoped kind.
    public static func namespace(of kind: String, written namespace: String) -> String {
        if clusterScoped.contains(kind) { return "" }
        return namespace.isEmpty ? defaultNamespace : namespace
    }

    /// Parses `KIND/NAMESPACE/NAME`, or `KIND/NAME` for a cluster-scoped kind; the kind in
    /// any case. The message says what is wrong.
    public static func parseKey(_ text: String) -> Result<ObjectKey, KeyError> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
            return .failure(KeyError("expected KIND/NAMESPACE/NAME (or KIND/NAME for cluster-scoped kinds)"))
        }
        guard let kind = canonical(parts[0]) else {
            return .failure(KeyError("\(parts[0]) is not a kind gwsim simulates (\(all.joined(separator: ", ")))"))
        }
        let clusterScoped = clusterScoped.contains(kind)
        if parts.count == 2 && !clusterScoped { return .failure(KeyError("\(kind) is namespaced: write \(kind)/NAMESPACE/\(parts[1])")) }
        if parts.count == 3 && clusterScoped { return .failure(KeyError("\(kind) is cluster-scoped: write \(kind)/\(parts[2])")) }
        return .success(ObjectKey(kind: kind, namespace: parts.count == 3 ? parts[1] : "", name: parts[parts.count - 1]))
    }

    public struct KeyError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
