import XCTest
@testable import Conformance

/// The parser must read FORMAT.md's shapes and keep "absent" apart from
/// "empty", because an omitted key means upstream does not check it.
final class CaseParserTests: XCTestCase {
    let text = """
    name: Sample
    upstream: conformance/tests/sample.go
    features: [Gateway, HTTPRoute]
    profile: GATEWAY-HTTP
    level: core
    captured: full
    manifests: [manifests/sample.yaml]
    steps:
    - patch:
      - kind: Gateway
        namespace: ns
        name: gw
        yaml: |
          spec:
            listeners: []
      status:
      - kind: HTTPRoute
        namespace: ns
        name: route
        parents:
        - parentRef: {name: gw, namespace: ns, sectionName: http}
          conditions:
          - {type: Accepted, status: 'True', reason: Accepted}
          - {type: ResolvedRefs}
      - kind: Gateway
        namespace: ns
        name: gw
        listeners:
        - name: http
          attachedRoutes: 2
          supportedKinds: []
      requests:
      - gateway: {namespace: ns, name: gw}
        port: 80
        scheme: http
        request:
          path: /v2
          headers: {Version: two, X-Count: 3}
        expect:
          statusCodes: [200, 204]
          backend: ""
          request: {path: /rewritten}
          redirect: {scheme: https, port: '8443'}
          response:
            validHeaderValues: {allow: ["GET, POST"]}
          mirroredTo: [{name: m, namespace: ns, percent: 20}]
      - gateway: {namespace: ns, name: gw}
        port: 443
        scheme: https
        request: {sni: abc.example.com}
        expectFailure: true
      distributions:
      - gateway: {namespace: ns, name: gw}
        port: 80
        request: {path: /}
        samples: 10
        expected: {a: 0.7, b: 0.3, c: 0}
        tolerance: 0.05
    """

    func testParsesEveryShape() throws {
        let c = try CaseParser.parse(text: text)
        XCTAssertEqual(c.name, "Sample")
        XCTAssertEqual(c.features, ["Gateway", "HTTPRoute"])
        XCTAssertEqual(c.manifests, ["manifests/sample.yaml"])
        XCTAssertEqual(c.steps.count, 1)
        let step = c.steps[0]
        XCTAssertEqual(step.patch.first?.target, ObjectRef(kind: "Gateway", namespace: "ns", name: "gw"))
        XCTAssertTrue(step.patch.first?.yaml.contains("listeners") ?? false)

        let route = step.status[0]
        XCTAssertEqual(route.parents.first?.parentRef.sectionName, "http")
        XCTAssertEqual(route.parents.first?.conditions.first, ConditionExpectation(type: "Accepted", status: "True", reason: "Accepted"))
        XCTAssertEqual(route.parents.first?.conditions.last, ConditionExpectation(type: "ResolvedRefs", status: nil, reason: nil))
        let listener = step.status[1].listeners[0]
        XCTAssertEqual(listener.attachedRoutes, 2)
        XCTAssertEqual(listener.supportedKinds?.count, 0, "supportedKinds: [] must stay an empty list, not nil")

        let request = step.requests[0]
        XCTAssertFalse(request.isConnection)
        XCTAssertEqual(request.request.headers.map(\.0), ["Version", "X-Count"])
        XCTAssertEqual(request.request.headers.last?.1, "3")
        XCTAssertEqual(request.expect?.statusCodes, [200, 204])
        XCTAssertEqual(request.expect?.backend, "", "an explicit empty backend means no backend may receive it")
        XCTAssertNil(request.expect?.namespace)
        XCTAssertEqual(request.expect?.request?.path, "/rewritten")
        XCTAssertEqual(request.expect?.redirect?.port, "8443")
        XCTAssertNil(request.expect?.redirect?.host)
        XCTAssertEqual(request.expect?.response?.validHeaderValues.first?.1, ["GET, POST"])
        XCTAssertEqual(request.expect?.mirroredTo.first?.percent, 20)

        let connection = step.requests[1]
        XCTAssertTrue(connection.isConnection)
        XCTAssertTrue(connection.expectFailure)
        XCTAssertNil(connection.expect)

        let distribution = step.distributions[0]
        XCTAssertEqual(distribution.expected.map(\.0), ["a", "b", "c"])
        XCTAssertEqual(distribution.expected.map(\.1), [0.7, 0.3, 0])
        XCTAssertEqual(distribution.samples, 10)
    }

    func testOmittedKeysStayAbsent() throws {
        let c = try CaseParser.parse(text: """
            name: Bare
            steps:
            - requests:
              - gateway: {namespace: ns, name: gw}
                port: 80
                request: {path: /}
                expect: {backend: v1}
            """)
        let expect = try XCTUnwrap(c.steps.first?.requests.first?.expect)
        XCTAssertNil(expect.statusCodes)
        XCTAssertNil(expect.request)
        XCTAssertNil(expect.redirect)
        XCTAssertNil(expect.response)
        XCTAssertEqual(c.captured, "full")
        XCTAssertEqual(c.steps.first?.requests.first?.scheme, "http")
    }

    func testRejectsCaseWithoutName() {
        XCTAssertThrowsError(try CaseParser.parse(text: "profile: GATEWAY-HTTP\n"))
    }
}
