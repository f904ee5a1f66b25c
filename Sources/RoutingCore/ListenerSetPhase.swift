import GatewayAPI

/// ListenerSet attachment and status (listenerset_types.go; gateway_types.go,
/// AllowedListeners): a ListenerSet attaches when its parent Gateway allows its
/// namespace; it is Accepted while at least one of its listeners is.
enum ListenerSetPhase {
    static func allowed(_ set: ListenerSet, by gateway: Gateway, context: CompileContext) -> Bool {
        switch gateway.allowedListeners {
        case .none: return false
        case .all: return true
        case .same: return set.meta.namespace == gateway.meta.namespace
        case .selector(let selector): return selector.matches(context.labels(ofNamespace: set.meta.namespace))
        }
    }

    /// Whether `set` names `gateway` as its parent.
    static func isChild(_ set: ListenerSet, of gateway: Gateway) -> Bool {
        set.parentRef.group == gatewayGroup && set.parentRef.kind == "Gateway"
            && set.parentRef.name == gateway.meta.name && (set.parentRef.namespace ?? set.meta.namespace) == gateway.meta.namespace
    }

    static func status(_ set: ListenerSet, gateway: GatewayState, gatewayAccepted: Bool, context: CompileContext) -> ListenerSetState {
        let key = ObjectKey(kind: "ListenerSet", namespace: set.meta.namespace, name: set.meta.name)
        let generation = set.meta.generation
        func both(_ ok: Bool, _ reason: String, _ programmedReason: String? = nil, _ message: String) -> [Condition] {
            [Condition("Accepted", ok, reason: reason, message: message, observedGeneration: generation),
             Condition("Programmed", ok, reason: programmedReason ?? reason, message: message, observedGeneration: generation)]
        }
        guard allowed(set, by: gateway.gateway, context: context) else {
            return ListenerSetState(key: key, accepted: false,
                                    conditions: both(false, "NotAllowed", nil, "Gateway \(gateway.key.namespace)/\(gateway.key.name) does not allow ListenerSets from namespace \(set.meta.namespace)"))
        }
        guard gatewayAccepted else {
            return ListenerSetState(key: key, accepted: false, conditions: both(false, "ParentNotAccepted", nil, "the parent Gateway is not accepted"))
        }
        let mine = gateway.listeners.filter { $0.listenerSet == key }
        if !mine.contains(where: { $0.accepted && $0.programmed }) {
            return ListenerSetState(key: key, accepted: false, conditions: both(false, "ListenersNotValid", nil, "no listener is valid"))
        }
        let allValid = mine.allSatisfy { $0.accepted && $0.programmed }
        return ListenerSetState(key: key, accepted: true,
                                conditions: both(true, allValid ? "Accepted" : "ListenersNotValid", "Programmed",
                                                 allValid ? "ListenerSet is accepted" : "some listeners are not valid"))
    }
}
