import EventLog
import Foundation
import NIOConcurrencyHelpers

/// A bounded hand-off between the data plane and whoever records requests.
///
/// `offer` never blocks and never grows past `capacity`: when the consumer (SQLite) falls
/// behind, records are dropped and counted, because delaying traffic to keep a log complete
/// would change what is being observed.
///
/// Group commit: the consumer is woken only when a whole batch (`batchSize`) is waiting,
/// on `requestFlush()` and on `close()`; otherwise it takes what is there when its wait
/// times out. So an event loop pays one short critical section per record and no
/// wake-up system call, and the writer commits full batches under load instead of one
/// transaction per record.
///
/// Events and their epochs wait in two arrays, handed over whole: the writer passes the
/// events to the store as they are, and an event (a request record is a dozen strings) is
/// never copied on its way, which cost a retain and a release of each of its strings per copy.
public final class BoundedEventQueue: Sendable {
    private struct State {
        var items = QueuedEvents()
        var accepted = 0
        var dropped = 0
        var closed = false
        var flushRequested = false
    }
    public let capacity: Int
    /// Records waiting that wake the consumer (see the type's doc).
    public let batchSize: Int
    private let condition = ConditionLock(value: false)
    private let state = NIOLockedValueBox(State())

    public init(capacity: Int = ProxyLimits.eventQueueCapacity, batchSize: Int = ProxyLimits.eventBatchSize) {
        precondition(capacity > 0, "queue capacity must be positive")
        precondition(batchSize > 0, "batch size must be positive")
        self.capacity = capacity
        self.batchSize = batchSize
    }

    /// Enqueues `event`, routed in `epoch`; false (and counted) when the queue is full or closed.
    @discardableResult
    public func offer(_ event: consuming Event, epoch: RoutingEpoch = RoutingEpoch(0)) -> Bool {
        var pending = Optional(event)  // moved into the queue, not copied (see the type's doc)
        let (accepted, wake) = state.withLockedValue { state -> (Bool, Bool) in
            guard !state.closed, state.items.count < capacity else {
                state.dropped += 1
                return (false, false)
            }
            if state.items.events.capacity == 0 { state.items.reserveCapacity(batchSize) }
            state.items.append(pending.take()!, epoch: epoch)
            state.accepted += 1
            return (true, state.items.count == batchSize)
        }
        if wake { condition.signal() }
        return accepted
    }

    /// Convenience for the proxy's `onRequest` callback.
    @discardableResult
    public func offer(_ record: RequestRecord, time: Double = Date().timeIntervalSince1970) -> Bool {
        offer(Event(time: time, body: .request(record)))
    }

    /// Returns at once when `batchSize` or more events are waiting (or a flush was
    /// requested, or the queue is closed), else after waiting at most `timeout` seconds for
    /// a batch to fill up. False once the queue is closed and empty: the consumer is done.
    public func waitForWork(timeout: Double) -> Bool {
        let ready = state.withLockedValue { $0.items.count >= batchSize || $0.flushRequested || $0.closed }
        if !ready { condition.wait(timeout: timeout) }
        return state.withLockedValue { !($0.closed && $0.items.isEmpty) }
    }

    /// Every waiting event, oldest first; a consumer that fell behind gets everything in
    /// one larger batch (one transaction, no copy).
    public func takeAll() -> QueuedEvents {
        state.withLockedValue { state -> QueuedEvents in
            state.flushRequested = false
            // Hand the whole arrays over: no copy, and the next ones are allocated on demand.
            defer { state.items = QueuedEvents() }
            return state.items
        }
    }

    /// Wakes the consumer now to write what is waiting (`AdminRecorder.flush`).
    public func requestFlush() {
        state.withLockedValue { $0.flushRequested = true }
        condition.signal()
    }

    /// Records accepted so far (the consumer has caught up once it wrote as many).
    public var accepted: Int { state.withLockedValue { $0.accepted } }
    /// Records dropped because the queue was full (or closed).
    public var dropped: Int { state.withLockedValue { $0.dropped } }
    /// Records waiting.
    public var count: Int { state.withLockedValue { $0.items.count } }

    /// Refuses further offers and wakes the consumer so it can drain and exit.
    public func close() {
        state.withLockedValue { $0.closed = true }
        condition.signal()
    }
}

/// Events waiting to be written, oldest first, each with the epoch of the world that routed it.
public struct QueuedEvents: Sendable {
    public private(set) var events: [Event] = []
    public private(set) var epochs: [RoutingEpoch] = []

    public var count: Int { events.count }
    public var isEmpty: Bool { events.isEmpty }

    mutating func reserveCapacity(_ count: Int) {
        events.reserveCapacity(count)
        epochs.reserveCapacity(count)
    }

    mutating func append(_ event: consuming Event, epoch: RoutingEpoch) {
        events.append(event)
        epochs.append(epoch)
    }

    /// Appends `other`; taken whole when this is empty (no copy).
    mutating func append(contentsOf other: consuming QueuedEvents) {
        if events.isEmpty {
            self = other
        } else {
            events += other.events
            epochs += other.epochs
        }
    }

    /// The events routed in `epoch` or before, and the later ones (both in queue order).
    func split(after epoch: RoutingEpoch) -> (earlier: [Event], later: [Event]) {
        var earlier: [Event] = [], later: [Event] = []
        for index in events.indices {
            if epochs[index] <= epoch { earlier.append(events[index]) } else { later.append(events[index]) }
        }
        return (earlier, later)
    }

    /// Drops the `count` newest events.
    mutating func removeLast(_ count: Int) {
        events.removeLast(count)
        epochs.removeLast(count)
    }

    mutating func removeAll() {
        events.removeAll(keepingCapacity: true)
        epochs.removeAll(keepingCapacity: true)
    }
}

/// A wake-up signal for the writer thread (a semaphore that coalesces signals).
private final class ConditionLock: @unchecked Sendable {
    private let condition = NSCondition()
    private var signalled: Bool

    init(value: Bool) { signalled = value }

    func signal() {
        condition.lock()
        signalled = true
        condition.signal()
        condition.unlock()
    }

    func wait(timeout: Double) {
        condition.lock()
        if !signalled { _ = condition.wait(until: Date(timeIntervalSinceNow: timeout)) }
        signalled = false
        condition.unlock()
    }
}
