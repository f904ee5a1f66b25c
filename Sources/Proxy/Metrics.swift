#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif
import EventLog
import NIOConcurrencyHelpers

/// Request counters and the latency histogram behind `GET /metrics`.
///
/// Fed from the proxy's `onRequest` callback (once per finished exchange, on an event
/// loop). A thread counts into one of `ProxyLimits.metricsShards` shards, chosen by its
/// identity, so event loops rarely share a lock's cache line per request (two that land
/// on one shard just share it), and a shard remembers the series it counted last:
/// consecutive requests of one route, backend and status, the common case, cost a
/// comparison of strings that are usually the same objects rather than three hashes and
/// a dictionary lookup.
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

    private let shards = (0..<ProxyLimits.metricsShards).map { _ in NIOLockedValueBox(Counts()) }
    private let configSwaps = NIOLockedValueBox(0)

    public init() {}

    /// Counts one finished exchange.
    public func record(_ record: RequestRecord) {
        let observed = record.observed
        let seconds = (observed?.latencyMs ?? 0) / 1000
        var bucket = Self.buckets.count
        for (index, bound) in Self.buckets.enumerated() where seconds <= bound { bucket = index; break }
        shards[Self.shardIndex()].withLockedValue { counts in
            counts.count(route: observed?.route ?? "", backend: observed?.backend ?? "", status: observed?.status ?? -1)
            counts.bucketCounts[bucket] += 1
            counts.latencySum += seconds
            counts.latencyCount += 1
        }
    }

    public func configSwapped() { configSwaps.withLockedValue { $0 += 1 } }

    public var snapshot: Snapshot {
        var snapshot = Snapshot()
        for shard in shards {
            shard.withLockedValue { counts in
                for (index, series) in counts.series.enumerated() {
                    let key = SeriesKey(route: series.route, backend: series.backend, status: series.status < 0 ? "" : String(series.status))
                    snapshot.requests[key, default: 0] += counts.requests[index]
                }
                for index in counts.bucketCounts.indices { snapshot.bucketCounts[index] += counts.bucketCounts[index] }
                snapshot.latencySum += counts.latencySum
                snapshot.latencyCount += counts.latencyCount
            }
        }
        snapshot.configSwaps = configSwaps.withLockedValue { $0 }
        return snapshot
    }

    /// The calling thread's shard, from its identity (a thread control block's address,
    /// pages apart from the next, hence the shift).
    private static func shardIndex() -> Int {
        #if canImport(Darwin)
        let identity = UInt(bitPattern: pthread_self())
        #else
        let identity = UInt(pthread_self())
        #endif
        return ShardIndex.of(identity >> 12, count: ProxyLimits.metricsShards)
    }

    /// One thread's counters.
    private struct Counts {
        struct Series: Hashable {
            let route: String
            let backend: String
            /// -1: no status (the exchange ended without one).
            let status: Int
        }
        var series: [Series] = []
        var requests: [Int] = []
        var positions: [Series: Int] = [:]
        /// The position of the series counted last.
        var last = -1
        var bucketCounts = [Int](repeating: 0, count: ProxyMetrics.buckets.count + 1)
        var latencySum = 0.0
        var latencyCount = 0

        mutating func count(route: String, backend: String, status: Int) {
            if last >= 0, series[last].status == status, series[last].route == route, series[last].backend == backend {
                requests[last] += 1
                return
            }
            let key = Series(route: route, backend: backend, status: status)
            if let position = positions[key] {
                last = position
            } else {
                last = series.count
                positions[key] = last
                series.append(key)
                requests.append(0)
            }
            requests[last] += 1
        }
    }
}
