import NIOCore
import RoutingCore

extension Timeouts {
    /// How long an exchange may take before the proxy gives up on it (504, or a close once
    /// the answer has begun): the shorter of the rule's `request` and `backendRequest`
    /// timeouts that are set and not disabled (0); nil for no limit.
    var exchangeDeadline: TimeAmount? {
        let positive = [request, backendRequest].lazy.compactMap { $0 }.filter { $0 > 0 }
        return positive.min().map { .nanoseconds(Int64($0 * 1e9)) }
    }
}
