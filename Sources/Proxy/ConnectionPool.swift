import NIOConcurrencyHelpers
import NIOCore

/// Idle keep-alive connections to backend endpoints, reused across requests.
///
/// A connection is only handed to a request on the same event loop it lives on: the
/// downstream and upstream channels of an exchange then share one thread, so forwarding
/// bytes and back-pressure never hop threads.
final class ConnectionPool: Sendable {
    private struct Idle {
        let channel: any Channel
        let since: NIODeadline
    }
    private let idle = NIOLockedValueBox([Endpoint: [Idle]]())
    private let maxIdle: Int
    private let maxAge: TimeAmount

    init(maxIdlePerEndpoint: Int = ProxyLimits.maxIdleConnectionsPerEndpoint, maxAge: TimeAmount = ProxyLimits.upstreamIdleTimeout) {
        self.maxIdle = maxIdlePerEndpoint
        self.maxAge = maxAge
    }

    /// An open idle connection to `endpoint` on `eventLoop`, removed from the pool.
    func take(_ endpoint: Endpoint, on eventLoop: any EventLoop, now: NIODeadline = .now()) -> (any Channel)? {
        var stale: [any Channel] = []
        let found: (any Channel)? = idle.withLockedValue { idle in
            guard var list = idle[endpoint] else { return nil }
            defer { idle[endpoint] = list.isEmpty ? nil : list }
            list.removeAll { entry in
                let expired = !entry.channel.isActive || now - entry.since > maxAge
                if expired { stale.append(entry.channel) }
                return expired
            }
            guard let index = list.lastIndex(where: { $0.channel.eventLoop === eventLoop }) else { return nil }
            return list.remove(at: index).channel
        }
        for channel in stale { channel.close(promise: nil) }
        return found
    }

    /// Returns a connection after a complete exchange; closes it when the pool is full, and
    /// always for a backend TLS connection (authenticated for one policy only).
    func put(_ channel: any Channel, endpoint: Endpoint, now: NIODeadline = .now()) {
        // An HTTP/2 stream (a child channel, see `HTTP2ConnectionPool`) carries one exchange:
        // closing it ends (or resets) the stream; its connection stays shared.
        if channel.parent != nil { return channel.close(promise: nil) }
        let kept = idle.withLockedValue { idle -> Bool in
            guard channel.isActive, idle[endpoint, default: []].count < maxIdle, !BackendTLSConnector.isSecured(channel) else { return false }
            idle[endpoint, default: []].append(Idle(channel: channel, since: now))
            return true
        }
        if !kept { channel.close(promise: nil) }
    }

    /// Forgets a connection the backend closed while it sat in the pool.
    func remove(_ channel: any Channel, endpoint: Endpoint) {
        idle.withLockedValue { idle in
            idle[endpoint]?.removeAll { $0.channel === channel }
            if idle[endpoint]?.isEmpty == true { idle[endpoint] = nil }
        }
    }

    /// Closes every idle connection (proxy stop).
    func closeAll() {
        let channels = idle.withLockedValue { idle -> [any Channel] in
            defer { idle.removeAll() }
            return idle.values.flatMap { $0.map(\.channel) }
        }
        for channel in channels { channel.close(promise: nil) }
    }

    /// Idle connections currently pooled (tests, diagnostics).
    var idleCount: Int { idle.withLockedValue { $0.values.reduce(0) { $0 + $1.count } } }
}
