import EventLog
import Foundation
import GatewayAPI
import Proxy
import RoutingCore
import Testing

/// Every exchange produces one record whose observed outcome is the routing decision.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct RecordingTests {
    @Test func recordsMatchDecisions() throws {
        let resources = seedResources("04-whoami-nginx-canary.yaml")
        let harness = try ProxyHarness(resources: resources)
        defer { harness.stop() }
        let table = Compiler.compile(resources).table
        let connection = try harness.connect()
        let count = 50
        for index in 0..<count {
            let path = index % 10 == 9 ? "/missing" : "/"
            let host = index % 10 == 9 ? "elsewhere" : "whoami"
            _ = try connection.request(path, host: host, headers: [("X-Request-Id", "rec-\(index)")])
        }
        let records = harness.sink.waitFor(count)
        #expect(records.count == count)
        for (index, record) in records.enumerated() {
            #expect(record.id == "rec-\(index)")
            let decision = table.route(RouteRequest(port: 8000, host: record.host, path: record.path), key: record.id)
            let observed = try #require(record.observed)
            #expect(observed.route == decision.route.map { "\($0.kind)/\($0.namespace)/\($0.name)" })
            #expect(observed.rule == decision.route?.rule)
            #expect(observed.backend == decision.backend?.description)
            #expect(observed.status == (decision.outcome == .forward ? 200 : decision.status))
            #expect(record.port == 8000)
            #expect(record.gateway == (decision.outcome == .forward ? "kube-system/traefik-gateway" : record.gateway))
            if decision.outcome == .forward {
                let expected = decision.backend?.name == "nginx" ? harness.config.backendOverrides["kube-system/nginx"] : harness.config.backendOverrides["kube-system/whoami"]
                #expect(observed.endpoint == expected?.first?.description)
            }
        }
    }

    @Test func queueDropsAndCountsWhenFull() {
        let queue = BoundedEventQueue(capacity: 2)
        let record = RequestRecord(id: "a", client: "127.0.0.1:1", port: 80, scheme: "http", method: "GET", host: "h", path: "/")
        #expect(queue.offer(record))
        #expect(queue.offer(record))
        #expect(!queue.offer(record))
        #expect(queue.dropped == 1)
        #expect(queue.take(timeout: 0)?.count == 2)
        queue.close()
        #expect(queue.take(timeout: 0) == nil)
    }

    @Test func queueHandsOverEverythingWaitingOnceABatchIs() {
        let queue = BoundedEventQueue(capacity: 10, batchSize: 2)
        let record = RequestRecord(id: "a", client: "127.0.0.1:1", port: 80, scheme: "http", method: "GET", host: "h", path: "/")
        #expect(queue.offer(record))
        #expect(queue.take(timeout: 0)?.count == 1)  // the wait timed out: what is there
        for _ in 0..<5 { #expect(queue.offer(record)) }
        #expect(queue.take(timeout: 60)?.count == 5)  // full: at once, all of it
        #expect(queue.count == 0)
    }

    @Test func writerStoresRecordsInTheEventStore() throws {
        let path = NSTemporaryDirectory() + "gwsim-proxy-\(UUID().uuidString).db"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let queue = BoundedEventQueue()
        let writer = EventStoreWriter(store: try EventStore(path: path), queue: queue)
        writer.start()
        for index in 0..<100 {
            queue.offer(RequestRecord(id: "w-\(index)", client: "127.0.0.1:1", port: 80, scheme: "http", method: "GET", host: "h", path: "/"))
        }
        writer.stop()
        #expect(writer.written == 100)
        #expect(try EventStore(path: path).count() == 100)
    }
}
