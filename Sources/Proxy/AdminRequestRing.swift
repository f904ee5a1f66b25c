import EventLog
import NIOConcurrencyHelpers

/// The most recent request events, for `POST /review` when there is no event log.
/// Bounded by `ProxyLimits.reviewRingCapacity`; the oldest record is overwritten.
public final class AdminRequestRing: Sendable {
    private struct State {
        var items: [Event] = []
        var next = 0
    }
    public let capacity: Int
    private let state = NIOLockedValueBox(State())

    public init(capacity: Int = ProxyLimits.reviewRingCapacity) {
        precondition(capacity > 0, "ring capacity must be positive")
        self.capacity = capacity
    }

    public func append(_ event: Event) {
        state.withLockedValue { s in
            if s.items.count < capacity { s.items.append(event) } else {
                s.items[s.next] = event
                s.next = (s.next + 1) % capacity
            }
        }
    }

    /// Events with `since <= time <= until`, oldest first.
    public func events(since: Double, until: Double) -> [Event] {
        let all = state.withLockedValue { s in Array(s.items[s.next...] + s.items[..<s.next]) }
        return all.filter { $0.time >= since && $0.time <= until }
    }

    public var count: Int { state.withLockedValue { $0.items.count } }
}
