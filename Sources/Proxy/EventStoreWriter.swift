import EventLog
import Foundation
import NIOConcurrencyHelpers

/// Drains a `BoundedEventQueue` into an `EventStore` on its own thread, in batches: one
/// transaction for everything waiting once a batch is (group commit), or per flush
/// interval when quiet.
///
/// The event store is single-threaded SQLite; only this thread touches it after `start()`.
/// The proxy keeps serving whatever the store does. A batch that fails for a passing
/// reason (the file locked by another writer past the busy timeout, a full disk, an I/O
/// error) is kept and written with the next one, so recorded events survive the outage;
/// at most a queue's worth is kept, and what does not fit is counted as lost. Any other
/// failure is counted and the batch dropped: writing it again would fail again.
public final class EventStoreWriter: @unchecked Sendable {
    private let store: EventStore
    private let queue: BoundedEventQueue
    private let done = DispatchSemaphore(value: 0)
    private let stats = NIOLockedValueBox((written: 0, failedBatches: 0, lost: 0, lastError: String?.none))
    private var thread: Thread?
    /// Serializes this thread's batches with `withStore` (the admin API's own writes and reads).
    private let storeLock = NIOLock()

    /// - Parameter store: handed over; do not use it from other threads after `start()`.
    public init(store: EventStore, queue: BoundedEventQueue) {
        self.store = store
        self.queue = queue
    }

    public func start() {
        precondition(thread == nil, "EventStoreWriter started twice")
        let thread = Thread { [self] in run() }
        thread.name = "gwsim-event-writer"
        self.thread = thread
        thread.start()
    }

    private func run() {
        let interval = Double(ProxyLimits.eventFlushInterval.nanoseconds) / 1e9
        var unwritten: [Event] = []
        while let batch = queue.take(timeout: interval) {
            if unwritten.isEmpty { unwritten = batch } else { unwritten += batch }
            if !unwritten.isEmpty { write(&unwritten) }
        }
        if !unwritten.isEmpty { write(&unwritten) }  // closed: a last try for what was kept
        let left = unwritten.count
        if left > 0 { stats.withLockedValue { $0.lost += left } }
        done.signal()
    }

    /// Writes `events` in one transaction and empties it, or keeps what a retry may write.
    private func write(_ events: inout [Event]) {
        do {
            _ = try storeLock.withLock { try store.append(events) }
            stats.withLockedValue { $0.written += events.count }
            events.removeAll(keepingCapacity: true)
        } catch {
            let kept = (error as? EventLogError)?.isPassing == true ? min(events.count, queue.capacity) : 0
            let lost = events.count - kept
            events.removeLast(lost)
            stats.withLockedValue { $0.failedBatches += 1; $0.lost += lost; $0.lastError = "\(error)" }
        }
    }

    /// Closes the queue, writes what is left, and waits for the thread to finish.
    public func stop() {
        queue.close()
        if thread != nil { done.wait() }
    }

    /// Runs `body` with the store while no batch is being written: for writes that must be
    /// synchronous (admin resource events) and consistent reads (review exports).
    public func withStore<R>(_ body: (EventStore) throws -> R) rethrows -> R {
        try storeLock.withLock { try body(store) }
    }

    /// Events written so far.
    public var written: Int { stats.withLockedValue { $0.written } }
    /// Failed writes (a kept batch counts again at each retry), the events lost, and the last error.
    public var failures: (batches: Int, lost: Int, lastError: String?) { stats.withLockedValue { ($0.failedBatches, $0.lost, $0.lastError) } }
}
