import GatewayAPI

/// Status in Kubernetes shape: `{apiVersion, kind, metadata: {namespace, name}, status}`,
/// as `kubectl get -o yaml` would show it after a conformant controller wrote it.
extension StatusReport {
    public var objects: [Value] {
        var result: [Value] = []
        for item in gatewayClasses {
            result.append(Self.object(item.key, status: .object([("conditions", Self.conditions(item.conditions))])))
        }
        for item in gateways {
            var status: [(String, Value)] = []
            if !item.addresses.isEmpty {
                status.append(("addresses", .array(item.addresses.map { .object([("type", .string($0.type)), ("value", .string($0.value))]) })))
            }
            status.append(("conditions", Self.conditions(item.conditions)))
            status.append(("listeners", Self.listeners(item.listeners)))
            if item.attachedListenerSets > 0 { status.append(("attachedListenerSets", .int(item.attachedListenerSets))) }
            result.append(Self.object(item.key, status: .object(status)))
        }
        for item in listenerSets {
            result.append(Self.object(item.key, status: .object([("conditions", Self.conditions(item.conditions)),
                                                                 ("listeners", Self.listeners(item.listeners))])))
        }
        for item in policies {
            result.append(Self.object(item.key, status: .object([("ancestors", .array(item.ancestors.map { ancestor in
                .object([
                    ("ancestorRef", Self.parentRef(ancestor.ancestorRef)),
                    ("controllerName", .string(ancestor.controllerName)),
                    ("conditions", Self.conditions(ancestor.conditions)),
                ])
            }))])))
        }
        for item in routes {
            result.append(Self.object(item.key, status: .object([("parents", .array(item.parents.map { parent in
                .object([
                    ("parentRef", Self.parentRef(parent.parentRef)),
                    ("controllerName", .string(parent.controllerName)),
                    ("conditions", Self.conditions(parent.conditions)),
                ])
            }))])))
        }
        return result
    }

    static func object(_ key: ObjectKey, status: Value) -> Value {
        var metadata: [(String, Value)] = []
        if !key.namespace.isEmpty { metadata.append(("namespace", .string(key.namespace))) }
        metadata.append(("name", .string(key.name)))
        return .object([("apiVersion", .string("\(gatewayGroup)/v1")), ("kind", .string(key.kind)),
                        ("metadata", .object(metadata)), ("status", status)])
    }

    static func listeners(_ listeners: [ListenerStatus]) -> Value {
        .array(listeners.map { listener in
            .object([
                ("name", .string(listener.name)),
                ("supportedKinds", .array(listener.supportedKinds.map { .object([("group", .string($0.group)), ("kind", .string($0.kind))]) })),
                ("attachedRoutes", .int(listener.attachedRoutes)),
                ("conditions", Self.conditions(listener.conditions)),
            ])
        })
    }

    static func conditions(_ conditions: [Condition]) -> Value {
        .array(conditions.map {
            .object([("type", .string($0.type)), ("status", .string($0.status)), ("reason", .string($0.reason)),
                     ("message", .string($0.message)), ("observedGeneration", .int($0.observedGeneration))])
        })
    }

    static func parentRef(_ ref: ParentReference) -> Value {
        var fields: [(String, Value)] = [("group", .string(ref.group)), ("kind", .string(ref.kind))]
        if let namespace = ref.namespace { fields.append(("namespace", .string(namespace))) }
        fields.append(("name", .string(ref.name)))
        if let section = ref.sectionName { fields.append(("sectionName", .string(section))) }
        if let port = ref.port { fields.append(("port", .int(port))) }
        return .object(fields)
    }
}
