/// `ReferenceGrant` (apis/v1/referencegrant_types.go): lets objects of the `from`
/// kinds in the `from` namespaces refer to `to` objects in the grant's own namespace.
public struct ReferenceGrant: Sendable, Hashable {
    public struct From: Sendable, Hashable {
        public var group: String
        public var kind: String
        public var namespace: String
        public init(group: String, kind: String, namespace: String) {
            self.group = group
            self.kind = kind
            self.namespace = namespace
        }
    }
    public struct To: Sendable, Hashable {
        public var group: String
        public var kind: String
        /// nil: every object of that kind in the namespace.
        public var name: String?
        public init(group: String, kind: String, name: String? = nil) {
            self.group = group
            self.kind = kind
            self.name = name
        }
    }

    public var meta: ObjectMeta
    public var from: [From]
    public var to: [To]

    public init(meta: ObjectMeta, from: [From], to: [To]) {
        self.meta = meta
        self.from = from
        self.to = to
    }

    /// True when this grant lets an object of `fromGroup`/`fromKind` in `fromNamespace`
    /// refer to the object `toGroup`/`toKind`/`toName` in the grant's namespace.
    public func permits(fromGroup: String, fromKind: String, fromNamespace: String,
                        toGroup: String, toKind: String, toName: String) -> Bool {
        let coreGroup: (String) -> String = { $0 == "core" ? "" : $0 }
        let fromOK = from.contains {
            coreGroup($0.group) == coreGroup(fromGroup) && $0.kind == fromKind && $0.namespace == fromNamespace
        }
        guard fromOK else { return false }
        return to.contains {
            coreGroup($0.group) == coreGroup(toGroup) && $0.kind == toKind && ($0.name == nil || $0.name == toName)
        }
    }
}
