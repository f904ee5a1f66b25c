import GatewayAPI
import RoutingCore
import Testing

/// The seed article's three examples, verbatim manifests from scenarios/seed.
@Suite struct SeedExampleTests {
    static let seed = repositoryRoot + "/scenarios/seed/"

    func world(_ step: String) -> CompiledWorld {
        let loaded = Loader.load(paths: [Self.seed + "00-traefik-gateway.yaml", Self.seed + "01-whoami.yaml", Self.seed + "03-nginx.yaml", Self.seed + step])
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
        return Compiler.compile(loaded.resources)
    }

    func request(_ path: String) -> RouteRequest {
        RouteRequest(port: 8000, host: "whoami", path: path)
    }

    @Test func hostGoesToWhoami() {
        let decision = world("02-whoami-httproute.yaml").table.route(request("/"), key: "k")
        #expect(decision.outcome == .forward)
        #expect(decision.backend?.name == "whoami")
        #expect(decision.route?.description == "httproute/kube-system/http-app-1/rule/0/match/0")
    }

    @Test func exactFooChange() {
        let table = world("03-whoami-httproute-paths.yaml").table
        let root = table.route(request("/"), key: "k")
        #expect(root.outcome == .error && root.status == 404)
        let foo = table.route(request("/foo"), key: "k")
        #expect(foo.outcome == .forward && foo.backend?.name == "whoami")
    }

    @Test func canaryThreeToOne() {
        let table = world("04-whoami-nginx-canary.yaml").table
        let first = table.route(request("/"), key: "k")
        #expect(first.backends.map(\.backend.name) == ["whoami", "nginx"])
        #expect(first.backends.map(\.share) == [0.75, 0.25])
        var whoami = 0
        for index in 0..<10_000 where table.route(request("/"), key: "request-\(index)").backend?.name == "whoami" { whoami += 1 }
        #expect((7_350...7_650).contains(whoami), "whoami got \(whoami) of 10000")
    }

    @Test func routeWithoutTheTraefikLabelDoesNotAttach() {
        let loaded = Loader.load(text: """
            apiVersion: networking.x-k8s.io/v1alpha1
            kind: HTTPRoute
            metadata: {name: unlabelled, namespace: kube-system}
            spec:
              hostnames: [whoami]
              rules:
              - forwardTo: [{serviceName: whoami, port: 80}]
            """, file: "unlabelled.yaml", firstLoadOrder: 100)
        var resources = Loader.load(paths: [Self.seed + "00-traefik-gateway.yaml", Self.seed + "01-whoami.yaml"]).resources
        for object in loaded.objects { resources.apply(object.resource) }
        let world = Compiler.compile(resources)
        #expect(world.table.route(request("/"), key: "k").status == 404)
        let parent = world.status.routes.first { $0.key.name == "unlabelled" }?.parents.first
        #expect(parent?.conditions.first?.reason == "NotAllowedByListeners")
    }
}

/// The repository root, found from this file's path.
let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3) // Tests/RoutingCoreTests/<file>
    return parts.joined(separator: "/")
}()
