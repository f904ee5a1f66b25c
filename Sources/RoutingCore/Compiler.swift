import GatewayAPI

/// Resources -> routing table + status, in a fixed list of phases over one
/// snapshot. The input is never mutated, nothing is remembered between
/// compiles, and every output is sorted, so the same resources always give
/// the same table and the same status.
public enum Compiler {
    public static func compile(_ resources: ResourceSet, options: CompileOptions = CompileOptions()) -> CompiledWorld {
        let context = CompileContext(resources)

        // Phase 1: GatewayClasses this controller manages.
        let classes = context.gatewayClasses.filter { options.controllerName == nil || $0.controllerName == options.controllerName }
        var classStatus: [GatewayClassStatus] = []
        var acceptedClasses: [String: GatewayClass] = [:]
        for gatewayClass in classes {
            let condition = GatewayClassPhase.accepted(gatewayClass, context: context)
            classStatus.append(GatewayClassStatus(key: ObjectKey(kind: "GatewayClass", namespace: "", name: gatewayClass.meta.name),
                                                  conditions: [condition]))
            if condition.isTrue { acceptedClasses[gatewayClass.meta.name] = gatewayClass }
        }

        // Phase 2: Gateways of those classes, and their listeners.
        let allGateways = context.gateways
        var gatewayStates: [GatewayState] = []
        let listenerSets = context.listenerSets.sorted { a, b in
            if a.meta.isOlder(than: b.meta) { return true }
            if b.meta.isOlder(than: a.meta) { return false }
            return (a.meta.namespace, a.meta.name) < (b.meta.namespace, b.meta.name)
        }
        for gateway in allGateways where acceptedClasses[gateway.gatewayClassName] != nil {
            let children = listenerSets.filter { ListenerSetPhase.isChild($0, of: gateway) }
            gatewayStates.append(GatewayPhase.validate(gateway, listenerSets: children, addressPool: options.addressPool, context: context))
        }
        let controllerOf: [ObjectKey: String] = Dictionary(uniqueKeysWithValues: gatewayStates.map {
            ($0.key, acceptedClasses[$0.gateway.gatewayClassName]!.controllerName)
        })
        let fallbackController = options.controllerName ?? classes.first?.controllerName ?? "gwsim.dev/gateway-controller"

        // Phase 3: routes of every kind, compiled, then attached to listeners.
        let backendTLS = BackendTLSPhase(context: context)
        let compiler = RouteCompiler(context: context, backendTLS: backendTLS)
        let routes: [CompiledRoute] = context.httpRoutes.map(compiler.compile)
            + context.grpcRoutes.map(compiler.compile)
            + context.l4Routes.map(compiler.compile)
        var attacher = RouteAttacher(context: context, gateways: gatewayStates,
                                     allGateways: Set(allGateways.map { ObjectKey(kind: "Gateway", namespace: $0.meta.namespace, name: $0.meta.name) }),
                                     controllerName: { controllerOf[$0] ?? fallbackController })
        var routeStatus: [RouteStatus] = []
        var attached: [(CompiledRoute, [Attachment])] = []
        for route in routes {
            let (attachments, status) = attacher.attach(route.view)
            if let status { routeStatus.append(status) }
            if !attachments.isEmpty { attached.append((route, attachments)) }
        }
        gatewayStates = attacher.gateways
        KindConflicts.resolve(&attached, statuses: &routeStatus, gateways: &gatewayStates)
        let policyStatus = backendTLS.status(routes: routes, routeStatus: routeStatus, controllerName: { controllerOf[$0] ?? fallbackController })

        // Phase 4: the routing table, from programmed listeners only.
        let table = TableBuilder.build(gateways: gatewayStates, routes: attached, context: context)

        // Phase 5: status, sorted by key.
        func listenerStatus(_ state: ListenerState) -> ListenerStatus {
            ListenerStatus(name: state.listener.name, supportedKinds: state.supportedKinds,
                           attachedRoutes: state.attachedRoutes, conditions: state.conditions)
        }
        let gatewayStatus = gatewayStates.map { state in
            GatewayStatus(key: state.key, addresses: state.addresses, conditions: state.conditions,
                          listeners: state.listeners.filter { $0.listenerSet == nil }.map(listenerStatus),
                          attachedListenerSets: state.attachedListenerSets)
        }
        let setStatus = gatewayStates.flatMap { state in
            state.listenerSets.map { set in
                ListenerSetStatus(key: set.key, conditions: set.conditions,
                                  listeners: set.accepted || state.listeners.contains { $0.listenerSet == set.key }
                                      ? state.listeners.filter { $0.listenerSet == set.key }.map(listenerStatus) : [])
            }
        }
        let status = StatusReport(gatewayClasses: classStatus.sorted { $0.key < $1.key },
                                  gateways: gatewayStatus.sorted { $0.key < $1.key },
                                  listenerSets: setStatus.sorted { $0.key < $1.key },
                                  routes: routeStatus.sorted { $0.key < $1.key },
                                  policies: policyStatus.sorted { $0.key < $1.key })
        return CompiledWorld(status: status, table: table)
    }
}

/// GatewayClass acceptance (gatewayclass_types.go, Accepted condition).
enum GatewayClassPhase {
    static func accepted(_ gatewayClass: GatewayClass, context: CompileContext) -> Condition {
        let generation = gatewayClass.meta.generation
        if let ref = gatewayClass.parametersRef {
            // gatewayclass_types.go, InvalidParameters: a namespaced kind needs the namespace set.
            if ref.namespace == nil, ref.group == "" || ref.group == "core", ref.kind == "ConfigMap" {
                return Condition("Accepted", false, reason: "InvalidParameters",
                                 message: "parametersRef ConfigMap \(ref.name) has no namespace, which a namespaced resource needs",
                                 observedGeneration: generation)
            }
            let namespace = ref.namespace ?? ""
            let exists = (ref.group == "" || ref.group == "core") && ref.kind == "ConfigMap"
                && context.configMaps[ObjectKey(kind: "ConfigMap", namespace: namespace, name: ref.name)] != nil
            if !exists {
                return Condition("Accepted", false, reason: "InvalidParameters",
                                 message: "parametersRef \(ref.group)/\(ref.kind) \(ref.name) not found", observedGeneration: generation)
            }
        }
        return Condition("Accepted", true, reason: "Accepted", message: "GatewayClass is accepted", observedGeneration: generation)
    }
}
