import EventLog
import Foundation
import NIOConcurrencyHelpers

/// Where the proxy's events go, for the data plane and the admin API together:
/// request records into the bounded queue (and its SQLite writer) or, without a log,
/// into an in-memory ring; metrics from the same records; resource events written
/// synchronously, after the requests routed with the world the change replaces.
public final class AdminRecorder: Sendable {
    public let metrics = ProxyMetrics()
    public let queue: BoundedEventQueue?
    public let writer: EventStoreWriter?
    /// Recent requests when there is no log (nil with a log: the log is the record).
    public let ring: AdminRequestRing?

    /// With an event store: `writer` drains `queue` into it (started by the caller).
    public init(queue: BoundedEventQueue, writer: EventStoreWriter) {
        self.queue = queue
        self.writer = writer
        self.ring = nil
    }

    /// Without an event store: requests are kept in a bounded ring.
    public init(ring: AdminRequestRing = AdminRequestRing()) {
        self.queue = nil
        self.writer = nil
        self.ring = ring
    }

    /// The proxy's `onRequest`: never blocks (queue and ring are bounded, drops are counted).
    /// The record is moved into its event and the event into the queue, not copied.
    public var onRequest: @Sendable (consuming RequestRecord, RoutingEpoch) -> Void {
        let metrics = self.metrics, queue = self.queue, ring = self.ring
        return { record, epoch in
            metrics.record(record)
            let event = Event(time: Date().timeIntervalSince1970, body: .request(record))
            if let queue {
                queue.offer(event, epoch: epoch)
            } else {
                ring?.append(event)
            }
        }
    }

    /// Appends resource events now, after the requests routed in `epoch` or before and
    /// before those routed since (`EventStoreWriter.append(_:after:)`); returns their seqs
    /// (empty without a log).
    @discardableResult
    public func appendResources(_ changes: [ResourceChange], after epoch: RoutingEpoch,
                                time: Double = Date().timeIntervalSince1970) throws -> [Int64] {
        guard let writer else { return [] }
        return try writer.append(changes.map { Event(time: time, body: .resource($0)) }, after: epoch)
    }

    /// Waits (at most `timeout` seconds) until every request offered so far is in the store.
    public func flush(timeout: Double = 2) {
        guard let queue, let writer else { return }
        let deadline = Date().addingTimeInterval(timeout)
        let target = queue.accepted
        queue.requestFlush()  // the writer otherwise waits for a full batch (group commit)
        while queue.count > 0 || writer.written < target, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
    }

    public var queueDepth: Int { queue?.count ?? 0 }
    public var dropped: Int { queue?.dropped ?? 0 }
    /// Failed writes to the event log and the events they lost (EventStoreWriter).
    public var writeFailures: (batches: Int, lost: Int) { writer.map { ($0.failures.batches, $0.failures.lost) } ?? (0, 0) }
}
