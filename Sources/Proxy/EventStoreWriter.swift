import EventLog
import Foundation
import NIOConcurrencyHelpers

/// Drains a `BoundedEventQueue` into an `EventStore` on its own thread, in batches: one
/// transaction for everything waiting once a batch is (group commit), or per flush
/// interval when quiet.
///
/// The event store is single-threaded SQLite; only this thread touches it after `start()`,
/// apart from `withStore` and `append(_:after:)`, which take the same lock. Taking events
/// from the queue and writing them happen under that lock too, so a change's resource
/// events can be placed after every request routed before it (`append(_:after:)`).
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
    /// Serializes the store's users: this thread's batches, `withStore`, `append(_:after:)`.
    private let storeLock = NIOLock()
    /// Taken from the queue, not yet written (a kept batch); touched only under `storeLock`.
    private var unwritten = QueuedEvents()

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
        while queue.waitForWork(timeout: interval) {
            storeLock.withLock {
                unwritten.append(contentsOf: queue.takeAll())
                if !unwritten.isEmpty { write(events: []) }
            }
        }
        storeLock.withLock {
            unwritten.append(contentsOf: queue.takeAll())
            if !unwritten.isEmpty { write(events: []) }  // closed: a last try for what was kept
            let left = unwritten.count
            if left > 0 { stats.withLockedValue { $0.lost += left } }
        }
        done.signal()
    }

    /// Writes what was taken from the queue in one transaction: first the events routed in
    /// `epoch` or before, then `events`, then the later ones (all in queue order). Empties
    /// `unwritten`, or keeps what a retry may write. Returns the seqs of `events`.
    /// Call with `storeLock` held.
    @discardableResult
    private func write(events: [Event], after epoch: RoutingEpoch? = nil) -> Result<[Int64], Error> {
        do {
            let seqs: [Int64]
            let start: Int
            if let epoch {
                let (earlier, later) = unwritten.split(after: epoch)
                seqs = try store.append(earlier + events + later)
                start = earlier.count
            } else {
                // The batches of the run loop: the queue's array goes to the store as it is.
                seqs = try store.append(events.isEmpty ? unwritten.events : unwritten.events + events)
                start = unwritten.count
            }
            stats.withLockedValue { $0.written += unwritten.count }
            unwritten.removeAll()
            return .success(Array(seqs[start..<(start + events.count)]))
        } catch {
            let kept = (error as? EventLogError)?.isPassing == true ? min(unwritten.count, queue.capacity) : 0
            let lost = unwritten.count - kept
            unwritten.removeLast(lost)
            stats.withLockedValue { $0.failedBatches += 1; $0.lost += lost; $0.lastError = "\(error)" }
            return .failure(error)
        }
    }

    /// Appends `events` (a change's resource events) in one transaction with everything
    /// queued: after the requests routed in `epoch` or before (the world the change
    /// replaces), before the requests routed since. So a replay of the log routes every
    /// request with the resources its own world had. Returns the seqs of `events`.
    public func append(_ events: [Event], after epoch: RoutingEpoch) throws -> [Int64] {
        try storeLock.withLock {
            unwritten.append(contentsOf: queue.takeAll())
            return try write(events: events, after: epoch).get()
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
