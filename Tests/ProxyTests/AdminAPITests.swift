import EventLog
import Foundation
import GatewayAPI
@testable import Proxy
import RoutingCore
import Testing

/// The admin API endpoints against a live proxy: apply, delete, status, routes, metrics, auth.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct AdminAPITests {
    @Test func applySwapsRecordsAndReportsStatus() throws {
        let log = temporaryLogPath()
        defer { removeTemporaryLog(log) }
        let harness = try AdminHarness(files: seedBase + ["02-whoami-httproute.yaml"], log: log)
        defer { harness.stop() }
        #expect(try harness.connect().request("/", host: "whoami").status == 200)
        let response = try harness.admin("POST", "/apply", body: seedText("03-whoami-httproute-paths.yaml"))
        #expect(response.status == 200)
        let body = try harness.json(response)
        #expect(body["applied"]?.arrayValue?.first?.stringValue == "HTTPRoute/kube-system/http-app-1")
        let status = body["status"]?.arrayValue ?? []
        #expect(status.count == 1)
        #expect(status.first?["kind"]?.stringValue == "HTTPRoute")
        #expect(status.first?["status"]?["parents"]?.arrayValue?.isEmpty == false)
        // Routed with the new table right away.
        let connection = try harness.connect()
        #expect(try connection.request("/", host: "whoami").status == 404)
        #expect(try connection.request("/foo", host: "whoami").status == 200)
        // Recorded as an admin event.
        var admin: [ResourceChange] = []
        try harness.recorder.writer!.withStore { store in
            try store.events { if let r = $0.resource, r.source == .admin { admin.append(r) } }
        }
        #expect(admin.map(\.key) == ["HTTPRoute/kube-system/http-app-1"])
        #expect(admin.first?.action == .applied)
    }

    @Test func applyWithLoaderErrorsIs400AndChangesNothing() throws {
        let harness = try AdminHarness(files: seedBase + ["02-whoami-httproute.yaml"], log: nil)
        defer { harness.stop() }
        let bad = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: broken, namespace: kube-system}
            spec:
              rules:
              - matches: [{path: {type: Bogus, value: /}}]
            """
        let response = try harness.admin("POST", "/apply", body: bad)
        #expect(response.status == 400)
        let body = try harness.json(response)
        #expect(body["diagnostics"]?.arrayValue?.isEmpty == false)
        #expect(try harness.connect().request("/", host: "whoami").status == 200)
        #expect(try harness.admin("POST", "/apply", body: "a: [").status == 400)
    }

    @Test func deleteRemovesTheRouteAnd404sWhenAbsent() throws {
        let log = temporaryLogPath()
        defer { removeTemporaryLog(log) }
        let harness = try AdminHarness(files: seedBase + ["02-whoami-httproute.yaml"], log: log)
        defer { harness.stop() }
        let response = try harness.admin("DELETE", "/resources/HTTPRoute/kube-system/http-app-1")
        #expect(response.status == 200)
        #expect(try harness.connect().request("/", host: "whoami").status == 404)
        #expect(try harness.admin("DELETE", "/resources/HTTPRoute/kube-system/http-app-1").status == 404)
        #expect(try harness.admin("DELETE", "/resources/nonsense").status == 400)
        var deleted: [String] = []
        try harness.recorder.writer!.withStore { store in
            try store.events { if let r = $0.resource, r.action == .deleted { deleted.append(r.key) } }
        }
        #expect(deleted == ["HTTPRoute/kube-system/http-app-1"])
    }

    /// `POST /review?without=`: what removing a live object would do to the recorded traffic.
    @Test func reviewOfADeletion() throws {
        let log = temporaryLogPath()
        defer { removeTemporaryLog(log) }
        let harness = try AdminHarness(files: seedBase + ["02-whoami-httproute.yaml"], log: log)
        defer { harness.stop() }
        let connection = try harness.connect()
        for _ in 0..<5 { #expect(try connection.request("/", host: "whoami").status == 200) }
        let response = try harness.admin("POST", "/review?without=httproute/kube-system/http-app-1&fail-on=newly-failing%3E0")
        #expect(response.status == 200, "\(response.text)")
        let review = try harness.json(response)
        #expect(review["report"]?["newlyFailing"]?.intValue == 5)
        #expect(review["failOn"]?.arrayValue?.first?["tripped"]?.boolValue == true)
        #expect(try connection.request("/", host: "whoami").status == 200)  // a review changes nothing
        #expect(try harness.admin("POST", "/review?without=HTTPRoute/kube-system/nope").status == 404)
        #expect(try harness.admin("POST", "/review?without=HTTPRoute/nope").status == 400)
        #expect(try harness.admin("POST", "/review").status == 400)
    }

    @Test func statusAndRoutesDescribeTheWorld() throws {
        let harness = try AdminHarness(files: seedBase + ["04-whoami-nginx-canary.yaml"], log: nil)
        defer { harness.stop() }
        let status = try harness.json(harness.admin("GET", "/status")).arrayValue ?? []
        #expect(status.contains { $0["kind"]?.stringValue == "Gateway" && $0["metadata"]?["name"]?.stringValue == "traefik-gateway" })
        let routes = try harness.json(harness.admin("GET", "/routes"))
        let listener = routes["listeners"]?.arrayValue?.first
        #expect(listener?["port"]?.intValue == 8000)
        #expect(listener?["attachedRoutes"]?.intValue == 1)
        let route = routes["routes"]?.arrayValue?.first
        #expect(route?["route"]?.stringValue == "HTTPRoute/kube-system/http-app-1")
        let backends = route?["rules"]?.arrayValue?.first?["backends"]?.arrayValue ?? []
        #expect(backends.map { $0["weight"]?.intValue } == [3, 1])
    }

    /// `GET /routes` lists routes of every kind, with each match in words.
    @Test func routesSummaryCoversEveryRouteKind() throws {
        let manifests = Layer4Fixture.manifests + "\n---\n" + GRPCProxyTests.manifests
        let loaded = Loader.load(text: manifests, file: "routes.yaml")
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
        let world = Compiler.compile(loaded.resources)
        let summary = AdminRoutesSummary.summary(world: world, resources: loaded.resources)
        let keys = (summary["routes"]?.arrayValue ?? []).compactMap { $0["route"]?.stringValue }
        for kind in ["GRPCRoute/", "TLSRoute/", "TCPRoute/", "UDPRoute/"] {
            #expect(keys.contains { $0.hasPrefix(kind) }, "\(kind) in \(keys)")
        }
        let grpcMatches = (summary["routes"]?.arrayValue ?? []).filter { $0["route"]?.stringValue?.hasPrefix("GRPCRoute/") == true }
            .flatMap { $0["rules"]?.arrayValue ?? [] }.flatMap { $0["matches"]?.arrayValue ?? [] }.compactMap(\.stringValue)
        #expect(grpcMatches.contains { $0.contains("/") }, "\(grpcMatches)")
    }

    @Test func metricsCountRequestsLatencyAndSwaps() throws {
        let harness = try AdminHarness(files: seedBase + ["02-whoami-httproute.yaml"], log: nil)
        defer { harness.stop() }
        let connection = try harness.connect()
        for _ in 0..<3 { #expect(try connection.request("/", host: "whoami").status == 200) }
        #expect(try connection.request("/", host: "nobody").status == 404)
        var text = ""
        let deadline = Date().addingTimeInterval(promptly)
        repeat {
            text = try harness.admin("GET", "/metrics").text
        } while !text.contains("gwsim_request_duration_seconds_count 4") && Date() < deadline
        #expect(text.contains("gwsim_request_duration_seconds_count 4"))
        #expect(text.contains("backend=\"kube-system/whoami:80\",status=\"200\"} 3"))
        #expect(text.contains("status=\"404\"} 1"))
        #expect(text.contains("gwsim_request_duration_seconds_bucket{le=\"+Inf\"} 4"))
        #expect(text.contains("# TYPE gwsim_request_duration_seconds histogram"))
        #expect(text.contains("gwsim_event_queue_depth 0"))
        #expect(text.contains("gwsim_events_dropped_total 0"))
        #expect(text.contains("gwsim_event_write_failures_total 0") && text.contains("gwsim_events_lost_total 0"))
        #expect(text.contains("gwsim_config_swaps_total 0"))
        #expect(try harness.admin("POST", "/apply", body: seedText("03-whoami-httproute-paths.yaml")).status == 200)
        #expect(try harness.admin("GET", "/metrics").text.contains("gwsim_config_swaps_total 1"))
    }
}

/// Tokens: required off loopback, checked on every request.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct AdminAuthTests {
    @Test func nonLoopbackWithoutTokenIsRefused() throws {
        let config = AdminConfig(host: "0.0.0.0", port: 0)
        #expect(throws: AdminError.tokenRequired(host: "0.0.0.0")) { try config.validate() }
        let harness = try AdminHarness(files: seedBase + ["02-whoami-httproute.yaml"], log: nil)
        defer { harness.stop() }
        let server = AdminServer(router: AdminRouter(control: harness.control, config: config))
        #expect(throws: AdminError.tokenRequired(host: "0.0.0.0")) { try server.start() }
        #expect("\(AdminError.tokenRequired(host: "0.0.0.0"))".contains("--admin-token-file"))
        #expect(throws: Never.self) { try AdminConfig(host: "0.0.0.0", port: 0, token: "t").validate() }
        #expect(throws: Never.self) { try AdminConfig(host: "127.0.0.1", port: 0).validate() }
        #expect(throws: Never.self) { try AdminConfig(host: "::1", port: 0).validate() }
        // Loopback is an address, not a prefix of a name.
        for host in ["127.0.0.1.nip.io", "127.evil.example", "::2", "localhost.example"] {
            #expect(throws: AdminError.tokenRequired(host: host)) { try AdminConfig(host: host, port: 0).validate() }
        }
        #expect(throws: Never.self) { try AdminConfig(host: "127.255.0.9", port: 0).validate() }
        #expect(throws: Never.self) { try AdminConfig(host: "LOCALHOST", port: 0).validate() }
    }

    @Test func everyRequestNeedsTheBearerToken() throws {
        let harness = try AdminHarness(files: seedBase + ["02-whoami-httproute.yaml"], log: nil, token: "s3cret")
        defer { harness.stop() }
        #expect(try harness.admin("GET", "/status").status == 401)
        #expect(try harness.admin("GET", "/healthz", token: "wrong").status == 401)
        #expect(try harness.admin("POST", "/apply", body: seedText("03-whoami-httproute-paths.yaml")).status == 401)
        #expect(try harness.connect().request("/", host: "whoami").status == 200)  // not applied
        #expect(try harness.admin("GET", "/status", token: "s3cret").status == 200)
        #expect(try harness.admin("GET", "/healthz", token: "s3cret").status == 200)
        // The scheme in any case (RFC 9110 §11.1).
        #expect(AdminRouter.carriesBearer("s3cret", "bearer s3cret"))
        #expect(!AdminRouter.carriesBearer("s3cret", "Basic s3cret") && !AdminRouter.carriesBearer("s3cret", "Bearer"))
    }

    @Test func durationsAndAddresses() {
        #expect(AdminDuration.seconds("90s") == 90)
        #expect(AdminDuration.seconds("1h30m") == 5400)
        #expect(AdminDuration.seconds("500ms") == 0.5)
        #expect(AdminDuration.seconds("300") == 300)
        #expect(AdminDuration.seconds("abc") == nil)
        #expect(AdminDuration.seconds("1e300") == nil)
        #expect(AdminDuration.seconds("99999999999h") == nil)
        #expect(AdminDuration.seconds("\(Int(AdminDuration.longest))") == AdminDuration.longest.rounded(.down))
        #expect(ReviewService.describe(6e14) == "10000000000000m" && ReviewService.describe(1e300) == "1e+300s" && ReviewService.describe(1.5) == "1.5s" && ReviewService.describe(90) == "90s")
        #expect(AdminDuration.seconds("") == nil)
        #expect(AdminConfig.parseAddress("127.0.0.1:9901")! == ("127.0.0.1", 9901))
        #expect(AdminConfig.parseAddress("[::1]:9901")! == ("::1", 9901))
        #expect(AdminConfig.parseAddress("nope") == nil)
    }
}

/// The log is the source of truth: a restart on the same log routes the same way.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct AdminRestartTests {
    @Test func restartOnTheLogRebuildsTheSameRouting() throws {
        let log = temporaryLogPath()
        defer { removeTemporaryLog(log) }
        let first = try AdminHarness(files: seedBase + ["04-whoami-nginx-canary.yaml"], log: log)
        #expect(try first.admin("POST", "/apply", body: seedText("03-whoami-httproute-paths.yaml")).status == 200)
        let routesBefore = try first.admin("GET", "/routes").text
        let statusBefore = try first.admin("GET", "/status").text
        first.stop()

        let second = try AdminHarness(files: [], log: log)
        defer { second.stop() }
        #expect(try second.admin("GET", "/routes").text == routesBefore)
        #expect(try second.admin("GET", "/status").text == statusBefore)
        let connection = try second.connect()
        #expect(try connection.request("/", host: "whoami").status == 404)
        let foo = try connection.request("/foo", host: "whoami")
        #expect(foo.status == 200)
        #expect(foo.text.hasPrefix("Hostname: whoami\n"))
    }
}

extension AdminHarness {
    func connect() throws -> RawHTTPConnection { try RawHTTPConnection(port: port) }
}
