import NIOCore
import NIOEmbedded
import NIOSSL
@testable import Proxy
import Testing

/// Idle backend connections are pooled with their handler, per endpoint and event loop,
/// and a backend TLS connection under the handshake it made.
@Suite struct ConnectionPoolTests {
    let endpoint = Endpoint(host: "127.0.0.1", port: 8080)

    private func connection(_ pool: ConnectionPool<UpstreamHandler>, tls: BackendTLSClient? = nil) throws -> (EmbeddedChannel, UpstreamHandler) {
        let channel = EmbeddedChannel()
        let handler = UpstreamHandler(endpoint: endpoint, pool: pool, tls: tls)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        return (channel, handler)
    }

    @Test func aReturnedConnectionIsTakenAgainWithItsHandler() throws {
        let pool = ConnectionPool<UpstreamHandler>()
        let (channel, handler) = try connection(pool)
        pool.put(handler)
        #expect(pool.idleCount == 1)
        #expect(pool.take(Endpoint(host: "127.0.0.1", port: 9090), on: channel.eventLoop) == nil)
        #expect(pool.take(endpoint, on: channel.eventLoop) === handler)
        #expect(pool.idleCount == 0)
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    /// A TLS connection goes only to an exchange asking for the same handshake (the same
    /// `BackendTLSClient`): not to a plain one, not to another client.
    @Test func aBackendTLSConnectionIsReusedForTheSameHandshakeOnly() throws {
        let pool = ConnectionPool<UpstreamHandler>()
        let context = try NIOSSLContext(configuration: .makeClientConfiguration())
        func client(_ serverName: String) -> BackendTLSClient {
            BackendTLSClient(context: context, serverName: serverName, acceptedNames: [serverName], applicationProtocol: "http/1.1",
                             policy: "default/p")
        }
        let tls = client("abc.example.com")
        let (channel, handler) = try connection(pool, tls: tls)
        pool.put(handler)
        #expect(pool.idleCount == 1)
        #expect(pool.take(endpoint, on: channel.eventLoop) == nil)
        #expect(pool.take(endpoint, tls: client("abc.example.com"), on: channel.eventLoop) == nil)
        #expect(pool.take(endpoint, tls: tls, on: channel.eventLoop) === handler)
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    @Test func aConnectionTheBackendClosedLeavesThePool() throws {
        let pool = ConnectionPool<UpstreamHandler>()
        let (channel, handler) = try connection(pool)
        pool.put(handler)
        #expect(pool.idleCount == 1)
        try channel.close().wait()
        #expect(pool.idleCount == 0)
        #expect(pool.take(endpoint, on: channel.eventLoop) == nil)
    }

    /// Idle connections past the age limit are closed by the sweep, even when their
    /// endpoint is never used again; younger ones stay.
    @Test func theSweepClosesConnectionsPastTheirAge() throws {
        let pool = ConnectionPool<UpstreamHandler>(maxAge: .seconds(30))
        let (old, oldHandler) = try connection(pool)
        let (young, youngHandler) = try connection(pool)
        let start = NIODeadline.now()
        pool.put(oldHandler, now: start)
        pool.put(youngHandler, now: start + .seconds(20))
        pool.closeExpired(now: start + .seconds(25))
        #expect(pool.idleCount == 2)
        pool.closeExpired(now: start + .seconds(40))
        #expect(pool.idleCount == 1)
        #expect(!old.isActive && young.isActive)
        pool.closeExpired(now: start + .seconds(60))
        #expect(pool.idleCount == 0 && !young.isActive)
    }
}
