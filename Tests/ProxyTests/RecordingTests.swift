@testable import EventLog
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
            #expect(record.gateway == nil)  // routed by port on the proxy's one address, as replay routes it
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
        #expect(queue.waitForWork(timeout: 0) && queue.takeAll().count == 2)
        queue.close()
        #expect(!queue.waitForWork(timeout: 0))
    }

    @Test func queueHandsOverEverythingWaitingOnceABatchIs() {
        let queue = BoundedEventQueue(capacity: 10, batchSize: 2)
        let record = RequestRecord(id: "a", client: "127.0.0.1:1", port: 80, scheme: "http", method: "GET", host: "h", path: "/")
        #expect(queue.offer(record))
        #expect(queue.waitForWork(timeout: 0) && queue.takeAll().count == 1)  // the wait timed out: what is there
        for _ in 0..<5 { #expect(queue.offer(record)) }
        #expect(queue.waitForWork(timeout: 60) && queue.takeAll().count == 5)  // full: at once, all of it
        #expect(queue.count == 0)
    }

    @Test func writerStoresRecordsInTheEventStore() throws {
        let path = NSTemporaryDirectory() + "gwsim-proxy-\(UUID().uuidString).db"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
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

    /// A store that refuses writes for a while (here: full, as a disk would be) loses
    /// nothing: the writer keeps what failed and writes it once the store takes it.
    @Test func writesThatFailForAWhileLoseNothing() throws {
        let path = NSTemporaryDirectory() + "gwsim-proxy-\(UUID().uuidString).db"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try EventStore(path: path)
        let pages = try #require(try store.db.scalarInt("PRAGMA page_count"))
        try store.db.exec("PRAGMA max_page_count = \(pages)")  // no page can be added: SQLITE_FULL
        let queue = BoundedEventQueue(capacity: 10_000, batchSize: 100)
        let writer = EventStoreWriter(store: store, queue: queue)
        writer.start()
        for index in 0..<3_000 {
            queue.offer(RequestRecord(id: "f-\(index)", client: "127.0.0.1:1", port: 80, scheme: "http", method: "GET", host: "h", path: "/"))
        }
        let deadline = Date().addingTimeInterval(promptly)
        while writer.failures.batches == 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(writer.failures.batches > 0)
        #expect(writer.written < 3_000)
        try writer.withStore { try $0.db.exec("PRAGMA max_page_count = 1073741823") }
        writer.stop()
        #expect(writer.written == 3_000)
        #expect(writer.failures.lost == 0)
        #expect(writer.failures.lastError?.contains("full") == true, "\(writer.failures.lastError ?? "")")
        #expect(try EventStore(path: path).count() == 3_000)
    }
}
