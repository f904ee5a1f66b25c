import EventLog
import Foundation
import NIOConcurrencyHelpers

/// A bounded hand-off between the data plane and whoever records requests.
///
/// `offer` never blocks and never grows past `capacity`: when the consumer (SQLite) falls
/// behind, records are dropped and counted, because delaying traffic to keep a log complete
/// would change what is being observed.
public final class BoundedEventQueue: Sendable {
    private struct State {
        var items: [Event] = []
        var dropped = 0
        var closed = false
    }
    public let capacity: Int
    private let condition = ConditionLock(value: false)
    private let state = NIOLockedValueBox(State())

    public init(capacity: Int = ProxyLimits.eventQueueCapacity) {
        precondition(capacity > 0, "queue capacity must be positive")
        self.capacity = capacity
    }

    /// Enqueues `event`; false (and counted) when the queue is full or closed.
    @discardableResult
    public func offer(_ event: Event) -> Bool {
        let accepted = state.withLockedValue { state -> Bool in
            guard !state.closed, state.items.count < capacity else {
                state.dropped += 1
                return false
            }
            state.items.append(event)
            return true
        }
        if accepted { condition.signal() }
        return accepted
    }

    /// Convenience for the proxy's `onRequest` callback.
    @discardableResult
    public func offer(_ record: RequestRecord, time: Double = Date().timeIntervalSince1970) -> Bool {
        offer(Event(time: time, body: .request(record)))
    }

    /// Takes up to `max` events, waiting at most `timeout` seconds for the first one.
    /// Returns an empty array on timeout, nil once closed and empty.
    public func take(max: Int, timeout: Double) -> [Event]? {
        if let batch = takeNow(max: max) { return batch }
        if isClosed { return nil }
        condition.wait(timeout: timeout)
        return takeNow(max: max) ?? (isClosed ? nil : [])
    }

    /// A non-empty batch, or nil when nothing is waiting.
    private func takeNow(max: Int) -> [Event]? {
        state.withLockedValue { state -> [Event]? in
            if state.items.isEmpty { return nil }
            let count = Swift.min(max, state.items.count)
            let batch = Array(state.items.prefix(count))
            state.items.removeFirst(count)
            return batch
        }
    }

    private var isClosed: Bool { state.withLockedValue { $0.closed } }

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
