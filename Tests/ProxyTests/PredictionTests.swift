import EventLog
import Foundation
import GatewayAPI
import Proxy
import RoutingCore
import Testing

/// The headline: what `POST /review` predicts for the proxy's own recorded traffic is what
/// the proxy then does once the change is applied, request by request.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct PredictionTests {
    /// What one request did: the backend that answered (whoami's `Hostname:`), or the status.
    struct Outcome: Equatable, CustomStringConvertible {
        var status: Int
        var backend: String?
        var description: String { "\(status) \(backend ?? "-")" }
    }

    static let paths = ["/", "/foo", "/bar/baz"]

    /// Sends request i with `X-Request-Id: predict-i` (the proxy routes with the client's id).
    func send(_ harness: AdminHarness, count: Int) throws -> [String: Outcome] {
        let connection = try harness.connect()
        var outcomes: [String: Outcome] = [:]
        for i in 0..<count {
            let id = "predict-\(i)"
            let response = try connection.request(Self.paths[i % Self.paths.count], host: "whoami", headers: [("X-Request-Id", id)])
            let backend = response.text.hasPrefix("Hostname: ") ? String(response.text.dropFirst(10).prefix { $0 != "\n" }) : nil
            outcomes[id] = Outcome(status: response.status, backend: backend)
        }
        return outcomes
    }

    /// The review's prediction for every id: the changed rows' `after`, the baseline (what
    /// was observed, which `verification` checks the replay agrees with) for the rest.
    func predictions(_ review: Value, baseline: [String: Outcome]) -> [String: Outcome] {
        var predicted = baseline
        for row in review["changes"]?.arrayValue ?? [] {
            guard let id = row["id"]?.stringValue, let after = row["after"] else { continue }
            if let backend = after["backend"]?.stringValue {
                // kube-system/nginx:80 -> nginx (the whoami server of that Service answers).
                let name = backend.split(separator: "/").last.map { String($0.prefix { $0 != ":" }) }
                predicted[id] = Outcome(status: 200, backend: name)
            } else {
                predicted[id] = Outcome(status: after["statusCode"]?.intValue ?? 0, backend: nil)
            }
        }
        return predicted
    }

    func review(_ harness: AdminHarness, _ file: String) throws -> Value {
        let response = try harness.admin("POST", "/review?window=10m&fail-on=changed%3E99%25", body: file)
        #expect(response.status == 200, "\(response.text)")
        return try harness.json(response)
    }

    @Test func predictionsComeTrue() throws {
        let count = 240
        let log = temporaryLogPath()
        defer { removeTemporaryLog(log) }
        let harness = try AdminHarness(files: seedBase + ["04-whoami-nginx-canary.yaml"], log: log)
        defer { harness.stop() }
        let observed3to1 = try send(harness, count: count)
        #expect(observed3to1.values.filter { $0.backend == "nginx" }.count > 0)

        // 1) The canary moves to 1:1.
        let canary = try review(harness, seedText("../seed-canary/new-route.yaml"))
        let report = canary["report"]
        #expect(report?["requests"]?.intValue == count)
        #expect(report?["verification"]?["disagreements"]?.intValue == 0)  // the replayed baseline is what happened
        #expect(canary["changesTruncated"]?.boolValue == false)
        #expect((report?["changed"]?.intValue ?? 0) > 0)  // a quarter-ish of the requests move to nginx
        #expect(canary["changes"]?.arrayValue?.count == report?["changed"]?.intValue)
        #expect(canary["failOn"]?.arrayValue?.first?["tripped"]?.boolValue == false)
        #expect(canary["text"]?.stringValue?.isEmpty == false)
        let predicted1to1 = predictions(canary, baseline: observed3to1)
        #expect(try harness.admin("POST", "/apply", body: seedText("../seed-canary/new-route.yaml")).status == 200)
        let observed1to1 = try send(harness, count: count)
        // Exact, request by request, weighted ones included: the weighted choice is a pure
        // function of the routing key (the request id) and the rule's weights, in the replay
        // engine and in the proxy alike (both call the same RoutingTable.route(key:)). With the
        // same ids the same requests move, so the prediction is not a share but a list.
        for i in 0..<count {
            let id = "predict-\(i)"
            #expect(observed1to1[id] == predicted1to1[id], "\(id): observed \(observed1to1[id]!), predicted \(predicted1to1[id]!)")
        }
        // The shares the report predicts per backend are the counts now observed.
        var sharesAfter: [String: Int] = [:]
        for rule in report?["rules"]?.arrayValue ?? [] {
            for share in rule["after"]?.arrayValue ?? [] {
                let name = share["backend"]?.stringValue?.split(separator: "/").last.map { String($0.prefix { $0 != ":" }) } ?? ""
                sharesAfter[name, default: 0] += share["requests"]?.intValue ?? 0
            }
        }
        var observedCounts: [String: Int] = [:]
        for outcome in observed1to1.values { if let b = outcome.backend { observedCounts[b, default: 0] += 1 } }
        #expect(sharesAfter == observedCounts)

        // 2) The Exact /foo change (no weights): / and /bar/baz stop matching, /foo stays.
        let exact = try review(harness, seedText("03-whoami-httproute-paths.yaml"))
        let predictedExact = predictions(exact, baseline: observed1to1)
        // The window now holds both rounds: / and /bar/baz of each fail with Exact /foo.
        #expect(exact["report"]?["newlyFailing"]?.intValue == 2 * (count / 3 * 2))
        #expect(try harness.admin("POST", "/apply", body: seedText("03-whoami-httproute-paths.yaml")).status == 200)
        let observedExact = try send(harness, count: count)
        for i in 0..<count {
            let id = "predict-\(i)"
            #expect(observedExact[id] == predictedExact[id], "\(id): observed \(observedExact[id]!), predicted \(predictedExact[id]!)")
        }
        #expect(observedExact.values.filter { $0.status == 404 }.count == count / 3 * 2)
    }

    @Test func reviewWithoutALogUsesTheRing() throws {
        let harness = try AdminHarness(files: seedBase + ["04-whoami-nginx-canary.yaml"], log: nil)
        defer { harness.stop() }
        let observed = try send(harness, count: 30)
        let deadline = Date().addingTimeInterval(promptly)
        while harness.recorder.ring!.count < 30 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let review = try review(harness, seedText("03-whoami-httproute-paths.yaml"))
        #expect(review["report"]?["requests"]?.intValue == 30)
        #expect(review["report"]?["newlyFailing"]?.intValue == 20)
        let predicted = predictions(review, baseline: observed)
        #expect(predicted.values.filter { $0.status == 404 }.count == 20)
        // Nothing applied by a review.
        #expect(try harness.connect().request("/", host: "whoami").status == 200)
    }

    /// A new route that ties with a live one in every precedence rule but age: the live one
    /// is older (the change is deployed now), so the review predicts no change, and the proxy
    /// indeed keeps routing to the live route after the apply.
    @Test func aNewRouteIsYoungerThanTheLiveOnesInTheReviewToo() throws {
        let log = temporaryLogPath()
        defer { removeTemporaryLog(log) }
        let harness = try AdminHarness(files: seedBase + ["02-whoami-httproute.yaml"], log: log)
        defer { harness.stop() }
        let connection = try harness.connect()
        for _ in 0..<5 { #expect(try connection.request("/", host: "whoami").text.hasPrefix("Hostname: whoami")) }
        // Same host, same Exact / match, another backend, and a name that sorts first.
        let tie = seedText("02-whoami-httproute.yaml").replacingOccurrences(of: "name: http-app-1", with: "name: a-tie")
            .replacingOccurrences(of: "serviceName: whoami", with: "serviceName: nginx")
        let review = try harness.json(try harness.admin("POST", "/review", body: tie))
        #expect(review["report"]?["changed"]?.intValue == 0, "\(review["text"]?.stringValue ?? "")")
        #expect(try harness.admin("POST", "/apply", body: tie).status == 200)
        for _ in 0..<5 { #expect(try connection.request("/", host: "whoami").text.hasPrefix("Hostname: whoami")) }
    }

    @Test func reviewGatesAndErrors() throws {
        let harness = try AdminHarness(files: seedBase + ["04-whoami-nginx-canary.yaml"], log: nil)
        defer { harness.stop() }
        _ = try send(harness, count: 9)
        Thread.sleep(forTimeInterval: 0.1)
        let tripped = try harness.admin("POST", "/review?fail-on=newly-failing%3E0", body: seedText("03-whoami-httproute-paths.yaml"))
        let value = try harness.json(tripped)
        #expect(value["failOn"]?.arrayValue?.first?["tripped"]?.boolValue == true)
        #expect(try harness.admin("POST", "/review?fail-on=bogus", body: seedText("03-whoami-httproute-paths.yaml")).status == 400)
        #expect(try harness.admin("POST", "/review?window=soon", body: seedText("03-whoami-httproute-paths.yaml")).status == 400)
        #expect(try harness.admin("POST", "/review", body: "a: [").status == 400)
        let text = try harness.admin("POST", "/review?format=text", body: seedText("03-whoami-httproute-paths.yaml"))
        #expect(text.status == 200)
        #expect(text.header("content-type")?.hasPrefix("text/plain") == true)
    }
}
