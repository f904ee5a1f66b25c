import EventLog
import GatewayAPI
import NIOCore
import NIOHTTP1
import RoutingCore

/// The byte path of an HTTP/1.1 client connection: requests without a body that route to a
/// plain backend (or to an answer of the gateway's own) are read, forwarded and answered
/// as bytes, with no HTTP codec and no per-part messages on either connection.
///
/// Why: SwiftNIO's HTTP/1 codecs and the part-by-part pipeline built on them cost about as
/// much CPU per proxied request as all of nginx (docs/benchmarks.md). The rules are not
/// written twice: a request head is parsed into the same `HTTPRequestHead`, checked by the
/// same functions (`RequestTarget`, `TransferCoding`), routed by the same table, forwarded
/// with the head `RequestForwarder` builds, answered with the head `ResponseWriter`
/// builds, and recorded through the same `Exchange`. The common case goes further
/// (`PlainRequestHead`, `PlainRoutes`, `PlainResponseHead`): a GET or HEAD the forwarder
/// would pass on unchanged is routed from its bytes and forwarded as written, and a
/// backend head with nothing to drop or change goes back as written, each with the
/// fields those functions add.
///
/// Everything else is the full pipeline's (`DownstreamHandler` behind NIO's codec): a
/// request with a body, an upgrade, `Expect`, HTTP/1.0, a head `HeadParser` does not
/// accept, and a decision with mirrors, retries, backend TLS or an h2c backend. The first
/// such request hands the connection over for good: the full pipeline is added behind this
/// handler, which passes every byte on from then on. Only between exchanges, so the two
/// never answer out of order.
final class FastPathHandler: ChannelDuplexHandler, RawUpstreamDelegate {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = ByteBuffer

    private let runtime: ProxyRuntime
    private let listenerPort: Int
    private let scheme: String
    /// RouteRequest.sni: on HTTPS, "" says the client sent none.
    private let sni: String?
    private let headTimer: RequestHeadTimer
    /// The connection's idle rule when this handler keeps it (`IdleClock`): set on cleartext
    /// connections, whose `ConnectionIdleTimer` steps aside for it; nil behind TLS, where
    /// the timer stays in front of the TLS handler.
    private let idleTimeout: TimeAmount?
    private var idle: IdleClock?
    /// Adds the full pipeline behind this handler (`ListenerPipeline.addHTTP1`).
    private let addFullPipeline: (ChannelPipeline.SynchronousOperations) throws -> Void
    private var context: ChannelHandlerContext!
    private var tickFlusher: TickFlusher!
    /// The channel's allocator, kept: reaching it through the channel costs a reference
    /// count and a dynamic dispatch each time.
    private var allocator = ByteBufferAllocator()
    private var handedOver = false
    /// Bytes read and not yet taken by an exchange (a head in pieces, pipelined requests).
    private var pending: ByteBuffer?
    private var exchange: Exchange?
    private var upstream: RawUpstreamHandler?
    /// The exchange's upstream head, kept to retry once when a pooled connection was stale.
    private var upstreamHead: ByteBuffer?
    private var upstreamFromPool = false
    /// The backend's body ends with its close and goes to the client in chunks (`rawUpstreamHead`).
    private var rechunking = false
    private var pendingRead = false
    private var inReadBatch = false
    /// Inside `takeRequests` (see there).
    private var taking = false
    /// Plain heads' fields (reused) and the verdicts rendered for them (`PlainRoutes`).
    private var plainFields: [PlainRequestHead.Field] = []
    private let plainRoutes = PlainRoutes()
    /// Response bytes written but not flushed (flushed after the backend's read batch, `flushClient`).
    private var responseNeedsFlush = false
    /// The response head, held until the body's first bytes join it (`mergedResponseBodyBytes`)
    /// or anything else goes out first.
    private var heldHead: ByteBuffer?
    private var clientAddress = ""
    private var clientIP = ""
    /// The forwarding fields of this connection's plain heads (`PlainRequestHead.forwarded`).
    private lazy var forwardingFields = PlainRequestHead.ForwardingFields(
        RequestForwarder.Client(ip: clientIP, listenerPort: listenerPort, scheme: scheme))

    init(runtime: ProxyRuntime, listenerPort: Int, scheme: String, sni: String?, headTimer: RequestHeadTimer, idleTimeout: TimeAmount?,
         addFullPipeline: @escaping (ChannelPipeline.SynchronousOperations) throws -> Void) {
        self.runtime = runtime
        self.listenerPort = listenerPort
        self.scheme = scheme
        self.sni = RouteRequest.sni(scheme: scheme, serverName: sni)
        self.headTimer = headTimer
        self.addFullPipeline = addFullPipeline
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        tickFlusher = runtime.tickFlusher(for: context.eventLoop)
        allocator = context.channel.allocator
        (clientIP, clientAddress) = Endpoint.client(of: context.channel)
        if let idleTimeout {
            idle = IdleClock(timeout: idleTimeout, now: context.eventLoop.now)
            scheduleIdleCheck(at: idle!.firstCheck)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        headTimer.stop()
        idle?.stop()
    }

    // MARK: client -> proxy

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        idle?.reading = true
        headTimer.readArrived()
        guard !handedOver else { return context.fireChannelRead(data) }
        inReadBatch = true
        var buffer = unwrapInboundIn(data)
        if pending == nil { pending = buffer } else { pending!.writeBuffer(&buffer) }
        if exchange == nil { takeRequests() }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        idle?.readEnded(now: .now())
        headTimer.readBatchEnded(context)
        inReadBatch = false
        // Until the hand-over nothing is behind this handler to be told.
        if handedOver { context.fireChannelReadComplete() }
    }

    /// Starts exchanges for the complete heads in `pending`, one at a time. Not re-entered:
    /// an exchange answered at once (a local answer) ends inside `begin`, and this loop
    /// goes on with the next head.
    private func takeRequests() {
        guard !taking else { return }
        taking = true
        defer { taking = false }
        while !handedOver, exchange == nil, let buffer = pending, buffer.readableBytes > 0, context.channel.isActive {
            if let plain = routePlain(buffer) {
                pending!.moveReaderIndex(forwardBy: plain.head.length)
                if pending!.readableBytes == 0 { pending = nil }
                beginPlain(plain)
                continue
            }
            switch HeadParser.request(buffer, limit: ProxyLimits.maxHeaderBytes) {
            case .incomplete:
                return
            case .unsupported:
                return handOver()
            case .parsed(let head, let length):
                guard let routed = route(head) else { return handOver() }
                pending!.moveReaderIndex(forwardBy: length)
                if pending!.readableBytes == 0 { pending = nil }
                begin(routed)
            }
        }
        if exchange == nil { resumeClientReads() }
    }

    /// A plain head (`PlainRequestHead`) routed, with the head its backend gets.
    private struct RoutedPlain {
        let head: PlainRequestHead
        let route: PlainRoutes.Route
        let id: String
        let epoch: RoutingEpoch
        let upstreamHead: ByteBuffer
        /// What the request record is made of (only when someone records).
        let request: Exchange.Request
    }

    /// Reads and routes the head at the front of `buffer` when it is plain and its verdict
    /// forwards it as it came; nil (nothing done) otherwise.
    private func routePlain(_ buffer: ByteBuffer) -> RoutedPlain? {
        buffer.withUnsafeReadableBytes { bytes -> RoutedPlain? in
            guard let end = HeadParser.headEnd(bytes, limit: ProxyLimits.maxHeaderBytes),
                  let head = PlainRequestHead.read(bytes, end: end, fields: &plainFields) else { return nil }
            let id = runtime.ids.next()
            let (world, epoch) = runtime.routeRequest()
            guard let route = plainRoutes.route(head, fields: plainFields, in: bytes, world: world, epoch: epoch, port: listenerPort,
                                                isHTTPS: scheme == "https", sni: sni, key: id,
                                                serves: { Self.servesOnBytePath($0, world: world) }) else {
                runtime.routeAbandoned(epoch: epoch)
                return nil
            }
            var upstreamHead = allocator.buffer(capacity: end + 256)
            head.forwarded(from: buffer, fields: forwardingFields, requestID: id, into: &upstreamHead)
            func text(_ range: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
            let method: HTTPMethod = head.isHEAD ? .HEAD : .GET
            let request: Exchange.Request
            if runtime.onRequest != nil {
                // The record reads the fields from `headers`, not from the head.
                let recorded = HTTPRequestHead(version: .http1_1, method: method, uri: text(head.target))
                request = Exchange.Request(head: recorded, client: clientAddress, listenerPort: listenerPort, scheme: scheme,
                                           host: text(head.host), headers: plainFields.map { HTTPHeader(name: text($0.name), value: text($0.value)) },
                                           sni: sni)
            } else {
                // Not recorded: only the method and version are read, of a head shared rather than allocated.
                request = Exchange.Request(head: head.isHEAD ? Self.unrecordedHEAD : Self.unrecordedGET, client: "",
                                           listenerPort: listenerPort, scheme: scheme, host: "", headers: [], sni: nil)
            }
            return RoutedPlain(head: head, route: route, id: id, epoch: epoch, upstreamHead: upstreamHead, request: request)
        }
    }

    private static let unrecordedGET = HTTPRequestHead(version: .http1_1, method: .GET, uri: "")
    private static let unrecordedHEAD = HTTPRequestHead(version: .http1_1, method: .HEAD, uri: "")

    private func beginPlain(_ routed: consuming RoutedPlain) {
        let route = routed.route
        let exchange = open(id: routed.id, keepAlive: true, request: routed.request, epoch: routed.epoch)
        exchange.plainRoute = route  // its decision is the exchange's (`Exchange.decision`)
        send(exchange, backend: route.backendName, endpoints: route.endpoints, edits: route.edits, timeouts: route.timeouts,
             upstreamHead: routed.upstreamHead)
    }

    /// The exchange of a request that ended with its head (the byte path takes no body),
    /// now this connection's.
    private func open(id: String, keepAlive: Bool, request: consuming Exchange.Request, epoch: RoutingEpoch, decision: Decision? = nil) -> Exchange {
        let draining = runtime.requestStarted()
        headTimer.headReceived()
        let exchange = Exchange(id: id, keepAlive: keepAlive && !draining, request: request)
        exchange.epoch = epoch
        exchange.decision = decision
        self.exchange = exchange
        _ = exchange.progress.requestEnd()
        return exchange
    }

    /// A request head checked and routed on the byte path.
    private struct Routed {
        let head: HTTPRequestHead
        let host: String
        let id: String
        let fields: [HTTPHeader]
        let world: ProxyWorld
        let epoch: RoutingEpoch
        let decision: Decision
    }

    /// `received` (a head `HeadParser` read) when the byte path takes it as it is; nil
    /// when the full pipeline must.
    static func takes(_ received: HTTPRequestHead) -> HTTPRequestHead? {
        let headers = received.headers
        // A body, an upgrade or an expectation: the full pipeline's (see the type's comment).
        if headers.contains(name: "transfer-encoding") || headers.contains(name: "upgrade") || headers.contains(name: "expect") {
            return nil
        }
        if let length = headers.first(name: "content-length"), length != "0" || headers["content-length"].count > 1 { return nil }
        // The checks the full pipeline makes, by the same functions: a head they would refuse or
        // rewrite is theirs to answer (`TransferCoding` has nothing to refuse: no coding came).
        guard case .success(let head) = RequestTarget.normalize(received, http2: false), head.uri == received.uri,
              DownstreamHandler.headBytes(head) <= ProxyLimits.maxHeaderBytes else { return nil }
        return head
    }

    /// Checks and routes `received`; nil (nothing done) when the full pipeline must take it.
    private func route(_ received: HTTPRequestHead) -> Routed? {
        guard let head = Self.takes(received) else { return nil }
        let headers = head.headers
        let host = headers.first(name: "host") ?? ""
        let id = headers.first(name: "x-request-id").flatMap { $0.isEmpty ? nil : $0 } ?? runtime.ids.next()
        let fields = headers.map { HTTPHeader(name: $0.name, value: $0.value) }
        let (world, epoch) = runtime.routeRequest()
        let decision = world.table.route(RouteRequest(port: listenerPort, scheme: scheme, method: head.method.rawValue, host: host,
                                                      path: head.uri, headers: fields, sni: sni), key: id)
        guard Self.servesOnBytePath(decision, world: world) else {
            runtime.routeAbandoned(epoch: epoch)
            return nil
        }
        return Routed(head: head, host: host, id: id, fields: fields, world: world, epoch: epoch, decision: decision)
    }

    /// Starts the exchange of a routed request.
    private func begin(_ routed: Routed) {
        let (head, host, decision) = (routed.head, routed.host, routed.decision)
        let request = Exchange.Request(head: head, client: clientAddress, listenerPort: listenerPort, scheme: scheme, host: host,
                                       headers: routed.fields, sni: sni)
        _ = open(id: routed.id, keepAlive: HopByHop.persists(head.headers, version: head.version), request: request, epoch: routed.epoch, decision: decision)
        if let answer = ResponseWriter.localAnswer(decision) {
            respondLocally(status: answer.status, body: answer.body, extraHeaders: answer.headers)
        } else {
            forward(head, decision: decision, world: routed.world, routedHost: host)
        }
    }

    /// What the byte path does not do itself: mirrors, retries, TLS or HTTP/2 to the backend.
    private static func servesOnBytePath(_ decision: Decision, world: ProxyWorld) -> Bool {
        guard decision.outcome == .forward else { return true }
        guard let backend = decision.backend, decision.backendTLS == nil, decision.retry == nil,
              !decision.mirrors.contains(where: { $0.selected && $0.valid }) else { return false }
        return !UpstreamProtocol.usesHTTP2(decision: decision, appProtocol: world.resolver.appProtocol(for: backend))
    }

    /// Gives the connection to the full pipeline, with the bytes not taken yet.
    private func handOver() {
        handedOver = true
        do {
            try addFullPipeline(context.pipeline.syncOperations)
        } catch {
            context.close(promise: nil)
            return
        }
        if let buffer = pending {
            pending = nil
            context.fireChannelRead(wrapInboundOut(buffer))
            if !inReadBatch { context.fireChannelReadComplete() }
        }
        if pendingRead {
            pendingRead = false
            context.read()
        }
    }

    // MARK: forwarding

    private func forward(_ head: HTTPRequestHead, decision: Decision, world: ProxyWorld, routedHost: String) {
        guard let exchange, let backend = decision.backend else { return respondLocally(status: 500, body: "no backend\n") }
        let client = RequestForwarder.Client(ip: clientIP, listenerPort: listenerPort, scheme: scheme)
        let forwarded = RequestForwarder.upstreamHead(decision: decision, original: head, routedHost: routedHost, client: client,
                                                      requestID: exchange.id)
        var bytes = allocator.buffer(capacity: 512)
        guard HeadSerializer.write(forwarded, to: &bytes) else {
            return respondLocally(status: 502, body: "a header for the backend is not a valid HTTP field\n")
        }
        send(exchange, backend: backend.description, endpoints: world.resolver.endpoints(for: backend), edits: ResponseEdits(decision),
             timeouts: decision.timeouts, upstreamHead: bytes)
    }

    /// Sends the exchange's request to an endpoint of `backend` (named as the balancer knows it).
    private func send(_ exchange: Exchange, backend: String, endpoints: [Endpoint], edits: ResponseEdits, timeouts: Timeouts,
                      upstreamHead: ByteBuffer) {
        guard let endpoint = runtime.endpoints.pick(backend: backend, endpoints: endpoints) else {
            let why = endpoints.isEmpty ? "no endpoints for \(backend)" : "no healthy endpoint for \(backend)"
            return respondLocally(status: 503, body: why + "\n")
        }
        exchange.progress.startForwarding()
        exchange.responseEdits = edits
        exchange.endpoint = endpoint
        self.upstreamHead = upstreamHead
        armTimeout(exchange, timeouts)
        openUpstream(exchange, endpoint: endpoint, allowPooled: true)
    }

    private func openUpstream(_ exchange: Exchange, endpoint: Endpoint, allowPooled: Bool) {
        if allowPooled, let pooled = runtime.rawConnections.take(endpoint, on: context.eventLoop) {
            upstreamFromPool = true
            return attach(pooled, to: exchange)
        }
        upstreamFromPool = false
        RawUpstreamConnector.connect(to: endpoint, on: context.eventLoop, pool: runtime.rawConnections,
                                     timeout: runtime.config.upstreamConnectTimeout)
            .assumeIsolated()
            .whenComplete { result in
                let current = self.exchange === exchange && !exchange.progress.responseStarted && self.upstream == nil
                switch result {
                case .success(let handler):
                    guard current else { return self.runtime.rawConnections.put(handler) }
                    self.attach(handler, to: exchange)
                case .failure:
                    self.runtime.endpoints.eject(endpoint, for: self.runtime.config.endpointEjection)
                    guard current else { return }
                    self.respondLocally(status: 503, body: "backend unavailable: \(endpoint) refused or did not answer\n")
                }
            }
    }

    private func attach(_ handler: RawUpstreamHandler, to exchange: Exchange) {
        guard let head = upstreamHead else { return }
        handler.delegate = self
        upstream = handler
        handler.send(head, method: exchange.method)
    }

    private func abandonUpstream() {
        upstream?.close()
        upstream = nil
    }

    private func armTimeout(_ exchange: Exchange, _ timeouts: Timeouts) {
        guard let deadline = timeouts.exchangeDeadline else { return }
        exchange.timeout = context.eventLoop.assumeIsolated().scheduleTask(in: deadline) {
            guard self.exchange === exchange, !exchange.progress.responseEnded else { return }
            if !exchange.progress.responseStarted {
                self.respondLocally(status: 504, body: "backend timeout\n")
            } else {
                self.closeMidExchange(exchange)
            }
        }
    }

    // MARK: backend -> proxy (RawUpstreamDelegate)

    func rawUpstreamInformational(_ head: HTTPResponseHead) {
        guard let exchange, !exchange.progress.responseStarted else { return }
        // Ahead of the final answer, not instead of it (RFC 9110 §15.2).
        let informational = HTTPResponseHead(version: .http1_1, status: head.status, headers: ResponseWriter.withoutHopByHop(head.headers))
        var bytes = allocator.buffer(capacity: 256)
        guard HeadSerializer.write(informational, to: &bytes) else { return }
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    func rawUpstreamHead(_ head: RawResponseHead, endsWithClose: Bool) {
        guard let exchange, let edits = exchange.responseEdits else { return }
        // A body delimited by the backend's close (it has no framing fields: a transfer
        // coding other than chunked is refused, `ResponseBodyFraming.kind`) reaches the
        // client in chunks, as the full pipeline's encoder frames it, and the client keeps
        // its connection.
        rechunking = endsWithClose
        let keepAlive = exchange.progress.keepAlive
        let status: Int, upstreamKeepAlive: Bool
        var bytes: ByteBuffer
        switch head {
        case .plain(let plain, let raw) where edits.isEmpty:
            (status, upstreamKeepAlive) = (plain.status, true)
            var bodyRoom = 0
            if case .length(let length) = plain.framing, length <= ProxyLimits.mergedResponseBodyBytes { bodyRoom = length }
            bytes = ResponseWriter.splicedHead(raw: raw, hasRequestID: plain.hasRequestID, requestID: exchange.id, keepAlive: keepAlive,
                                               bodyRoom: bodyRoom, allocator: allocator)
        case .plain(_, let raw), .parsed(_, let raw):
            // Header changes to make (or a head read in full): the fields as NIO would hold them.
            let parsed: HTTPResponseHead
            if case .parsed(let head, _) = head {
                parsed = head
            } else if case .parsed(let head, _) = HeadParser.response(raw, limit: raw.readableBytes) {
                parsed = head
            } else {
                abandonUpstream()
                return respondLocally(status: 502, body: "backend sent an invalid HTTP response\n")
            }
            (status, upstreamKeepAlive) = (Int(parsed.status.code), HopByHop.persists(parsed.headers, version: parsed.version))
            if !rechunking, let hasRequestID = ResponseWriter.onlyAddsFields(to: parsed, edits: edits) {
                bytes = ResponseWriter.splicedHead(raw: raw, hasRequestID: hasRequestID, requestID: exchange.id,
                                                   keepAlive: keepAlive, allocator: allocator)
            } else {
                var out = ResponseWriter.proxiedHead(parsed, edits: edits, requestID: exchange.id, keepAlive: keepAlive)
                if rechunking {
                    // The framing is the proxy's now, whatever a header filter set (RFC 9112 §6.1).
                    out.headers.remove(name: "content-length")
                    out.headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
                }
                bytes = allocator.buffer(capacity: 512)
                guard HeadSerializer.write(out, to: &bytes) else {
                    abandonUpstream()
                    return respondLocally(status: 502, body: "backend sent an invalid HTTP response\n")
                }
            }
        }
        exchange.status = status
        exchange.progress.upstreamHeadSent(upstreamKeepAlive: upstreamKeepAlive && !endsWithClose)
        if !keepAlive { exchange.progress.mustClose() }
        heldHead = bytes
        responseNeedsFlush = true
    }

    /// Writes the held response head, if any.
    private func writeHeldHead() {
        guard let head = heldHead else { return }
        heldHead = nil
        context.write(wrapOutboundOut(head), promise: nil)
    }

    func rawUpstreamBody(_ bytes: ByteBuffer, bodyBytes: Int) {
        guard let exchange else { return }
        exchange.bytesOut += bodyBytes
        if var head = heldHead, !rechunking, bytes.readableBytes <= ProxyLimits.mergedResponseBodyBytes {
            heldHead = nil
            head.writeImmutableBuffer(bytes)
            context.write(wrapOutboundOut(head), promise: nil)
            responseNeedsFlush = true
            return
        }
        writeHeldHead()
        if rechunking {
            // RFC 9112 §7.1: size in hex, the data, CRLF.
            var size = allocator.buffer(capacity: 20)
            size.writeString(String(bytes.readableBytes, radix: 16))
            size.writeStaticString("\r\n")
            context.write(wrapOutboundOut(size), promise: nil)
            context.write(wrapOutboundOut(bytes), promise: nil)
            context.write(wrapOutboundOut(ByteBuffer(staticString: "\r\n")), promise: nil)
        } else {
            context.write(wrapOutboundOut(bytes), promise: nil)
        }
        responseNeedsFlush = true
    }

    func rawUpstreamEnd(reusable: Bool) {
        guard let exchange, let upstream else { return }
        self.upstream = nil
        exchange.timeout?.cancel()
        writeHeldHead()
        if rechunking {
            rechunking = false
            context.write(wrapOutboundOut(ByteBuffer(staticString: "0\r\n\r\n")), promise: nil)
        }
        if reusable && exchange.progress.upstreamRelease == .pool {
            runtime.rawConnections.put(upstream)
        } else {
            upstream.close()
        }
        endResponse(exchange)
    }

    func rawUpstreamReadComplete() {
        writeHeldHead()
        guard responseNeedsFlush else { return }
        responseNeedsFlush = false
        flushClient()
    }

    func rawUpstreamClosed(malformed: Bool) {
        guard let exchange, upstream != nil else { return }
        upstream = nil
        if !exchange.progress.responseStarted {
            // A pooled connection the backend closed just before reuse: once more on a fresh one.
            if !malformed, upstreamFromPool, !exchange.retried, let endpoint = exchange.endpoint {
                exchange.retried = true
                return openUpstream(exchange, endpoint: endpoint, allowPooled: false)
            }
            respondLocally(status: 502, body: malformed ? "backend sent an invalid HTTP response\n" : "backend closed the connection\n")
        } else if !exchange.progress.responseEnded {
            closeMidExchange(exchange)
        }
    }

    var rawUpstreamReadsPaused: Bool { !context.channel.isWritable }

    // MARK: responses

    /// Answers the current exchange from the gateway itself (`ResponseWriter.local`).
    private func respondLocally(status: Int, body: String, extraHeaders: [HTTPHeader] = []) {
        guard let exchange else { return }
        abandonUpstream()
        exchange.timeout?.cancel()
        exchange.status = status
        exchange.progress.answerLocally(close: false)
        let (head, bodyBytes) = ResponseWriter.local(status: status, body: body, extraHeaders: extraHeaders, requestID: exchange.id,
                                                     keepAlive: exchange.progress.keepAlive, allocator: allocator)
        var bytes = allocator.buffer(capacity: 256 + bodyBytes.readableBytes)
        guard HeadSerializer.write(head, to: &bytes) else {
            // A CORS or redirect value the routing core let through that is not a valid field.
            exchange.progress.mustClose()
            return endResponse(exchange)
        }
        if exchange.method != .HEAD, bodyBytes.readableBytes > 0 {
            exchange.bytesOut += bodyBytes.readableBytes
            var body = bodyBytes
            bytes.writeBuffer(&body)
        }
        context.write(wrapOutboundOut(bytes), promise: nil)
        endResponse(exchange)
    }

    /// The response is complete (the request ended with its head): record the exchange,
    /// flush, and either close or go on with the next request.
    private func endResponse(_ exchange: Exchange) {
        responseNeedsFlush = false
        _ = exchange.progress.responseEnd()
        complete(exchange)
        guard exchange.progress.keepAlive else {
            let context = self.context!
            context.writeAndFlush(wrapOutboundOut(allocator.buffer(capacity: 0))).assumeIsolated()
                .whenComplete { _ in context.close(promise: nil) }
            return
        }
        flushClient()
        takeRequests()
    }

    /// The answer cannot be finished: free the backend, record, close once what was written has gone out.
    private func closeMidExchange(_ exchange: Exchange) {
        writeHeldHead()
        abandonUpstream()
        exchange.progress.mustClose()
        complete(exchange)
        context.flush()
        context.close(promise: nil)
    }

    /// Records the exchange; the connection is free for the next request.
    private func complete(_ exchange: Exchange) {
        guard self.exchange === exchange else { return }
        exchange.timeout?.cancel()
        self.exchange = nil
        upstreamHead = nil
        heldHead = nil
        rechunking = false
        runtime.onRequest?(exchange.observedRecord(), exchange.epoch ?? runtime.epoch)
        runtime.requestFinished(epoch: exchange.epoch)
        headTimer.expectHead()
        if !exchange.progress.keepAlive { pending = nil }
    }

    // MARK: flow control and connection events

    /// Reads from the client go on during an exchange (pausing them costs two epoll_ctl
    /// system calls per request); they wait only while a head's worth of pipelined bytes
    /// is held, so what is held stays bounded.
    func read(context: ChannelHandlerContext) {
        if !handedOver, exchange != nil, (pending?.readableBytes ?? 0) >= ProxyLimits.maxHeaderBytes {
            pendingRead = true
        } else {
            context.read()
        }
    }

    private func resumeClientReads() {
        guard pendingRead, exchange == nil else { return }
        pendingRead = false
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !handedOver, context.channel.isWritable { upstream?.resumeReads() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard !handedOver, event is IdleStateHandler.IdleStateEvent else { return context.fireUserInboundEventTriggered(event) }
        connectionIdle()
    }

    /// Idle between requests: close. During an exchange, its bytes stopped moving.
    private func connectionIdle() {
        guard let exchange else { return context.close(promise: nil) }
        switch exchange.stall {
        case .routeTimeoutsDecide: break
        case .close: closeMidExchange(exchange)
        case .answer(let status, let body):
            exchange.progress.mustClose()
            respondLocally(status: status, body: body)
        }
    }

    // MARK: the idle clock (when this handler keeps it)

    /// The clock is read directly: through `context.eventLoop` each reading cost two
    /// reference counts and a dynamic dispatch, and a real event loop's time is this clock.
    func flush(context: ChannelHandlerContext) {
        idle?.flushed(now: .now())
        context.flush()
    }

    /// Flushes what this handler wrote to the client once the loop's tick is over
    /// (`TickFlusher`); activity for the idle rule now, as a flush from behind it is.
    private func flushClient() {
        idle?.flushed(now: .now())
        tickFlusher.flushAfterTick(context)
    }

    private func scheduleIdleCheck(at deadline: NIODeadline) {
        idle?.check = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { self.idleCheck() }
    }

    /// What `ConnectionIdleTimer` would have fired: handled here on the byte path, passed
    /// on to the full pipeline once it has the connection.
    private func idleCheck() {
        guard context.channel.isActive, let next = idle?.nextCheck(now: context.eventLoop.now) else { return }
        scheduleIdleCheck(at: next.at)
        guard next.idle else { return }
        if handedOver {
            context.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        } else {
            connectionIdle()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !handedOver else { return context.fireErrorCaught(error) }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        headTimer.stop()
        idle?.stop()
        if !handedOver, let exchange {
            // The client went away mid-exchange: record what happened, free the backend.
            abandonUpstream()
            complete(exchange)
        }
        context.fireChannelInactive()
    }
}
