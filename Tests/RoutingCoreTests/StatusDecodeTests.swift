import GatewayAPI
import RoutingCore
import Testing

/// `StatusReport(objects:)` reads back what `StatusReport.objects` writes (the admin API's
/// `GET /status` shape), so a client checks a running proxy's status as the compiler wrote it.
@Suite struct StatusDecodeTests {
    typealias F = Fixture

    @Test func roundTripThroughJSON() throws {
        let world = F.world([
            F.httpRoute("attached", rules: "[{backendRefs: [{name: one, port: 80}]}]"),
            F.httpRoute("missing-backend", rules: "[{backendRefs: [{name: absent, port: 80}]}]"),
        ], gateway: F.gateway(listeners: [
            "{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}",
            "{name: odd, port: 9000, protocol: example.com/FANCY}",
        ]))
        let report = world.status
        #expect(!report.routes.isEmpty && !report.gateways.isEmpty)
        guard case .array(let objects) = try Value.parseJSON(Value.array(report.objects).toJSON()) else {
            Issue.record("GET /status is a JSON array")
            return
        }
        #expect(StatusReport(objects: objects) == report)
    }

    @Test func unknownKindsAndMissingFieldsAreSkipped() {
        let objects: [Value] = [
            .object([("kind", .string("ConfigMap")), ("metadata", .object([("name", .string("x"))]))]),
            .object([("kind", .string("HTTPRoute")), ("metadata", .object([("namespace", .string("ns")), ("name", .string("r"))]))]),
        ]
        let report = StatusReport(objects: objects)
        #expect(report.gateways.isEmpty)
        #expect(report.route(ObjectKey(kind: "HTTPRoute", namespace: "ns", name: "r"))?.parents.isEmpty == true)
    }
}
