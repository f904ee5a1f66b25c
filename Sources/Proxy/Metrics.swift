import EventLog
import NIOConcurrencyHelpers

/// Request counters and the latency histogram behind `GET /metrics`.
///
/// Fed from the proxy's `onRequest` callback (once per finished exchange, on an event
/// loop). Each record costs one short critical section: a dictionary increment and a
/// bucket increment, no allocation once a (route, backend, status) series exists.
public final class ProxyMetrics: Sendable {
    /// Histogram upper bounds, seconds (Prometheus' default buckets).
    public static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public struct SeriesKey: Hashable, Sendable {
        public var route: String
        public var backend: String
        public var status: String
    }

    public struct Snapshot: Sendable {
        public var requests: [SeriesKey: Int] = [:]
        /// Non-cumulative counts per bucket, plus one for +Inf.
        public var bucketCounts = [Int](repeating: 0, count: ProxyMetrics.buckets.count + 1)
        public var latencySum = 0.0
        public var latencyCount = 0
        public var configSwaps = 0
    }

    private let state = NIOLockedValueBox(Snapshot())

    public init() {}

    /// Counts one finished exchange.
    public func record(_ record: RequestRecord) {
        let observed = record.observed
        let key = SeriesKey(route: observed?.route ?? "", backend: observed?.backend ?? "",
                            status: observed?.status.map(String.init) ?? "")
        let seconds = (observed?.latencyMs ?? 0) / 1000
        var bucket = Self.buckets.count
        for (index, bound) in Self.buckets.enumerated() where seconds <= bound { bucket = index; break }
        state.withLockedValue { s in
            s.requests[key, default: 0] += 1
            s.bucketCounts[bucket] += 1
            s.latencySum += seconds
            s.latencyCount += 1
        }
    }

    public func configSwapped() { state.withLockedValue { $0.configSwaps += 1 } }

    public var snapshot: Snapshot { state.withLockedValue { $0 } }
}
