import XCTest
@testable import GatewayAPI

/// One test per validation family: each asserts the object is rejected with the
/// rule's message at the offending field (so removing the rule fails the test).
final class ValidationTests: XCTestCase {
    /// Loads `text` and returns the error diagnostics.
    func errors(_ text: String) -> [Diagnostic] {
        Loader.load(text: text, file: "t.yaml").diagnostics.filter { $0.severity == .error }
    }

    func assertRejected(_ text: String, field: String, contains message: String, file: StaticString = #filePath, line: UInt = #line) {
        let result = Loader.load(text: text, file: "t.yaml")
        XCTAssertTrue(result.objects.isEmpty, "object should be rejected", file: file, line: line)
        let match = result.diagnostics.contains { $0.severity == .error && $0.field == field && $0.message.contains(message) }
        XCTAssertTrue(match, "no error \(field): \(message) in\n" + result.diagnostics.map(\.description).joined(separator: "\n"), file: file, line: line)
    }

    func rule(_ body: String) -> String {
        Fixtures.httpRoute(rules: body)
    }

    func testValidRouteIsAccepted() {
        let text = rule("""
          - matches:
            - path: {type: PathPrefix, value: /api}
            filters:
            - type: URLRewrite
              urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}
            backendRefs:
            - name: svc
              port: 80
        """)
        XCTAssertEqual(errors(text), [])
    }

    /// Header lists are maps keyed by the exact name: names that differ only in case load,
    /// and only the first of them counts (HTTPHeaderMatch.Name, HTTPHeader.Name).
    func testHeaderNamesThatDifferOnlyInCaseKeepTheFirst() {
        let result = Loader.load(text: rule("""
          - matches:
            - headers: [{name: x-ver, value: "1"}, {name: X-Ver, value: "2"}]
            filters:
            - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-a, value: "1"}, {name: X-A, value: "2"}], remove: [x-r, X-R]}}
        """), file: "t.yaml")
        XCTAssertEqual(result.diagnostics.filter { $0.severity == .error }, [])
        XCTAssertEqual(result.diagnostics.filter { $0.severity == .warning }.compactMap(\.field).sorted(), [
            "spec.rules[0].filters[0].requestHeaderModifier.remove[1]",
            "spec.rules[0].filters[0].requestHeaderModifier.set[1].name",
            "spec.rules[0].matches[0].headers[1].name",
        ])
        guard case .httpRoute(let route)? = result.objects.first?.resource else { return XCTFail("route not loaded") }
        XCTAssertEqual(route.rules[0].matches[0].headers.map(\.value), ["1"])
        guard case .requestHeaderModifier(let modifier)? = route.rules[0].filters.first else { return XCTFail("no modifier") }
        XCTAssertEqual(modifier.set.map(\.value), ["1"])
        XCTAssertEqual(modifier.remove, ["x-r"])
    }

    /// `sessionPersistence` loads (and its CEL rule holds) but is not simulated: a warning
    /// at the field says the rule is split by weight regardless.
    func testSessionPersistenceLoadsWithAWarning() {
        let result = Loader.load(text: rule("""
          - backendRefs: [{name: a, port: 80}, {name: b, port: 80}]
            sessionPersistence: {sessionName: s, type: Cookie}
        """), file: "t.yaml")
        XCTAssertEqual(result.diagnostics.filter { $0.severity == .error }, [])
        let warning = result.diagnostics.first { $0.severity == .warning }
        XCTAssertEqual(warning?.field, "spec.rules[0].sessionPersistence")
        XCTAssertTrue(warning?.message.contains("not simulated") == true, "\(String(describing: warning))")
        assertRejected(rule("""
          - backendRefs: [{name: a, port: 80}]
            sessionPersistence: {type: Cookie, cookie: {lifetimeType: Permanent}}
        """), field: "spec.rules[0].sessionPersistence", contains: "AbsoluteTimeout must be specified")
    }

    /// GatewaySpecAddress schema: an IPAddress value is an IPv4 or IPv6 literal, and a
    /// type is a core type or domain-prefixed.
    func testGatewayAddressValuesAndTypes() {
        func gateway(_ address: String) -> String {
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: infra}
            spec:
              gatewayClassName: gwsim
              addresses: [\(address)]
              listeners: [{name: http, port: 80, protocol: HTTP}]
            """
        }
        assertRejected(gateway("{value: 10.0.0.300}"), field: "spec.addresses[0].value", contains: "must be an IPv4 or IPv6 address")
        assertRejected(gateway("{type: IPAddress, value: lb.example.com}"), field: "spec.addresses[0].value", contains: "must be an IPv4 or IPv6 address")
        assertRejected(gateway("{type: Fancy Type, value: x}"), field: "spec.addresses[0].type", contains: "domain-prefixed")
        XCTAssertEqual(errors(gateway("{type: Fancy Type, value: x}")).map(\.field), ["spec.addresses[0].type"])
        for accepted in ["{value: 10.0.0.1}", "{value: \"fd00::1\"}", "{type: IPAddress}", "{type: example.com/pool, value: blue}", "{type: NamedAddress, value: x}"] {
            XCTAssertEqual(errors(gateway(accepted)), [], accepted)
        }
    }

    func testPathMatchCEL() {
        assertRejected(rule("  - matches:\n    - path: {type: Exact, value: api}"), field: "spec.rules[0].matches[0].path.value", contains: "must start with \"/\"")
        for bad in ["/a//b", "/a/./b", "/a/../b", "/a%2fb", "/a%2Fb", "/a#b"] {
            assertRejected(rule("  - matches:\n    - path: {type: PathPrefix, value: \"\(bad)\"}"), field: "spec.rules[0].matches[0].path.value", contains: "must not contain")
        }
        assertRejected(rule("  - matches:\n    - path: {value: /a/..}"), field: "spec.rules[0].matches[0].path.value", contains: "must not end with '/..'")
        assertRejected(rule("  - matches:\n    - path: {value: /a/.}"), field: "spec.rules[0].matches[0].path.value", contains: "must not end with '/.'")
        XCTAssertEqual(errors(rule("  - matches:\n    - path: {type: RegularExpression, value: \"^/a//.*\"}")), [])
    }

    func testLineOfOffendingField() {
        let text = rule("""
          - matches:
            - path:
                type: Exact
                value: nope
        """)
        let e = errors(text)
        XCTAssertEqual(e.first?.location.line, 14)
        XCTAssertEqual(e.first?.description.hasPrefix("t.yaml:14: error: HTTPRoute ns/r: spec.rules[0].matches[0].path.value: must start with"), true, "\(e)")
    }

    func testRangesAndEnums() {
        assertRejected(rule("  - backendRefs:\n    - {name: s, port: 80, weight: 1000001}"), field: "spec.rules[0].backendRefs[0].weight",
                       contains: "Invalid value: 1000001: must be less than or equal to 1000000")
        assertRejected(rule("  - backendRefs:\n    - {name: s, port: 0}"), field: "spec.rules[0].backendRefs[0].port", contains: "greater than or equal to 1")
        assertRejected(rule("  - backendRefs:\n    - {name: s}"), field: "spec.rules[0].backendRefs[0]", contains: "Must have port for Service reference")
        assertRejected(rule("  - matches:\n    - method: FETCH"), field: "spec.rules[0].matches[0].method", contains: "Unsupported value")
        assertRejected(rule("  - backendRefs:\n    - {name: s, port: \"80\"}"), field: "spec.rules[0].backendRefs[0].port", contains: "Invalid type")
    }

    func testHostnamesAndNames() {
        assertRejected(Fixtures.httpRoute(rules: "  - {}", extraSpec: "  hostnames: [\"*.Example.com\"]"), field: "spec.hostnames[0]", contains: "RFC 1123")
        assertRejected(Fixtures.httpRoute(rules: "  - {}", extraSpec: "  hostnames: [\"a.*.com\"]"), field: "spec.hostnames[0]", contains: "wildcard")
        XCTAssertEqual(errors(Fixtures.httpRoute(rules: "  - {}", extraSpec: "  hostnames: [\"*.example.com\"]")), [])
        assertRejected(rule("  - matches:\n    - headers: [{name: \"bad header\", value: v}]"), field: "spec.rules[0].matches[0].headers[0].name", contains: "header name")
        assertRejected("apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  listeners: [{name: l, port: 80, protocol: HTTP}]",
                       field: "spec.gatewayClassName", contains: "Required value")
    }

    func testListLimits() {
        let seventeen = (0..<17).map { "  - backendRefs: [{name: s\($0), port: 80}]" }.joined(separator: "\n")
        assertRejected(rule(seventeen), field: "spec.rules", contains: "must be no more than 16 items")
        let hosts = (0..<17).map { "\"h\($0).example.com\"" }.joined(separator: ", ")
        assertRejected(Fixtures.httpRoute(rules: "  - {}", extraSpec: "  hostnames: [\(hosts)]"), field: "spec.hostnames", contains: "no more than 16")
        // 128 matches in total across rules (CEL), even though each rule is within 64.
        let matches = (0..<60).map { "    - path: {value: /m\($0)}" }.joined(separator: "\n")
        let threeRules = (0..<3).map { _ in "  - matches:\n" + matches }.joined(separator: "\n")
        assertRejected(rule(threeRules), field: "spec.rules", contains: "must be less than 128")
        let twoRules = (0..<2).map { _ in "  - matches:\n" + matches }.joined(separator: "\n")
        XCTAssertEqual(errors(rule(twoRules)), [])
    }

    func testFilterCEL() {
        assertRejected(rule("  - filters:\n    - type: RequestHeaderModifier\n      responseHeaderModifier: {set: [{name: a, value: b}]}"),
                       field: "spec.rules[0].filters[0]", contains: "filter.requestHeaderModifier must be specified")
        assertRejected(rule("""
          - filters:
            - {type: RequestRedirect, requestRedirect: {hostname: a.com}}
            - {type: URLRewrite, urlRewrite: {hostname: b.com}}
        """), field: "spec.rules[0].filters", contains: "not both")
        assertRejected(rule("""
          - filters:
            - {type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: a, value: b}]}}
            - {type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: c, value: d}]}}
        """), field: "spec.rules[0].filters", contains: "RequestHeaderModifier filter cannot be repeated")
        assertRejected(rule("  - filters:\n    - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-a, value: b}, {name: x-a, value: c}]}}"),
                       field: "spec.rules[0].filters[0].requestHeaderModifier.set[1].name", contains: "Duplicate value")
        assertRejected(rule("  - filters:\n    - {type: RequestRedirect, requestRedirect: {statusCode: 304}}"),
                       field: "spec.rules[0].filters[0].requestRedirect.statusCode", contains: "Unsupported value")
        assertRejected(rule("  - filters:\n    - {type: RequestRedirect, requestRedirect: {scheme: ftp}}"),
                       field: "spec.rules[0].filters[0].requestRedirect.scheme", contains: "Unsupported value")
        assertRejected(rule("""
          - matches:
            - path: {type: Exact, value: /a}
            filters:
            - {type: RequestRedirect, requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}}
        """), field: "spec.rules[0]", contains: "exactly one PathPrefix match must be specified")
        assertRejected(rule("  - filters:\n    - {type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replacePrefixMatch: /b}}}"),
                       field: "spec.rules[0].filters[0].urlRewrite.path", contains: "replaceFullPath must be specified")
        assertRejected(rule("  - filters:\n    - {type: RequestRedirect, requestRedirect: {port: 8080}}\n    backendRefs: [{name: s, port: 80}]"),
                       field: "spec.rules[0]", contains: "RequestRedirect filter must not be used together with backendRefs")
        assertRejected(rule("  - filters:\n    - {type: RequestMirror, requestMirror: {backendRef: {name: s, port: 80}, percent: 5, fraction: {numerator: 1}}}"),
                       field: "spec.rules[0].filters[0].requestMirror", contains: "Only one of percent or fraction")
    }

    func testCORS() {
        assertRejected(rule("  - filters:\n    - {type: CORS, cors: {allowOrigins: [\"*\", \"https://a.com\"]}}"),
                       field: "spec.rules[0].filters[0].cors.allowOrigins", contains: "cannot contain '*'")
        assertRejected(rule("  - filters:\n    - {type: CORS, cors: {allowOrigins: [\"ftp://a.com\"]}}"),
                       field: "spec.rules[0].filters[0].cors.allowOrigins[0]", contains: "origin")
        assertRejected(rule("  - filters:\n    - {type: CORS, cors: {maxAge: 0}}"), field: "spec.rules[0].filters[0].cors.maxAge", contains: "greater than or equal to 1")
        let ok = Loader.load(text: rule("  - filters:\n    - {type: CORS, cors: {allowOrigins: [\"https://*.a.com:8443\"]}}"), file: "t")
        guard case .cors(let policy)? = ok.resources.httpRoutes.first?.rules[0].filters.first else { return XCTFail("\(ok.diagnostics)") }
        XCTAssertEqual(policy.maxAge, 5)
    }

    func testTimeouts() {
        assertRejected(rule("  - timeouts: {request: 1s, backendRequest: 2s}"), field: "spec.rules[0].timeouts", contains: "cannot be longer than request")
        assertRejected(rule("  - timeouts: {request: 1.5s}"), field: "spec.rules[0].timeouts.request", contains: "duration")
        XCTAssertEqual(errors(rule("  - timeouts: {request: 0s, backendRequest: 2s}")), [])
    }

    func testParentRefUniqueness() {
        let twice = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: r}
        spec:
          parentRefs: [{name: gw}, {name: gw, sectionName: a}]
        """
        assertRejected(twice, field: "spec.parentRefs", contains: "must be specified when parentRefs includes 2 or more")
        assertRejected(twice.replacingOccurrences(of: "{name: gw}", with: "{name: gw, sectionName: a}"), field: "spec.parentRefs", contains: "must be unique")
        XCTAssertEqual(errors(twice.replacingOccurrences(of: "{name: gw}", with: "{name: gw, sectionName: b}")), [])
    }

    func testRuleNamesUnique() {
        assertRejected(rule("  - name: a\n  - name: a"), field: "spec.rules", contains: "Rule name must be unique")
    }

    func testGatewayListenerRules() {
        func gateway(_ listeners: String) -> String {
            "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: n}\nspec:\n  gatewayClassName: c\n  listeners:\n\(listeners)"
        }
        assertRejected(gateway("  - {name: a, port: 80, protocol: HTTP}\n  - {name: a, port: 81, protocol: HTTP}"), field: "spec.listeners[1].name", contains: "Listener name must be unique")
        assertRejected(gateway("  - {name: a, port: 80, protocol: HTTP}\n  - {name: b, port: 80, protocol: HTTP}"), field: "spec.listeners[1]", contains: "Combination of port, protocol and hostname")
        assertRejected(gateway("  - {name: a, port: 70000, protocol: HTTP}"), field: "spec.listeners[0].port", contains: "less than or equal to 65535")
        assertRejected(gateway("  - {name: a, port: 80, protocol: HTTP, tls: {certificateRefs: [{name: s}]}}"), field: "spec.listeners[0].tls", contains: "tls must not be specified")
        assertRejected(gateway("  - {name: a, port: 443, protocol: HTTPS, tls: {}}"), field: "spec.listeners[0].tls", contains: "certificateRefs or options must be specified")
        assertRejected(gateway("  - {name: a, port: 80, protocol: TCP, hostname: a.com}"), field: "spec.listeners[0].hostname", contains: "hostname must not be specified")
        assertRejected(gateway("    []"), field: "spec.listeners", contains: "at least 1")
        let ok = Loader.load(text: gateway("  - {name: a, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: s}]}}"), file: "t")
        let listener = ok.resources.gateways.first?.listeners.first
        XCTAssertEqual(listener?.tls?.mode, .terminate)
        XCTAssertEqual(listener?.allowedRoutes.from, .same)
        XCTAssertEqual(listener?.tls?.certificateRefs, [SecretObjectReference(name: "s")])
    }

    func testReferenceGrantSizes() {
        assertRejected("apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {name: g, namespace: n}\nspec:\n  from: []\n  to: [{group: \"\", kind: Service}]",
                       field: "spec.from", contains: "at least 1")
        let many = (0..<17).map { _ in "{group: \"\", kind: Service}" }.joined(separator: ", ")
        assertRejected("apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {name: g, namespace: n}\nspec:\n  from: [{group: \"\", kind: HTTPRoute, namespace: a}]\n  to: [\(many)]",
                       field: "spec.to", contains: "no more than 16")
    }

    func testGRPCRoute() throws {
        let text = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GRPCRoute
        metadata: {name: g, namespace: n}
        spec:
          rules:
          - backendRefs: [{name: s, port: 50051}]
          - matches:
            - method: {service: "foo.Bar", method: "Get"}
        """
        let ok = Loader.load(text: text, file: "t")
        XCTAssertFalse(ok.hasErrors, "\(ok.diagnostics)")
        let route = try XCTUnwrap(ok.resources.grpcRoutes.first)
        XCTAssertEqual(route.rules[0].matches, [])
        XCTAssertEqual(route.rules[1].matches[0].method, GRPCMethodMatch(type: .exact, service: "foo.Bar", method: "Get"))
        assertRejected(text.replacingOccurrences(of: "method: \"Get\"", with: "method: \"Get/x\""), field: "spec.rules[1].matches[0].method.method", contains: "valid characters")
        assertRejected(text.replacingOccurrences(of: "{service: \"foo.Bar\", method: \"Get\"}", with: "{type: Exact}"), field: "spec.rules[1].matches[0].method", contains: "One or both")
        assertRejected(text.replacingOccurrences(of: "- backendRefs", with: "- filters: [{type: URLRewrite, urlRewrite: {}}]\n    backendRefs"), field: "spec.rules[0].filters[0].type", contains: "Unsupported value")
    }

    func testSecretAndEndpointSlice() throws {
        let crt = "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n"
        let key = "-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n"
        let text = """
        apiVersion: v1
        kind: Secret
        metadata: {name: tls, namespace: n}
        type: kubernetes.io/tls
        data:
          tls.crt: \(Data(crt.utf8).base64EncodedString())
          tls.key: \(Data(key.utf8).base64EncodedString())
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: s-abc
          namespace: n
          labels: {kubernetes.io/service-name: s}
        addressType: IPv4
        endpoints:
        - addresses: [10.0.0.1]
        - addresses: [10.0.0.2]
          conditions: {ready: false}
        ports: [{port: 8080}]
        """
        let result = Loader.load(text: text, file: "t")
        XCTAssertFalse(result.hasErrors, "\(result.diagnostics)")
        let secret = try XCTUnwrap(result.resources.secrets.first)
        XCTAssertTrue(secret.hasValidTLSPair)
        XCTAssertEqual(secret.data["tls.crt"], crt)
        let slice = try XCTUnwrap(result.resources.endpointSlices.first)
        XCTAssertEqual(slice.serviceName, "s")
        XCTAssertEqual(slice.endpoints.map(\.ready), [true, false])
    }

    func testL4Routes() {
        let v1 = "apiVersion: gateway.networking.k8s.io/v1\nkind: TLSRoute\nmetadata: {name: t, namespace: n}\nspec:\n  hostnames: [\"10.0.0.1\"]\n  rules: [{backendRefs: [{name: s, port: 443}]}]"
        assertRejected(v1, field: "spec.hostnames[0]", contains: "cannot contain an IP")
        let tcp = "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: t, namespace: n}\nspec:\n  rules: [{backendRefs: []}]"
        assertRejected(tcp, field: "spec.rules[0].backendRefs", contains: "at least 1")
    }
}
