import NIOConcurrencyHelpers
import NIOCore

/// Idle keep-alive connections to backend endpoints, reused across requests. A backend
/// TLS connection is kept apart, under the handshake it made (`BackendTLSClient`): it is
/// reused only by an exchange that asks for the same one, never by a plain one.
///
/// A connection is only handed to a request on the same event loop it lives on: the
/// downstream and upstream channels of an exchange then share one thread, so forwarding
/// bytes and back-pressure never hop threads. Idle connections are therefore kept per
/// (endpoint, event loop), and the limit applies to each such list, like nginx's
/// `keepalive N` cache that every worker process has for itself.
///
/// Taking and putting back are O(1): the most recently returned connection is reused
/// first (it is the least likely to have been closed by the backend meanwhile), so the
/// oldest ones sit at the front of a list and age out there.
///
/// The pool keeps each connection's last handler (`UpstreamHandler` for the HTTP/1
/// pipeline, `RawUpstreamHandler` for the byte path), not just its channel: finding the
/// handler in a pipeline (or asking the pipeline whether TLS is on it) is a walk with a
/// dynamic cast per handler, which cost every proxied request two such walks.
final class ConnectionPool<Upstream: PooledUpstream>: Sendable {
    private struct Idle {
        /// Read only on the connection's event loop (the one `take` is asked for).
        let upstream: NIOLoopBound<Upstream>
        /// The same connection, for what any thread may do: check it is open, close it (`closeAll`).
        let channel: any Channel
        let since: NIODeadline
    }
    private struct Key: Hashable {
        let endpoint: Endpoint
        let eventLoop: ObjectIdentifier
        /// The connection's `BackendTLSClient`, nil for a plain one. An identifier rather
        /// than the object, which would cost plain connections' keys a reference and a
        /// wider equality: an identifier cannot be taken by another client while a
        /// connection is pooled under it, since the connection's handler holds its client.
        let tls: ObjectIdentifier?

        init(endpoint: Endpoint, eventLoop: ObjectIdentifier, tls: BackendTLSClient?) {
            self.endpoint = endpoint
            self.eventLoop = eventLoop
            self.tls = tls.map(ObjectIdentifier.init)
        }

        /// The host and the TLS client are left out of the hash (keys still compare whole):
        /// every request looks a key up twice, and hashing the host's characters was most
        /// of the cost.
        func hash(into hasher: inout Hasher) {
            hasher.combine(endpoint.port)
            hasher.combine(eventLoop)
        }
    }
    /// One lock per shard; a key's event loop picks its shard, so the event loops do not
    /// share a lock (or its cache line) on every request.
    private let shards = (0..<ProxyLimits.connectionPoolShards).map { _ in NIOLockedValueBox([Key: [Idle]]()) }
    private let maxIdle: Int
    private let maxAge: TimeAmount

    /// - Parameter maxIdlePerEndpoint: idle connections kept per endpoint and event loop.
    init(maxIdlePerEndpoint: Int = ProxyLimits.maxIdleConnectionsPerEndpoint, maxAge: TimeAmount = ProxyLimits.upstreamIdleTimeout) {
        self.maxIdle = maxIdlePerEndpoint
        self.maxAge = maxAge
    }

    /// An open idle connection to `endpoint` on `eventLoop`, made with the `tls` handshake
    /// (nil: plain), removed from the pool.
    func take(_ endpoint: Endpoint, tls: BackendTLSClient? = nil, on eventLoop: any EventLoop, now: NIODeadline = .now()) -> Upstream? {
        let key = Key(endpoint: endpoint, eventLoop: ObjectIdentifier(eventLoop), tls: tls)
        var stale: [any Channel] = []
        // The list is changed where it lies (one hash of the key) and kept when empty:
        // `closeExpired` drops empty lists.
        let found = shard(key).withLockedValue { idle -> NIOLoopBound<Upstream>? in
            guard let slot = idle.index(forKey: key) else { return nil }
            while let entry = idle.values[slot].popLast() {
                if entry.channel.isActive && now - entry.since <= maxAge { return entry.upstream }
                stale.append(entry.channel)
            }
            return nil
        }
        for channel in stale { channel.close(promise: nil) }
        return found?.value
    }

    /// Returns a connection after a complete exchange (on its event loop); closes it when the
    /// pool is full.
    func put(_ upstream: Upstream, now: NIODeadline = .now()) {
        // An HTTP/2 stream (a child channel, see `HTTP2ConnectionPool`) carries one exchange:
        // closing it ends (or resets) the stream; its connection stays shared.
        guard let channel = upstream.channel else { return }
        guard channel.parent == nil, channel.isActive else { return channel.close(promise: nil) }
        let key = Key(endpoint: upstream.endpoint, eventLoop: ObjectIdentifier(channel.eventLoop), tls: upstream.tls)
        let entry = Idle(upstream: NIOLoopBound(upstream, eventLoop: channel.eventLoop), channel: channel, since: now)
        var stale: [any Channel] = []
        let kept = shard(key).withLockedValue { idle -> Bool in
            guard let slot = idle.index(forKey: key) else {
                idle[key] = [entry]
                return true
            }
            stale = removeExpired(from: &idle.values[slot], now: now)
            guard idle.values[slot].count < maxIdle else { return false }
            idle.values[slot].append(entry)
            return true
        }
        for channel in stale { channel.close(promise: nil) }
        if !kept { channel.close(promise: nil) }
    }

    /// Forgets a connection the backend closed while it sat in the pool.
    func remove(_ channel: any Channel, endpoint: Endpoint, tls: BackendTLSClient? = nil) {
        let key = Key(endpoint: endpoint, eventLoop: ObjectIdentifier(channel.eventLoop), tls: tls)
        shard(key).withLockedValue { idle in
            guard var list = idle.removeValue(forKey: key) else { return }
            list.removeAll { $0.channel === channel }
            if !list.isEmpty { idle[key] = list }
        }
    }

    /// Closes the idle connections older than the pool's age limit. `take` and `put` age
    /// out a list only when its endpoint is used again on its event loop; a backend that
    /// goes quiet, or that a configuration change removed, would otherwise keep its idle
    /// sockets open for good. The proxy calls this every half age limit.
    func closeExpired(now: NIODeadline = .now()) {
        let stale = shards.flatMap { shard in
            shard.withLockedValue { idle -> [any Channel] in
                var stale: [any Channel] = []
                for key in Array(idle.keys) {
                    stale += removeExpired(from: &idle[key]!, now: now)
                    if idle[key]!.isEmpty { idle.removeValue(forKey: key) }
                }
                return stale
            }
        }
        for channel in stale { channel.close(promise: nil) }
    }

    /// Takes the connections too old to be reused off `list` (the oldest are at its
    /// front) and returns their channels, to be closed outside the lock.
    private func removeExpired(from list: inout [Idle], now: NIODeadline) -> [any Channel] {
        let expired = list.prefix { now - $0.since > maxAge }.count
        guard expired > 0 else { return [] }
        defer { list.removeFirst(expired) }
        return list.prefix(expired).map(\.channel)
    }

    /// Closes every idle connection (proxy stop).
    func closeAll() {
        let channels = shards.flatMap { shard in
            shard.withLockedValue { idle -> [any Channel] in
                defer { idle.removeAll() }
                return idle.values.flatMap { $0.map(\.channel) }
            }
        }
        for channel in channels { channel.close(promise: nil) }
    }

    /// Idle connections currently pooled (tests, diagnostics).
    var idleCount: Int { shards.reduce(0) { sum, shard in sum + shard.withLockedValue { $0.values.reduce(0) { $0 + $1.count } } } }

    private func shard(_ key: Key) -> NIOLockedValueBox<[Key: [Idle]]> {
        shards[ShardIndex.of(UInt(bitPattern: key.eventLoop), count: ProxyLimits.connectionPoolShards)]
    }
}

/// The last handler of a poolable backend connection.
protocol PooledUpstream: AnyObject {
    /// The connection; nil once the handler left its pipeline.
    var channel: (any Channel)? { get }
    var endpoint: Endpoint { get }
    /// The TLS handshake the connection made with the backend; nil for a plain connection.
    var tls: BackendTLSClient? { get }
}

extension UpstreamHandler: PooledUpstream {}
