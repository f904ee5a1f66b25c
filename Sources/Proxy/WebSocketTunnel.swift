import NIOCore
import NIOHTTP1

/// After a backend accepted an upgrade (101 Switching Protocols, e.g. WebSocket), the
/// client and backend connections stop speaking HTTP: the HTTP codecs are removed on both
/// sides and the two connections are spliced byte for byte (`SpliceHandler`, as for TCP
/// routes: back-pressure both ways, either side closing closes the other).
enum WebSocketTunnel {
    /// True for a request asking to switch protocols (`Connection: upgrade` + `Upgrade`).
    static func isUpgrade(_ head: HTTPRequestHead) -> Bool {
        guard !head.headers["upgrade"].isEmpty else { return false }
        return head.headers["connection"].contains { value in
            value.split(separator: ",").contains { trimmedOWS($0).lowercased() == "upgrade" }
        }
    }

    /// Glues `client` (whose last handler is `downstream`) and `backend` (whose last is
    /// `upstream`): adds the splice handlers, then removes the HTTP handlers. The decoders
    /// go last, so bytes they hold back after the upgrade flow into the tunnel
    /// (the backend's decoder forwards them; the client must wait for the 101 anyway).
    static func splice(client: any Channel, downstream: RemovableChannelHandler, backend: any Channel,
                       upstream: RemovableChannelHandler) throws {
        let clientSide = SpliceHandler()
        let backendSide = SpliceHandler()
        let clientSync = client.pipeline.syncOperations
        let backendSync = backend.pipeline.syncOperations
        try clientSync.addHandler(clientSide)
        try backendSync.addHandler(backendSide)
        clientSync.removeHandler(downstream, promise: nil)
        backendSync.removeHandler(upstream, promise: nil)
        remove(NIOHTTPResponseHeadersValidator.self, from: clientSync)
        remove(HTTPResponseEncoder.self, from: clientSync)
        remove(HTTPRequestEncoder.self, from: backendSync)
        remove(ByteToMessageHandler<HTTPResponseDecoder>.self, from: backendSync)
        remove(ByteToMessageHandler<HTTPRequestDecoder>.self, from: clientSync)
        remove(RequestHeadTimer.self, from: clientSync)
        // Bytes the decoders held back reached the splice handlers when they were removed;
        // gluing passes them on, and asks again for a read the HTTP handlers held back.
        SpliceHandler.glue(clientSide, backendSide)
        client.read()
        backend.read()
    }

    private static func remove<Handler: RemovableChannelHandler>(_ type: Handler.Type, from sync: ChannelPipeline.SynchronousOperations) {
        guard let handler = try? sync.handler(type: type) else { return }
        sync.removeHandler(handler, promise: nil)
    }
}
