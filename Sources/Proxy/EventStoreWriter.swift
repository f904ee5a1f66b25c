import EventLog
import Foundation
import NIOConcurrencyHelpers

/// Drains a `BoundedEventQueue` into an `EventStore` on its own thread, in batches: one
/// transaction for everything waiting once a batch is (group commit), or per flush
/// interval when quiet.
///
/// The event store is single-threaded SQLite; only this thread touches it after `start()`.
/// Write errors are counted and reported, not retried: the proxy keeps serving.
public final class EventStoreWriter: @unchecked Sendable {
    private let store: EventStore
    private let queue: BoundedEventQueue
    private let done = DispatchSemaphore(value: 0)
    private let stats = NIOLockedValueBox((written: 0, failedBatches: 0, lastError: String?.none))
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
        while let batch = queue.take(timeout: interval) {
            guard !batch.isEmpty else { continue }
            do {
                _ = try storeLock.withLock { try store.append(batch) }
                stats.withLockedValue { $0.written += batch.count }
            } catch {
                stats.withLockedValue { $0.failedBatches += 1; $0.lastError = "\(error)" }
            }
        }
        done.signal()
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
    /// Batches that failed to write, and the last error.
    public var failures: (batches: Int, lastError: String?) { stats.withLockedValue { ($0.failedBatches, $0.lastError) } }
}
