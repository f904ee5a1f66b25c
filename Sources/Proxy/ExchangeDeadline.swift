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

    /// Whether the rule says anything about time. HTTPRouteTimeouts leaves an unset
    /// timeout's behaviour to the implementation, and "0s" disables one: a rule that sets
    /// either is timed by that alone, one that sets neither by the proxy's stall limit
    /// (`Exchange.stall`).
    var areSet: Bool { request != nil || backendRequest != nil }
}

extension Exchange {
    /// What ends an exchange whose client connection went idle (`ProxyLimits.clientIdleTimeout`:
    /// no byte read from the client, none flushed to it), i.e. whose bytes stopped moving.
    enum Stall: Equatable {
        /// The rule set its own timeouts (`Timeouts.areSet`): they decide.
        case routeTimeoutsDecide
        /// Nothing can be answered any more: record the exchange and close the connection.
        case close
        /// Answer from the gateway and close.
        case answer(status: Int, body: String)
    }

    /// Like nginx's `proxy_read_timeout` and `client_body_timeout` (60 s each), a default
    /// for rules without timeouts, so that a backend that never answers, or a client that
    /// stops sending its body, cannot hold a connection and a backend connection forever.
    var stall: Stall {
        // Only the rest of a request body is awaited, whatever the rule says.
        if progress.responseEnded { return .close }
        // The decision whose timeouts the exchange was armed with (read only here, when idle).
        if decision?.timeouts.areSet == true { return .routeTimeoutsDecide }
        if progress.responseStarted { return .close }
        if !progress.requestEnded { return .answer(status: 408, body: "request body timeout\n") }
        return .answer(status: 504, body: "backend timeout\n")
    }
}
