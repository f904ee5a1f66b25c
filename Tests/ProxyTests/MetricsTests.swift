import EventLog
import Foundation
@testable import Proxy
import Testing

/// `ProxyMetrics` counts every record in its series, whichever thread records it and in
/// whatever order the series come (the last-series shortcut must not miscount).
@Suite struct MetricsTests {
    static func record(_ route: String, _ backend: String, _ status: Int?, latencyMs: Double) -> RequestRecord {
        var record = RequestRecord(id: "r", client: "127.0.0.1:1", port: 80, scheme: "http", method: "GET", host: "h", path: "/")
        record.observed = ObservedOutcome(route: route, backend: backend, status: status, latencyMs: latencyMs)
        return record
    }

    @Test func seriesAndHistogramAddUpAcrossThreads() {
        let metrics = ProxyMetrics()
        let series: [(String, String, Int?)] = [("HTTPRoute/a/x", "a/svc:80", 200), ("HTTPRoute/a/x", "a/svc:80", 503),
                                                ("HTTPRoute/a/y", "a/svc:80", 200), ("", "", nil)]
        // Eight threads, each recording the series in runs and interleaved.
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<100 {
                for (index, (route, backend, status)) in series.enumerated() {
                    let repeats = (round + index + thread) % 3 + 1
                    for _ in 0..<repeats { metrics.record(Self.record(route, backend, status, latencyMs: 7)) }
                }
            }
        }
        let snapshot = metrics.snapshot
        var expected = [Int](repeating: 0, count: series.count)
        for thread in 0..<8 {
            for round in 0..<100 { for index in series.indices { expected[index] += (round + index + thread) % 3 + 1 } }
        }
        for (index, (route, backend, status)) in series.enumerated() {
            let key = ProxyMetrics.SeriesKey(route: route, backend: backend, status: status.map(String.init) ?? "")
            #expect(snapshot.requests[key] == expected[index])
        }
        #expect(snapshot.requests.count == series.count)
        #expect(snapshot.latencyCount == expected.reduce(0, +))
        #expect(snapshot.bucketCounts[1] == expected.reduce(0, +))  // 7 ms: the 0.01 s bucket
    }
}
