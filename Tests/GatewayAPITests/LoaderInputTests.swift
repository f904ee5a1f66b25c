import XCTest
@testable import GatewayAPI

/// Input formats: YAML streams, JSON, `kind: List`, malformed text, odd values.
final class LoaderInputTests: XCTestCase {
    func testSeedManifestsLoadAndConvert() throws {
        let result = Loader.load(text: Fixtures.seed, file: "seed.yaml")
        XCTAssertFalse(result.hasErrors, result.diagnostics.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(result.objects.count, 5)
        let warnings = result.diagnostics.filter { $0.severity == .warning }
        XCTAssertEqual(warnings.count, 4)
        XCTAssertTrue(warnings.contains { $0.message.contains("converted networking.x-k8s.io/v1alpha1 HTTPRoute to gateway.networking.k8s.io/v1 (forwardTo -> backendRefs") })
        let notes = result.diagnostics.filter { $0.severity == .note }
        XCTAssertEqual(notes.map(\.message), ["skipped apps/v1 Deployment kube-system/whoami: kind not simulated"])

        let set = result.resources
        XCTAssertEqual(set.gatewayClasses.first?.controllerName, "traefik.io/gateway-controller")
        let gw = try XCTUnwrap(set.gateways.first)
        XCTAssertEqual(gw.meta.namespace, "kube-system")
        XCTAssertEqual(gw.listeners.first?.name, "listener-0")
        XCTAssertEqual(gw.listeners.first?.port, 8000)
        XCTAssertEqual(gw.listeners.first?.allowedRoutes.kinds, [RouteGroupKind(group: gatewayGroup, kind: "HTTPRoute")])
        XCTAssertEqual(gw.listeners.first?.allowedRoutes.routeSelector, LabelSelector(matchLabels: ["app": "traefik"]))
        XCTAssertEqual(gw.listeners.first?.allowedRoutes.from, .same)

        let route = try XCTUnwrap(set.httpRoutes.first { $0.meta.name == "http-app-1" })
        XCTAssertEqual(route.parentRefs, [])
        XCTAssertEqual(route.meta.annotations["gwsim.dev/converted-from"], "networking.x-k8s.io/v1alpha1")
        XCTAssertEqual(route.meta.labels, ["app": "traefik"])
        XCTAssertEqual(route.hostnames, ["whoami"])
        XCTAssertEqual(route.rules.first?.matches, [HTTPRouteMatch(path: HTTPPathMatch(type: .exact, value: "/"))])
        XCTAssertEqual(route.rules.first?.backendRefs, [HTTPBackendRef(ref: BackendObjectReference(name: "whoami", port: 80), weight: 1)])

        let canary = try XCTUnwrap(set.httpRoutes.first { $0.meta.name == "http-app-canary" })
        XCTAssertEqual(canary.rules.first?.matches, [HTTPRouteMatch()])
        XCTAssertEqual(canary.rules.first?.backendRefs.map(\.weight), [3, 1])
        XCTAssertEqual(set.services.first?.ports.first?.targetPort, "web")
    }

    /// A typed list, as the API server answers: items without kind and apiVersion.
    func testTypedListItemsTakeTheListsKindAndVersion() throws {
        let text = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRouteList
        items:
        - metadata: {name: r, namespace: default}
          spec:
            rules: [{backendRefs: [{name: a, port: 80}]}]
        """
        let result = Loader.load(text: text, file: "list.yaml")
        XCTAssertFalse(result.hasErrors, "\(result.diagnostics)")
        XCTAssertEqual(result.objects.map(\.resource.key.description), ["HTTPRoute/default/r"])
        XCTAssertEqual(result.objects.first?.raw["apiVersion"]?.stringValue, "gateway.networking.k8s.io/v1")
    }

    /// v1alpha1 shapes beyond the seed's: Prefix paths, header and query maps, filter maps.
    func testV1Alpha1MatchAndFilterShapesConvert() throws {
        let text = """
        apiVersion: networking.x-k8s.io/v1alpha1
        kind: HTTPRoute
        metadata: {name: r, namespace: default}
        spec:
          rules:
          - matches:
            - path: {type: Prefix, value: /pre}
              headers: {type: RegularExpression, values: {X-V: "[0-9]+"}}
              queryParams: {values: {q: "2"}}
            - headers: {values: {a: "1"}}
            filters:
            - type: RequestHeaderModifier
              requestHeaderModifier: {set: {X-S: v}, add: {X-A: w}, remove: [X-R]}
            - type: RequestMirror
              requestMirror: {serviceName: shadow, port: 8080}
            forwardTo:
            - {serviceName: web, port: 80}
        """
        let result = Loader.load(text: text, file: "v1alpha1.yaml")
        XCTAssertFalse(result.hasErrors, "\(result.diagnostics)")
        guard case .httpRoute(let route)? = result.objects.first?.resource else { return XCTFail("not loaded") }
        let matches = route.rules[0].matches
        XCTAssertEqual(matches[0].path, HTTPPathMatch(type: .pathPrefix, value: "/pre"))
        XCTAssertEqual(matches[0].headers, [HTTPHeaderMatch(type: .regularExpression, name: "X-V", value: "[0-9]+")])
        XCTAssertEqual(matches[0].queryParams, [HTTPQueryParamMatch(name: "q", value: "2")])
        XCTAssertEqual(matches[1].path, HTTPPathMatch(type: .pathPrefix, value: "/"))
        guard case .requestHeaderModifier(let modifier) = route.rules[0].filters[0] else { return XCTFail("no modifier") }
        XCTAssertEqual(modifier.set.map(\.name), ["X-S"])
        XCTAssertEqual(modifier.add.map(\.value), ["w"])
        XCTAssertEqual(modifier.remove, ["X-R"])
        guard case .requestMirror(let mirror) = route.rules[0].filters[1] else { return XCTFail("no mirror") }
        XCTAssertEqual(mirror.backendRef.name, "shadow")
    }

    /// A kind in a version no release of the CRDs served is refused as kubectl would be,
    /// naming the versions that do serve it; the versions some release served load.
    func testKindVersionPairsNoReleaseServedAreErrors() {
        func load(_ apiVersion: String, _ kind: String) -> LoadResult {
            Loader.load(text: "apiVersion: gateway.networking.k8s.io/\(apiVersion)\nkind: \(kind)\nmetadata: {name: x, namespace: a}\nspec: {}\n", file: "v.yaml")
        }
        let tcp = load("v1beta1", "TCPRoute")
        XCTAssertTrue(tcp.hasErrors)
        XCTAssertTrue(tcp.diagnostics.contains { $0.description.contains("v.yaml:1: error: apiVersion: no TCPRoute in gateway.networking.k8s.io/v1beta1 (gateway.networking.k8s.io serves TCPRoute as v1, v1alpha2)") },
                      "\(tcp.diagnostics)")
        XCTAssertTrue(load("v1alpha3", "HTTPRoute").hasErrors)
        for (version, kind) in [("v1alpha2", "ReferenceGrant"), ("v1alpha3", "TLSRoute"), ("v1alpha2", "GRPCRoute")] {
            XCTAssertFalse(load(version, kind).diagnostics.contains { $0.description.contains("no \(kind) in") }, "\(version) \(kind)")
        }
    }

    func testJSONSyntaxErrorsSayJSON() {
        let result = Loader.load(text: "{\"apiVersion\": \"v1\",\n \"kind\": ", file: "x.json")
        XCTAssertTrue(result.diagnostics.contains { $0.message.hasPrefix("invalid JSON: ") }, "\(result.diagnostics)")
    }

    func testListInputAsKubectlWritesIt() throws {
        let text = """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: gateway.networking.k8s.io/v1
          kind: GatewayClass
          metadata:
            name: gwsim
            managedFields:
            - manager: kubectl
          spec:
            controllerName: gwsim.dev/controller
          status:
            conditions: []
        - apiVersion: v1
          kind: Service
          metadata:
            name: svc
            creationTimestamp: "2024-01-02T03:04:05Z"
          spec:
            ports:
            - port: 8080
              targetPort: 9090
        metadata:
          resourceVersion: ""
        """
        let result = Loader.load(text: text, file: "list.yaml")
        XCTAssertFalse(result.hasErrors, "\(result.diagnostics)")
        XCTAssertEqual(result.objects.count, 2)
        XCTAssertEqual(result.objects[0].location.line, 4)
        XCTAssertNil(result.objects[0].raw["status"])
        XCTAssertNil(result.objects[0].raw["metadata"]?["managedFields"])
        let svc = try XCTUnwrap(result.resources.services.first)
        XCTAssertEqual(svc.meta.namespace, "default")
        XCTAssertEqual(svc.meta.creationTimestamp, 1_704_164_645)
        XCTAssertEqual(svc.ports.first?.targetPort, "9090")
        XCTAssertEqual(result.objects[1].resource.meta.loadOrder, 1)
    }

    func testJSONInput() throws {
        let json = """
        {"apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "HTTPRoute",
         "metadata": {"name": "j", "namespace": "ns"},
         "spec": {"parentRefs": [{"name": "gw"}],
                  "rules": [{"matches": [{"path": {"value": "/a"}, "headers": [{"name": "x", "value": "1"}]}],
                             "backendRefs": [{"name": "svc", "port": 80}]}]}}
        """
        let result = Loader.load(text: json, file: "r.json")
        XCTAssertFalse(result.hasErrors, "\(result.diagnostics)")
        let route = try XCTUnwrap(result.resources.httpRoutes.first)
        XCTAssertEqual(route.parentRefs, [ParentReference(name: "gw")])
        XCTAssertEqual(route.rules[0].matches[0].path, HTTPPathMatch(type: .pathPrefix, value: "/a"))
        XCTAssertEqual(route.rules[0].matches[0].headers, [HTTPHeaderMatch(type: .exact, name: "x", value: "1")])
        XCTAssertEqual(route.rules[0].backendRefs, [HTTPBackendRef(ref: BackendObjectReference(name: "svc", port: 80))])
        // Round trip through the value's own JSON.
        let reparsed = try Value.parseJSON(result.objects[0].raw.toJSON(sortedKeys: false))
        XCTAssertEqual(reparsed, result.objects[0].raw)
        let (again, diags) = Loader.decode(reparsed, location: SourceLocation(file: "log", line: 7), loadOrder: 3)
        XCTAssertTrue(diags.isEmpty)
        XCTAssertEqual(again?.resource.meta.loadOrder, 3)
    }

    func testMalformedYAMLReportsLineAndKeepsOtherDocuments() {
        let text = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: a
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: [b
          labels: {}
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: c
        """
        let result = Loader.load(text: text, file: "bad.yaml")
        XCTAssertEqual(result.objects.map(\.resource.meta.name), ["a", "c"])
        let errors = result.diagnostics.filter { $0.severity == .error }
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue((9...11).contains(errors[0].location.line), "\(errors[0])")
        XCTAssertTrue(errors[0].description.hasPrefix("bad.yaml:"))
    }

    func testEmptyDocumentsAndMissingPaths() {
        let result = Loader.load(text: "---\n# nothing\n---\n\n---\n", file: "empty.yaml")
        XCTAssertTrue(result.diagnostics.isEmpty)
        XCTAssertTrue(result.objects.isEmpty)
        let missing = Loader.load(paths: ["/nonexistent/gwsim/path.yaml"])
        XCTAssertTrue(missing.hasErrors)
    }

    func testHostileInputsDoNotCrash() {
        let inputs = [
            "a: &a [*a]", "[[[[[[[[[[", String(repeating: "[", count: 100_000),
            String(repeating: "- ", count: 50_000) + "x",
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 99999999999999999999999}]}",
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 1e300}]}",
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: -9223372036854775808}]}",
            "apiVersion: 5\nkind: [x]", "- 1\n- 2", "\"just a string\"", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: '!!!'}",
            "a: &a {b: *a}", "x: !!binary AAAA", "{\"a\": 1,}", "\u{FEFF}apiVersion: v1\nkind: Namespace\nmetadata: {name: bom}",
            "a: &x [1]\nb: &y [*x, *x, *x, *x, *x, *x, *x, *x]\nc: &z [*y, *y, *y, *y, *y, *y, *y, *y]\nd: [*z, *z, *z, *z, *z, *z, *z, *z]",
        ]
        for input in inputs {
            _ = Loader.load(text: input, file: "hostile.yaml")
        }
        let port = Loader.load(text: inputs[4], file: "p.yaml")
        XCTAssertTrue(port.hasErrors)
    }

    func testYAMLSerializerRoundTrips() throws {
        let value = Value.object([
            ("a", .string("yes")), ("b", .array([.object([("c", .int(1)), ("d", .string("x: y"))]), .string("")])),
            ("e", .object([])), ("f", .double(1.5)), ("g", .null), ("h", .string("-dash")), ("i", .string("multi\nline")),
        ])
        let text = value.toYAML()
        let back = Loader.load(text: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", file: "x").objects.count
        XCTAssertEqual(back, 1)
        let docs = YAMLReader.read(text)
        guard case .success(let doc) = docs.first else { return XCTFail("\(text)") }
        XCTAssertEqual(doc.value, value, text)
    }

    func testDurationsAndTimestamps() {
        XCTAssertEqual(GatewayDuration.seconds("1h30m"), 5400)
        XCTAssertEqual(GatewayDuration.seconds("500ms"), 0.5)
        XCTAssertNil(GatewayDuration.seconds("1.5s"))
        XCTAssertNil(GatewayDuration.seconds("100000s"))
        XCTAssertNil(GatewayDuration.seconds("1s1s1s1s1s"))
        XCTAssertEqual(RFC3339.seconds("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(RFC3339.seconds("2024-01-02T03:04:05Z"), 1_704_164_645)
        XCTAssertEqual(RFC3339.seconds("2024-01-02T04:04:05+01:00"), 1_704_164_645)
        XCTAssertNil(RFC3339.seconds("2024-13-02T03:04:05Z"))
    }
}
