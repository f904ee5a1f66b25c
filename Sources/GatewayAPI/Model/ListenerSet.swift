/// `ListenerSet` (apis/v1/listenerset_types.go): listeners that attach to a
/// parent Gateway from outside its spec, when the Gateway's `allowedListeners`
/// lets them. Routes reach its listeners through a parentRef of kind ListenerSet.
public struct ListenerSet: Sendable, Hashable {
    public var meta: ObjectMeta
    /// `spec.parentRef`: the Gateway (namespace defaults to the ListenerSet's own).
    public var parentRef: ParentReference
    public var listeners: [Listener]

    public init(meta: ObjectMeta, parentRef: ParentReference, listeners: [Listener]) {
        self.meta = meta
        self.parentRef = parentRef
        self.listeners = listeners
    }
}

/// `AllowedListeners` of a Gateway: which namespaces' ListenerSets may attach.
/// The API default is None.
public enum AllowedListeners: Sendable, Hashable {
    case none, same, all
    case selector(LabelSelector)
}
