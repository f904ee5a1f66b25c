import GatewayAPI
import RoutingCore
import Testing

/// Status written for GatewayClasses, Gateways, listeners and route parents
/// (gatewayclass_types.go, gateway_types.go, shared_types.go RouteParentStatus).
@Suite struct StatusTests {
    typealias F = Fixture

    static let gwKey = ObjectKey(kind: "Gateway", namespace: "infra", name: "gw")

    func condition(_ conditions: [Condition]?, _ type: String) -> Condition? { conditions?.first { $0.type == type } }

    func gatewayStatus(_ world: CompiledWorld) -> GatewayStatus? { world.status.gateway(Self.gwKey) }
    func listener(_ world: CompiledWorld, _ name: String) -> ListenerStatus? { gatewayStatus(world)?.listeners.first { $0.name == name } }
    func parent(_ world: CompiledWorld, _ route: String, kind: String = "HTTPRoute", namespace: String = "default") -> RouteParentStatus? {
        world.status.route(ObjectKey(kind: kind, namespace: namespace, name: route))?.parents.first
    }

    static let tlsSecret = """
        apiVersion: v1
        kind: Secret
        metadata: {name: cert, namespace: NS}
        type: kubernetes.io/tls
        stringData:
          tls.crt: "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n"
          tls.key: "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n"
        """

    static func secret(in namespace: String) -> String { tlsSecret.replacingOccurrences(of: "NS", with: namespace) }

    // MARK: GatewayClass and Gateway

    @Test func gatewayClassAccepted() {
        let world = F.world([])
        let condition = condition(world.status.gatewayClass("gwsim")?.conditions, "Accepted")
        #expect(condition?.status == "True" && condition?.reason == "Accepted")
    }

    @Test func gatewayAcceptedAndProgrammed() {
        let world = F.world([])
        let status = gatewayStatus(world)
        #expect(condition(status?.conditions, "Accepted")?.status == "True")
        #expect(condition(status?.conditions, "Accepted")?.reason == "Accepted")
        #expect(condition(status?.conditions, "Programmed")?.status == "True")
        #expect(condition(status?.conditions, "Programmed")?.reason == "Programmed")
        let http = listener(world, "http")
        #expect(condition(http?.conditions, "Accepted")?.status == "True")
        #expect(condition(http?.conditions, "Programmed")?.status == "True")
        #expect(condition(http?.conditions, "ResolvedRefs")?.status == "True")
        #expect(condition(http?.conditions, "Conflicted")?.status == "False")
        #expect(http?.supportedKinds.map(\.kind).sorted() == ["GRPCRoute", "HTTPRoute"])
    }

    // MARK: Listener conditions

    @Test func listenerUnsupportedProtocol() {
        let world = F.world([], gateway: F.gateway(listeners: [
            "{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}",
            "{name: odd, port: 9000, protocol: example.com/FANCY}",
        ]))
        let odd = listener(world, "odd")
        #expect(condition(odd?.conditions, "Accepted")?.status == "False")
        #expect(condition(odd?.conditions, "Accepted")?.reason == "UnsupportedProtocol")
        #expect(condition(odd?.conditions, "Programmed")?.status == "False")
        #expect(odd?.supportedKinds.isEmpty == true)
        // The Gateway stays accepted with its valid listener, and says some listeners are not valid.
        let gateway = gatewayStatus(world)
        #expect(condition(gateway?.conditions, "Accepted")?.status == "True")
        #expect(condition(gateway?.conditions, "Accepted")?.reason == "ListenersNotValid")
        #expect(condition(listener(world, "http")?.conditions, "Programmed")?.status == "True")
    }

    @Test func listenerInvalidRouteKinds() {
        let world = F.world([], gateway: F.gateway(listeners: [
            "{name: http, port: 80, protocol: HTTP, allowedRoutes: {kinds: [{kind: TCPRoute}]}}",
        ]))
        let http = listener(world, "http")
        #expect(condition(http?.conditions, "ResolvedRefs")?.status == "False")
        #expect(condition(http?.conditions, "ResolvedRefs")?.reason == "InvalidRouteKinds")
        #expect(http?.supportedKinds.isEmpty == true)
    }

    @Test func listenerPartlyInvalidRouteKindsKeepsTheValidOnes() {
        let world = F.world([], gateway: F.gateway(listeners: [
            "{name: http, port: 80, protocol: HTTP, allowedRoutes: {kinds: [{kind: HTTPRoute}, {kind: TLSRoute}]}}",
        ]))
        let http = listener(world, "http")
        #expect(condition(http?.conditions, "ResolvedRefs")?.reason == "InvalidRouteKinds")
        #expect(http?.supportedKinds.map(\.kind) == ["HTTPRoute"])
    }

    static func httpsGateway(certificateRef: String) -> String {
        F.gateway(listeners: [
            "{name: https, port: 443, protocol: HTTPS, hostname: secure.example.com, tls: {mode: Terminate, certificateRefs: [\(certificateRef)]}, allowedRoutes: {namespaces: {from: All}}}",
        ])
    }

    @Test func listenerWithValidCertificateIsProgrammed() {
        let world = F.world([Self.secret(in: "infra")], gateway: Self.httpsGateway(certificateRef: "{name: cert}"))
        let https = listener(world, "https")
        #expect(condition(https?.conditions, "ResolvedRefs")?.status == "True")
        #expect(condition(https?.conditions, "Programmed")?.status == "True")
    }

    @Test func listenerInvalidCertificateRefForMissingSecret() {
        let world = F.world([], gateway: Self.httpsGateway(certificateRef: "{name: missing}"))
        let https = listener(world, "https")
        #expect(condition(https?.conditions, "ResolvedRefs")?.status == "False")
        #expect(condition(https?.conditions, "ResolvedRefs")?.reason == "InvalidCertificateRef")
        #expect(condition(https?.conditions, "Programmed")?.status == "False")
    }

    @Test func listenerRefNotPermittedForCrossNamespaceSecret() {
        let world = F.world([Self.secret(in: "certs")], gateway: Self.httpsGateway(certificateRef: "{name: cert, namespace: certs}"))
        let https = listener(world, "https")
        #expect(condition(https?.conditions, "ResolvedRefs")?.status == "False")
        #expect(condition(https?.conditions, "ResolvedRefs")?.reason == "RefNotPermitted")
        #expect(condition(https?.conditions, "Programmed")?.status == "False")
        let grant = """
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: ReferenceGrant
            metadata: {name: certs-for-gateways, namespace: certs}
            spec:
              from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: infra}]
              to: [{group: '', kind: Secret, name: cert}]
            """
        let granted = F.world([Self.secret(in: "certs"), grant], gateway: Self.httpsGateway(certificateRef: "{name: cert, namespace: certs}"))
        #expect(condition(listener(granted, "https")?.conditions, "ResolvedRefs")?.status == "True")
    }

    /// gateway_types.go, OverlappingTLSConfig: "A: foo.example.com, B: foo.example.org,
    /// C: *.example.com ... set for Listeners A and C, but not B"; a listener without a
    /// hostname overlaps every other, and a listener on another port none.
    @Test func overlappingTLSHostnamesAreMarked() {
        func https(_ name: String, _ hostname: String?, port: Int = 443) -> String {
            "{name: \(name), port: \(port), protocol: HTTPS\(hostname.map { ", hostname: '\($0)'" } ?? ""), tls: {certificateRefs: [{name: cert}]}}"
        }
        let world = F.world([Self.secret(in: "infra")], gateway: F.gateway(listeners: [
            https("a", "foo.example.com"), https("b", "foo.example.org"), https("c", "*.example.com"), https("d", "bar.example.com", port: 8443),
        ]))
        for name in ["a", "c"] {
            let overlap = condition(listener(world, name)?.conditions, "OverlappingTLSConfig")
            #expect(overlap?.status == "True" && overlap?.reason == "OverlappingHostnames", "\(name)")
        }
        for name in ["b", "d"] { #expect(condition(listener(world, name)?.conditions, "OverlappingTLSConfig") == nil, "\(name)") }
        let catchAll = F.world([Self.secret(in: "infra")], gateway: F.gateway(listeners: [https("any", nil), https("b", "foo.example.org")]))
        #expect(condition(listener(catchAll, "b")?.conditions, "OverlappingTLSConfig")?.message == "hostname overlaps listener any (any hostname) on port 443")
    }

    @Test func listenerProtocolConflict() {
        // "all the Listeners that share a port with the TCP Listener are not distinct and so MUST NOT be accepted."
        let world = F.world([], gateway: F.gateway(listeners: [
            "{name: http, port: 80, protocol: HTTP}",
            "{name: tcp, port: 80, protocol: TCP}",
            "{name: other, port: 8080, protocol: HTTP}",
        ]))
        for name in ["http", "tcp"] {
            let status = listener(world, name)
            #expect(condition(status?.conditions, "Conflicted")?.status == "True", "\(name)")
            #expect(condition(status?.conditions, "Conflicted")?.reason == "ProtocolConflict", "\(name)")
            #expect(condition(status?.conditions, "Accepted")?.status == "False", "\(name)")
        }
        #expect(condition(listener(world, "other")?.conditions, "Conflicted")?.status == "False")
        #expect(condition(gatewayStatus(world)?.conditions, "Accepted")?.reason == "ListenersNotValid")
        // Neither conflicted listener serves traffic.
        #expect(world.table.route(get("/"), key: "k").listener == nil)
    }

    @Test func listenerHostnameConflict() {
        // The CRD's CEL rejects two HTTP listeners with one port and hostname, so build them directly.
        var resources = F.load([F.gatewayClass] + F.services)
        let listeners = [
            Listener(name: "a", hostname: "dup.example.com", port: 80, protocol: .http, allowedRoutes: AllowedRoutes(from: .all)),
            Listener(name: "b", hostname: "dup.example.com", port: 80, protocol: .http, allowedRoutes: AllowedRoutes(from: .all)),
            Listener(name: "c", hostname: "other.example.com", port: 80, protocol: .http, allowedRoutes: AllowedRoutes(from: .all)),
        ]
        resources.apply(.gateway(Gateway(meta: ObjectMeta(name: "gw", namespace: "infra"), gatewayClassName: "gwsim", listeners: listeners)))
        let world = Compiler.compile(resources)
        for name in ["a", "b"] {
            #expect(condition(listener(world, name)?.conditions, "Conflicted")?.reason == "HostnameConflict", "\(name)")
            #expect(condition(listener(world, name)?.conditions, "Accepted")?.status == "False", "\(name)")
        }
        #expect(condition(listener(world, "c")?.conditions, "Accepted")?.status == "True")
    }

    @Test func httpsAndTLSListenersWithOneHostnameOnOnePortConflict() {
        // ListenerReasonHostnameConflict: "this reason would be used when multiple Listeners on the same port
        // use `example.com` in the hostname field." HTTPS and TLS listeners both select by SNI, so a
        // connection for dup.example.com on 443 cannot be assigned to exactly one listener.
        let world = F.world([Self.secret(in: "infra")], gateway: F.gateway(listeners: [
            "{name: https, port: 443, protocol: HTTPS, hostname: dup.example.com, tls: {certificateRefs: [{name: cert}]}}",
            "{name: tls, port: 443, protocol: TLS, hostname: dup.example.com, tls: {mode: Passthrough}}",
        ]))
        for name in ["https", "tls"] {
            #expect(condition(listener(world, name)?.conditions, "Conflicted")?.status == "True", "\(name)")
        }
    }

    // MARK: attachedRoutes

    @Test func attachedRoutesCounts() {
        let gateway = F.gateway(listeners: [
            "{name: a, port: 80, protocol: HTTP, hostname: a.example.com, allowedRoutes: {namespaces: {from: All}}}",
            "{name: b, port: 80, protocol: HTTP, hostname: b.example.com, allowedRoutes: {namespaces: {from: All}}}",
            "{name: same, port: 8080, protocol: HTTP}",
        ])
        let world = F.world([
            F.httpRoute("both", rules: "[\(rule(to: "one"))]"), // no hostnames: attaches to a and b (not `same`: namespace)
            F.httpRoute("only-a", hostnames: ["a.example.com"], rules: "[\(rule(to: "one"))]"),
            F.httpRoute("only-a-by-section", parent: "{name: gw, namespace: infra, sectionName: a}", rules: "[\(rule(to: "one"))]"),
            F.httpRoute("nowhere", hostnames: ["c.example.com"], rules: "[\(rule(to: "one"))]"),
        ], gateway: gateway)
        #expect(listener(world, "a")?.attachedRoutes == 3)
        #expect(listener(world, "b")?.attachedRoutes == 1)
        #expect(listener(world, "same")?.attachedRoutes == 0)
        #expect(condition(parent(world, "nowhere")?.conditions, "Accepted")?.reason == "NoMatchingListenerHostname")
    }

    // MARK: Route parents

    @Test func routeAccepted() {
        let world = F.world([F.httpRoute("ok", rules: "[\(rule(to: "one"))]")])
        let p = parent(world, "ok")
        #expect(condition(p?.conditions, "Accepted")?.status == "True")
        #expect(condition(p?.conditions, "Accepted")?.reason == "Accepted")
        #expect(condition(p?.conditions, "ResolvedRefs")?.status == "True")
        #expect(condition(p?.conditions, "ResolvedRefs")?.reason == "ResolvedRefs")
        #expect(p?.controllerName == "gwsim.dev/gateway-controller")
        #expect(p?.parentRef.name == "gw" && p?.parentRef.namespace == "infra")
    }

    @Test func routeNotAllowedByListenersFromSameNamespace() {
        let gateway = F.gateway(listeners: ["{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}"])
        let world = F.world([
            F.service("one", namespace: "infra"),
            F.httpRoute("outsider", rules: "[\(rule(to: "one"))]"),
            F.httpRoute("insider", namespace: "infra", rules: "[\(rule(to: "one"))]"),
        ], gateway: gateway)
        #expect(condition(parent(world, "outsider")?.conditions, "Accepted")?.status == "False")
        #expect(condition(parent(world, "outsider")?.conditions, "Accepted")?.reason == "NotAllowedByListeners")
        #expect(condition(parent(world, "insider", namespace: "infra")?.conditions, "Accepted")?.status == "True")
        #expect(listener(world, "http")?.attachedRoutes == 1)
    }

    @Test func routeNoMatchingListenerHostname() {
        let gateway = F.gateway(listeners: ["{name: http, port: 80, protocol: HTTP, hostname: foo.example.com, allowedRoutes: {namespaces: {from: All}}}"])
        let world = F.world([F.httpRoute("r", hostnames: ["bar.example.com", "*.example.org"], rules: "[\(rule(to: "one"))]")], gateway: gateway)
        let accepted = condition(parent(world, "r")?.conditions, "Accepted")
        #expect(accepted?.status == "False" && accepted?.reason == "NoMatchingListenerHostname")
        #expect(listener(world, "http")?.attachedRoutes == 0)
        #expect(world.table.route(get("/", host: "foo.example.com"), key: "k").status == 404)
    }

    @Test func routeNoMatchingParentForBadSectionNameOrPort() {
        let world = F.world([
            F.httpRoute("bad-section", parent: "{name: gw, namespace: infra, sectionName: nope}", rules: "[\(rule(to: "one"))]"),
            F.httpRoute("bad-port", parent: "{name: gw, namespace: infra, port: 81}", rules: "[\(rule(to: "one"))]"),
            F.httpRoute("good-port", parent: "{name: gw, namespace: infra, port: 80}", rules: "[\(rule(to: "one"))]"),
        ])
        for name in ["bad-section", "bad-port"] {
            let accepted = condition(parent(world, name)?.conditions, "Accepted")
            #expect(accepted?.status == "False" && accepted?.reason == "NoMatchingParent", "\(name)")
        }
        #expect(condition(parent(world, "good-port")?.conditions, "Accepted")?.status == "True")
        #expect(listener(world, "http")?.attachedRoutes == 1)
    }

    func resolvedRefs(_ backend: String, extra: [String] = []) -> Condition? {
        let world = F.world(extra + [F.httpRoute("r", rules: "[{backendRefs: [\(backend)]}]")])
        let p = parent(world, "r")
        // An unresolved reference does not stop the route from being accepted.
        #expect(condition(p?.conditions, "Accepted")?.status == "True")
        return condition(p?.conditions, "ResolvedRefs")
    }

    @Test func resolvedRefsBackendNotFound() {
        let c = resolvedRefs("{name: missing, port: 80}")
        #expect(c?.status == "False" && c?.reason == "BackendNotFound")
    }

    /// The first problem gives the reason; the message names every backend that does not resolve.
    @Test func resolvedRefsMessageNamesEveryProblem() {
        let c = resolvedRefs("{name: missing, port: 80}, {group: example.com, kind: Bucket, name: b}, {name: svc, namespace: other, port: 80}",
                             extra: [F.service("svc", namespace: "other")])
        #expect(c?.reason == "BackendNotFound")
        #expect(c?.message == "Service default/missing not found; backend kind example.com/Bucket is not supported (InvalidKind); "
            + "Service other/svc is in another namespace and no ReferenceGrant allows it (RefNotPermitted)")
    }

    @Test func resolvedRefsRefNotPermitted() {
        let c = resolvedRefs("{name: svc, namespace: other, port: 80}", extra: [F.service("svc", namespace: "other")])
        #expect(c?.status == "False" && c?.reason == "RefNotPermitted")
    }

    @Test func resolvedRefsInvalidKind() {
        let c = resolvedRefs("{group: example.com, kind: Bucket, name: b}")
        #expect(c?.status == "False" && c?.reason == "InvalidKind")
    }

    @Test func resolvedRefsUnsupportedProtocol() {
        let c = resolvedRefs("{name: odd, port: 80}", extra: [F.service("odd", appProtocol: "example.com/carrier-pigeon")])
        #expect(c?.status == "False" && c?.reason == "UnsupportedProtocol")
        // A known appProtocol is fine.
        let h2c = resolvedRefs("{name: h2, port: 80}", extra: [F.service("h2", appProtocol: "kubernetes.io/h2c")])
        #expect(h2c?.status == "True")
    }

    @Test func partiallyInvalidRuleWithBadRegex() {
        let world = F.world([F.httpRoute("r", rules: """
            [\(rule("{path: {value: /ok}}", to: "one")), \(rule("{path: {type: RegularExpression, value: '/(['}}", to: "two"))]
            """)])
        let p = parent(world, "r")
        #expect(condition(p?.conditions, "Accepted")?.status == "True")
        let partial = condition(p?.conditions, "PartiallyInvalid")
        #expect(partial?.status == "True" && partial?.reason == "UnsupportedValue")
        #expect(partial?.message.contains("rule 1") == true)
        // The valid rule serves; the dropped one does not.
        #expect(world.table.route(get("/ok"), key: "k").backendName == "one")
        #expect(world.table.route(get("/("), key: "k").status == 404)
    }

    @Test func everyRuleInvalidIsNotAccepted() {
        let world = F.world([F.httpRoute("r", rules: "[\(rule("{path: {type: RegularExpression, value: '/(['}}", to: "one"))]")])
        let accepted = condition(parent(world, "r")?.conditions, "Accepted")
        #expect(accepted?.status == "False" && accepted?.reason == "UnsupportedValue")
        // gateway_types.go, ListenerStatus.AttachedRoutes: only routes whose Accepted is True count.
        #expect(listener(world, "http")?.attachedRoutes == 0)
    }

    @Test func observedGenerationEqualsMetadataGeneration() {
        let route = F.httpRoute("r", rules: "[\(rule(to: "one"))]").replacingOccurrences(of: "metadata: {name: r, namespace: default}",
                                                                                         with: "metadata: {name: r, namespace: default, generation: 7}")
        let gateway = F.gateway().replacingOccurrences(of: "metadata: {name: gw, namespace: infra}", with: "metadata: {name: gw, namespace: infra, generation: 3}")
        let world = F.world([route], gateway: gateway)
        let routeConditions = parent(world, "r")?.conditions ?? []
        #expect(!routeConditions.isEmpty && routeConditions.allSatisfy { $0.observedGeneration == 7 })
        let status = gatewayStatus(world)
        #expect(!(status?.conditions.isEmpty ?? true) && status!.conditions.allSatisfy { $0.observedGeneration == 3 })
        #expect(status!.listeners.flatMap(\.conditions).allSatisfy { $0.observedGeneration == 3 })
        #expect(world.status.gatewayClass("gwsim")?.conditions.allSatisfy { $0.observedGeneration == 1 } == true)
    }

    @Test func controllerRestrictionLeavesOtherClassesAlone() {
        let otherClass = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: other}
            spec: {controllerName: example.com/other-controller}
            """
        let otherGateway = F.gateway(name: "other-gw", className: "other",
                                     listeners: ["{name: http, port: 9090, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}"])
        let route = F.httpRoute("to-other", parent: "{name: other-gw, namespace: infra}", rules: "[\(rule(to: "one"))]")
        let world = F.world([otherClass, otherGateway, route], options: CompileOptions(controllerName: "gwsim.dev/gateway-controller"))
        #expect(world.status.gatewayClass("gwsim") != nil)
        #expect(world.status.gatewayClass("other") == nil)
        #expect(world.status.gateway(ObjectKey(kind: "Gateway", namespace: "infra", name: "other-gw")) == nil)
        #expect(world.status.gateway(Self.gwKey) != nil)
        // The other controller's route gets no status from us and its Gateway serves nothing here.
        #expect(world.status.route(ObjectKey(kind: "HTTPRoute", namespace: "default", name: "to-other")) == nil)
        #expect(world.table.gateways(listeningOn: 9090).isEmpty)
        #expect(world.table.route(get("/", port: 9090), key: "k").status == 404)
        // Without the restriction both are programmed.
        let all = F.world([otherClass, otherGateway, route])
        #expect(condition(all.status.gateway(ObjectKey(kind: "Gateway", namespace: "infra", name: "other-gw"))?.conditions, "Programmed")?.status == "True")
        #expect(all.table.route(get("/", port: 9090), key: "k").backendName == "one")
    }

    @Test func httpRouteAndGRPCRouteWithIntersectingHostnamesAcceptOnlyTheOlder() {
        // grpcroute_types.go, GRPCRouteSpec.hostnames: "If a Route (A) of type HTTPRoute or GRPCRoute is attached to a
        // Listener and that listener already has another Route (B) of the other type attached and the intersection
        // of the hostnames of A and B is non-empty, then the implementation MUST accept exactly one of these two
        // routes ... The oldest Route based on creation timestamp ... The rejected Route MUST raise an 'Accepted'
        // condition with a status of 'False' in the corresponding RouteParentStatus."
        let http = F.httpRoute("web", hostnames: ["api.example.com"], created: "2020-01-01T00:00:00Z", rules: "[\(rule(to: "one"))]")
        let grpc = F.grpcRoute("rpc", hostnames: ["*.example.com"], rules: "[{backendRefs: [{name: two, port: 80}]}]")
            .replacingOccurrences(of: "metadata: {name: rpc, namespace: default}",
                                  with: "metadata: {name: rpc, namespace: default, creationTimestamp: \"2024-01-01T00:00:00Z\"}")
        let world = F.world([http, grpc])
        #expect(condition(parent(world, "web")?.conditions, "Accepted")?.status == "True")
        #expect(condition(parent(world, "rpc", kind: "GRPCRoute")?.conditions, "Accepted")?.status == "False")
    }

    @Test func aRouteThatLostItsListenerDoesNotPushOutTheOtherKind() {
        // Only attached routes compete (GRPCRouteSpec.hostnames): the GRPCRoute loses to the older
        // HTTPRoute on a.example.com, so the younger HTTPRoute on b.example.com meets no GRPCRoute.
        let first = F.httpRoute("first", hostnames: ["a.example.com"], created: "2024-01-01T00:00:00Z", rules: "[\(rule(to: "one"))]")
        let grpc = F.grpcRoute("rpc", hostnames: [], rules: "[{backendRefs: [{name: two, port: 80}]}]")
            .replacingOccurrences(of: "metadata: {name: rpc, namespace: default}",
                                  with: "metadata: {name: rpc, namespace: default, creationTimestamp: \"2024-01-02T00:00:00Z\"}")
        let second = F.httpRoute("second", hostnames: ["b.example.com"], created: "2024-01-03T00:00:00Z", rules: "[\(rule(to: "three"))]")
        let world = F.world([first, grpc, second])
        #expect(condition(parent(world, "first")?.conditions, "Accepted")?.status == "True")
        #expect(condition(parent(world, "rpc", kind: "GRPCRoute")?.conditions, "Accepted")?.reason == "NotAllowedByListeners")
        #expect(condition(parent(world, "second")?.conditions, "Accepted")?.status == "True")
        #expect(listener(world, "http")?.attachedRoutes == 2)
        #expect(world.table.route(get("/", host: "b.example.com"), key: "k").backendName == "three")
    }

    @Test func missingParentGatewayIsReported() {
        let world = F.world([F.httpRoute("lost", parent: "{name: nope, namespace: infra}", rules: "[\(rule(to: "one"))]")])
        let accepted = condition(parent(world, "lost")?.conditions, "Accepted")
        #expect(accepted?.status == "False")
    }
}
