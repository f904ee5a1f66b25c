import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// Round-robin over a backend's endpoints, skipping endpoints that recently refused a
/// connection (passive health checking). Shared by every event loop, hence the lock;
/// the critical sections are a dictionary lookup and an increment, and a backend with one
/// endpoint and nothing ejected takes no lock.
public final class EndpointPool: Sendable {
    private struct State {
        var next: [String: Int] = [:]
        var ejectedUntil: [Endpoint: NIODeadline] = [:]
    }
    private let state = NIOLockedValueBox(State())
    /// `state.ejectedUntil.count`, readable without the lock: a backend with one endpoint
    /// and nothing ejected (every request's common case) then takes no lock at all.
    private let ejectedCount = Atomic<Int>(0)

    public init() {}

    /// The next endpoint for `backend` (a stable key such as `ns/name:port`) among
    /// `endpoints`, or nil when every one of them is ejected.
    /// Every request asks, so the common cases cost no more than the lock: one endpoint
    /// with none ejected needs no turn, and the clock is read only for an ejected one.
    public func pick(backend: String, endpoints: [Endpoint], now: NIODeadline? = nil) -> Endpoint? {
        guard !endpoints.isEmpty else { return nil }
        if endpoints.count == 1, ejectedCount.load(ordering: .acquiring) == 0 { return endpoints[0] }
        return state.withLockedValue { state in
            defer { ejectedCount.store(state.ejectedUntil.count, ordering: .releasing) }
            if endpoints.count == 1, state.ejectedUntil.isEmpty { return endpoints[0] }
            let turn = state.next.index(forKey: backend)
            let start = turn.map { state.next.values[$0] } ?? 0
            for offset in 0..<endpoints.count {
                let candidate = endpoints[(start + offset) % endpoints.count]
                if let until = state.ejectedUntil[candidate] {
                    if until > (now ?? .now()) { continue }
                    state.ejectedUntil[candidate] = nil
                }
                let next = (start + offset + 1) % endpoints.count
                if let turn { state.next.values[turn] = next } else { state.next[backend] = next }
                return candidate
            }
            return nil
        }
    }

    /// Takes `endpoint` out of rotation until `now + duration`.
    public func eject(_ endpoint: Endpoint, for duration: TimeAmount, now: NIODeadline = .now()) {
        state.withLockedValue { state in
            state.ejectedUntil[endpoint] = now + duration
            ejectedCount.store(state.ejectedUntil.count, ordering: .releasing)
        }
    }

    /// Whether `endpoint` is currently ejected.
    public func isEjected(_ endpoint: Endpoint, now: NIODeadline = .now()) -> Bool {
        state.withLockedValue { ($0.ejectedUntil[endpoint] ?? .distantPast) > now }
    }
}
