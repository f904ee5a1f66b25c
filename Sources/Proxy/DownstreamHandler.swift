import EventLog
import GatewayAPI
import NIOCore
import NIOHTTP1
import RoutingCore

/// The last handler of a client connection: routes each request with the current table
/// and either answers it itself or streams it to a backend and the response back.
///
/// One exchange at a time: parts of pipelined requests wait in `pipelined` (on HTTP/2
/// every stream has its own handler, see `HTTP2Pipeline`). The same handler
/// serves HTTP and HTTPS listeners: only `scheme` and the TLS server name differ, and
/// both go to the routing core (HTTPS listener selection, 421 for a misdirected Host).
/// Back-pressure: reads from the client are held while the backend connection is not
/// writable (or not open yet), and reads from the backend are held while the client is
/// not writable, so no body is ever buffered whole.
final class DownstreamHandler: ChannelDuplexHandler, RemovableChannelHandler, UpstreamDelegate {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let runtime: ProxyRuntime
    /// The Gateway listener port this connection arrived on (spec port, what routing sees).
    private let listenerPort: Int
    /// `http` or `https`: routing, the request record and `X-Forwarded-Proto`.
    private let scheme: String
    /// RouteRequest.sni: on HTTPS, "" says the client sent none.
    private let sni: String?
    /// An HTTP/2 stream: one exchange, framing and connection reuse are HTTP/2's business.
    private let http2: Bool
    /// HTTP/1: the deadline for each request head (`RequestHeadTimer`).
    private let headTimer: RequestHeadTimer?
    /// The `Upgrade` value of the current request when it asks to switch protocols
    /// (HTTP/1.1 only); a 101 from the backend then turns the connection into a tunnel.
    private var upgradeRequest: String?
    /// The backend answered 101: at its `.end`, both connections are spliced (`WebSocketTunnel`).
    private var switchingProtocols = false
    private var context: ChannelHandlerContext!
    private var exchange: Exchange?
    private var pendingRead = false
    /// A response was written but not flushed: flushed at the end of the read batch, so
    /// that the request's `.end` (usually in the same batch) completes the exchange and
    /// records it before the client can see the response.
    private var needsFlush = false
    /// True between `channelRead` and `channelReadComplete`: only then can a flush wait.
    private var inReadBatch = false
    /// Response parts from the backend were written but not flushed yet (see `upstreamReadComplete`).
    private var responseNeedsFlush = false
    /// Request parts were sent to the backend without a flush during the client's read
    /// batch: flushed at its `channelReadComplete`, so a head and its `.end` go out together.
    private var upstreamNeedsFlush: UpstreamHandler?
    private var clientAddress = ""
    private var clientIP = ""
    /// Parts of pipelined requests (RFC 9112 §9.3) that arrived while an earlier
    /// request was still being answered, handled in order once it completes.
    /// Reads from the client wait while any are held, so at most one read's worth
    /// is. (NIO's HTTPServerPipelineHandler paused reads after every request
    /// instead: two epoll_ctl system calls per request, pipelined or not.)
    private var pipelined = CircularBuffer<HTTPServerRequestPart>()
    /// The answer (400 or 431) owed to a malformed request pipelined behind the one being
    /// answered: written after that answer, before the connection closes.
    private var refusalAfterExchange: Int?

    init(runtime: ProxyRuntime, listenerPort: Int, scheme: String = "http", sni: String? = nil, http2: Bool = false,
         headTimer: RequestHeadTimer? = nil) {
        self.headTimer = headTimer
        self.runtime = runtime
        self.listenerPort = listenerPort
        self.scheme = scheme
        self.sni = RouteRequest.sni(scheme: scheme, serverName: sni)
        self.http2 = http2
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        (clientIP, clientAddress) = Endpoint.client(of: context.channel)
    }

    // MARK: client -> proxy

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inReadBatch = true
        let part = unwrapInboundIn(data)
        if !pipelined.isEmpty || exchange?.progress.requestEnded == true {
            pipelined.append(part)
        } else {
            handle(part)
        }
    }

    private func handle(_ part: HTTPServerRequestPart) {
        switch part {
        case .head(let head): requestHead(head)
        case .body(let buffer): requestBody(buffer)
        case .end(let trailers): requestEnd(trailers)
        }
    }

    /// Handles held pipelined parts until one of them starts a request that is
    /// still being answered when its `.end` is read.
    private func drainPipelined() {
        while context.channel.isActive, !pipelined.isEmpty, exchange?.progress.requestEnded != true {
            handle(pipelined.removeFirst())
        }
        resumeClientReads()
    }

    private func requestHead(_ received: HTTPRequestHead) {
        guard exchange == nil else {
            // A head while a request is still being read: the decoder cannot produce
            // this, and closing is the safe answer.
            context.close(promise: nil)
            return
        }
        headTimer?.headReceived()
        let draining = runtime.requestStarted()
        let target = RequestTarget.normalize(received, http2: http2)
        let head = (try? target.get()) ?? received
        let supplied = head.headers["x-request-id"].first.flatMap { $0.isEmpty ? nil : $0 }
        let id = supplied ?? runtime.ids.next()
        let host = head.headers["host"].first ?? ""
        var fields = head.headers.map { HTTPHeader(name: $0.name, value: $0.value) }
        // HTTP/2 has no Transfer-Encoding (RFC 9113 §8.2.2): the conversion to HTTP/1 parts adds
        // one to a body without a length. Routed and recorded are the fields the client sent.
        if http2 { fields.removeAll { $0.name.lowercased() == "transfer-encoding" } }
        let request = Exchange.Request(head: head, client: clientAddress, listenerPort: listenerPort, scheme: scheme, host: host,
                                       headers: fields, sni: sni)
        let exchange = Exchange(id: id, keepAlive: http2 || (HopByHop.persists(head.headers, version: head.version) && !draining),
                                request: request)
        self.exchange = exchange
        upgradeRequest = !http2 && WebSocketTunnel.isUpgrade(head) ? head.headers["upgrade"].first : nil
        switchingProtocols = false
        // The HTTP/1 parser stops after an upgrade request: unless the backend switches
        // protocols, the connection cannot carry another request.
        if upgradeRequest != nil { exchange.progress.mustClose() }

        if Self.headBytes(head) > ProxyLimits.maxHeaderBytes {
            respondLocally(status: 431, body: "request header fields too large\n", close: true)
            return
        }
        if let refusal = TransferCoding.refusal(head) {
            respondLocally(status: refusal.status, body: refusal.reason + "\n", close: true)
            return
        }
        if case .failure(let refusal) = target {
            respondLocally(status: refusal.status, body: refusal.reason + "\n", close: true)
            return
        }
        if let limit = runtime.config.maxRequestBodyBytes, let length = head.headers["content-length"].first.flatMap(Int.init), length > limit {
            respondLocally(status: 413, body: "request body larger than \(limit) bytes\n", close: !http2)
            return
        }
        let (world, epoch) = runtime.routeRequest()
        exchange.epoch = epoch
        let routeRequest = RouteRequest(port: listenerPort, scheme: scheme, method: head.method.rawValue, host: host,
                                        path: head.uri, headers: request.headers,
                                        sni: sni)
        let decision = world.table.route(routeRequest, key: id)
        exchange.decision = decision
        if let answer = ResponseWriter.localAnswer(decision) {
            respondLocally(status: answer.status, body: answer.body, extraHeaders: answer.headers)
        } else {
            forward(head, decision: decision, world: world, routedHost: host)
        }
    }

    private func requestBody(_ buffer: ByteBuffer) {
        guard let exchange else { return }
        exchange.bytesIn += buffer.readableBytes
        if let limit = runtime.config.maxRequestBodyBytes, exchange.bytesIn > limit, exchange.progress.forwardsBody {
            return bodyTooLarge(exchange, limit: limit)
        }
        for mirror in exchange.mirrors { mirror.send(.body(.byteBuffer(buffer))) }
        guard exchange.progress.forwardsBody else { return }  // discarded
        if let upstream = exchange.upstream {
            sendUpstream(.body(.byteBuffer(buffer)), upstream)
        } else {
            exchange.buffered.append(.body(.byteBuffer(buffer)))
        }
    }

    private func requestEnd(_ trailers: HTTPHeaders? = nil) {
        guard let exchange else { return }
        for mirror in exchange.mirrors { mirror.send(.end(nil)) }
        switch exchange.progress.requestEnd() {
        case .forwardEnd:
            if let upstream = exchange.upstream {
                sendUpstream(.end(trailers), upstream)
            } else {
                exchange.buffered.append(.end(trailers))
            }
        case .complete:
            complete(exchange)
            flushIfNeeded()
        case .none:
            break
        }
    }

    /// Sends a request part to the backend; inside a client read batch the flush waits for
    /// `channelReadComplete` (one write system call for everything read together).
    private func sendUpstream(_ part: HTTPClientRequestPart, _ upstream: UpstreamHandler) {
        guard inReadBatch else { return upstream.send(part, flush: true) }
        if let pending = upstreamNeedsFlush, pending !== upstream { pending.flush() }
        upstream.send(part, flush: false)
        upstreamNeedsFlush = upstream
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBatch = false
        if let upstream = upstreamNeedsFlush {
            upstreamNeedsFlush = nil
            upstream.flush()
        }
        flushIfNeeded()
        context.fireChannelReadComplete()
    }

    private func flushIfNeeded() {
        guard needsFlush else { return }
        needsFlush = false
        context.flush()
    }

    // MARK: forwarding

    private func forward(_ head: HTTPRequestHead, decision: Decision, world: ProxyWorld, routedHost: String) {
        guard let exchange, let backend = decision.backend else {
            respondLocally(status: 500, body: "no backend\n")
            return
        }
        let endpoints = world.resolver.endpoints(for: backend)
        guard let endpoint = runtime.endpoints.pick(backend: backend.description, endpoints: endpoints) else {
            let why = endpoints.isEmpty ? "no endpoints for \(backend)" : "no healthy endpoint for \(backend)"
            respondLocally(status: 503, body: why + "\n")
            return
        }
        let http2 = upgradeRequest == nil && UpstreamProtocol.usesHTTP2(decision: decision, appProtocol: world.resolver.appProtocol(for: backend))
        if let tls = decision.backendTLS {
            switch world.backendTLS.client(for: tls, gateway: decision.listener?.gateway, http2: http2) {
            case .success(let client): exchange.backendTLS = client
            case .failure(let why):
                respondLocally(status: 502, body: "\(why)\n")
                return
            }
        }
        exchange.progress.startForwarding()
        exchange.responseEdits = ResponseEdits(decision)
        exchange.retryPolicy = RetryPolicy(decision.retry)
        exchange.endpoint = endpoint
        let client = RequestForwarder.Client(ip: clientIP, listenerPort: listenerPort, scheme: scheme)
        var upstreamHead = RequestForwarder.upstreamHead(decision: decision, original: head, routedHost: routedHost, client: client,
                                                         requestID: exchange.id)
        if let upgradeRequest {
            // Hop-by-hop, yet the upgrade is what the client asks the backend for: pass it on.
            upstreamHead.headers.add(name: "connection", value: "upgrade")
            upstreamHead.headers.add(name: "upgrade", value: upgradeRequest)
        } else if http2 {
            exchange.upstreamHTTP2 = true
            UpstreamProtocol.adapt(&upstreamHead, original: head)
        }
        guard HeadSerializer.isSendable(upstreamHead) else {
            return respondLocally(status: 502, body: "a header for the backend is not a valid HTTP field\n")
        }
        exchange.upstreamHead = upstreamHead
        exchange.buffered.append(.head(upstreamHead))
        startMirrors(exchange, decision: decision, world: world, head: upstreamHead)
        armTimeout(exchange, decision.timeouts)
        // An upgrade goes out on a connection of its own: the connection is the backend's
        // once it switches protocols, and servers that accept upgrades only as a
        // connection's first request (SwiftNIO's upgrader among them) would answer a
        // pooled one as a plain request.
        openUpstream(exchange, endpoint: endpoint, allowPooled: upgradeRequest == nil)
    }

    /// One `MirrorSender` per selected, valid mirror with an endpoint; a mirror without one is
    /// skipped silently (mirrors never change the answer).
    private func startMirrors(_ exchange: Exchange, decision: Decision, world: ProxyWorld, head: HTTPRequestHead) {
        for mirror in decision.mirrors where mirror.selected && mirror.valid {
            let endpoints = world.resolver.endpoints(for: mirror.backend)
            guard let endpoint = runtime.endpoints.pick(backend: mirror.backend.description, endpoints: endpoints) else { continue }
            exchange.mirrors.append(MirrorSender(head: head, endpoint: endpoint, eventLoop: context.eventLoop,
                                                 connectTimeout: runtime.config.upstreamConnectTimeout))
        }
    }

    private func openUpstream(_ exchange: Exchange, endpoint: Endpoint, allowPooled: Bool) {
        if allowPooled, !exchange.upstreamHTTP2, let handler = runtime.connections.take(endpoint, tls: exchange.backendTLS, on: context.eventLoop) {
            exchange.upstreamFromPool = true
            attach(handler, to: exchange)
            return
        }
        exchange.upstreamFromPool = false
        let timeout = runtime.config.upstreamConnectTimeout
        let opening = exchange.upstreamHTTP2
            ? runtime.http2Connections.openStream(to: endpoint, tls: exchange.backendTLS, on: context.eventLoop, pool: runtime.connections,
                                                  timeout: timeout)
            : UpstreamConnector.connect(to: endpoint, on: context.eventLoop, pool: runtime.connections, timeout: timeout,
                                        tls: exchange.backendTLS)
        opening
            .assumeIsolated()
            .whenComplete { result in self.connected(result, exchange: exchange, endpoint: endpoint) }
    }

    private func connected(_ result: Result<any Channel, any Error>, exchange: Exchange, endpoint: Endpoint) {
        let current = self.exchange === exchange && exchange.progress.forwardsBody && !exchange.progress.responseStarted
            && exchange.upstream == nil
        switch result {
        case .success(let channel):
            guard let handler = try? channel.pipeline.syncOperations.handler(type: UpstreamHandler.self) else {
                channel.close(promise: nil)
                return
            }
            guard current else {
                // The exchange ended meanwhile (timeout, client gone): keep the fresh connection.
                runtime.connections.put(handler)
                return
            }
            attach(handler, to: exchange)
        case .failure(let error) where BackendTLSConnector.isTLSFailure(error):
            // The backend answered but could not be authenticated: a gateway error, not an outage.
            guard current else { return }
            respondLocally(status: 502, body: "\(error)\n")
        case .failure:
            runtime.endpoints.eject(endpoint, for: runtime.config.endpointEjection)
            guard current else { return }
            respondLocally(status: 503, body: "backend unavailable: \(endpoint) refused or did not answer\n")
        }
    }

    private func attach(_ handler: UpstreamHandler, to exchange: Exchange) {
        handler.delegate = self
        exchange.upstream = handler
        let parts = exchange.buffered
        exchange.buffered = []
        if inReadBatch {
            for part in parts { sendUpstream(part, handler) }
        } else {
            for part in parts { handler.send(part, flush: false) }
            handler.flush()
        }
        resumeClientReads()
    }

    /// Detaches and closes the exchange's upstream connection (not reusable mid-exchange).
    private func abandonUpstream(_ exchange: Exchange) {
        guard let upstream = exchange.upstream else { return }
        upstream.delegate = nil
        upstream.close()
        exchange.upstream = nil
    }

    private func armTimeout(_ exchange: Exchange, _ timeouts: Timeouts) {
        guard let deadline = timeouts.exchangeDeadline else { return }
        exchange.timeout = context.eventLoop.assumeIsolated().scheduleTask(in: deadline) { self.timedOut(exchange) }
    }

    private func timedOut(_ exchange: Exchange) {
        guard self.exchange === exchange, !exchange.progress.responseEnded else { return }
        if !exchange.progress.responseStarted {
            respondLocally(status: 504, body: "backend timeout\n")
        } else {
            closeMidExchange(exchange)
        }
    }

    /// The answer cannot be finished (a timeout, a limit or a malformed request once it
    /// has begun, the backend or the client gone): free the backend, record the exchange,
    /// and close the connection once what was written of the answer has gone out.
    private func closeMidExchange(_ exchange: Exchange) {
        abandonUpstream(exchange)
        exchange.progress.mustClose()
        complete(exchange)
        context.flush()
        context.close(promise: nil)
    }

    /// A body (chunked, or longer than announced over HTTP/2) grew past the limit: 413 when
    /// nothing was answered yet, else the connection closes; either way the backend gets
    /// no more of it.
    private func bodyTooLarge(_ exchange: Exchange, limit: Int) {
        guard !exchange.progress.responseStarted else { return closeMidExchange(exchange) }
        // HTTP/1 closes the connection (the rest of the body is not read); an HTTP/2 stream
        // ends with the answer and the rest of its body is discarded: closing the stream
        // would reset it, and clients drop the answer of a reset stream.
        respondLocally(status: 413, body: "request body larger than \(limit) bytes\n", close: !http2)
    }

    // MARK: backend -> proxy (UpstreamDelegate)

    func upstreamReceived(_ part: HTTPClientResponsePart) {
        // Only the parts of the decision taken out when forwarding started are read here:
        // reading `exchange.decision` copies the whole struct.
        guard let exchange, exchange.progress.mode == .forward else { return }
        if case .head(let head) = part, ResponseBodyFraming.isNoAnswer(head, method: exchange.method, upgrading: upgradeRequest != nil) {
            abandonUpstream(exchange)
            return exchange.progress.responseStarted ? closeMidExchange(exchange)
                : respondLocally(status: 502, body: "backend sent an invalid HTTP response\n")
        }
        if case .head(let head) = part, (100..<200).contains(head.status.code), head.status != .switchingProtocols {
            // Ahead of the final answer, not instead of it; never to an HTTP/1.0 client (RFC 9110 §15.2).
            guard exchange.version != .http1_0, !exchange.progress.responseStarted else { return }
            let informational = HTTPResponseHead(version: exchange.version, status: head.status,
                                                 headers: ResponseWriter.withoutHopByHop(head.headers))
            context.writeAndFlush(wrapOutboundOut(.head(informational)), promise: nil)
            return
        }
        if retryIntercepts(part, exchange: exchange) { return }
        switch part {
        case .head(let head):
            guard let edits = exchange.responseEdits else { return }
            exchange.status = Int(head.status.code)
            exchange.progress.upstreamHeadSent(upstreamKeepAlive: HopByHop.persists(head.headers, version: head.version))
            if ResponseWriter.needsCloseDelimiting(head, version: exchange.version, method: exchange.method) { exchange.progress.mustClose() }
            var out = ResponseWriter.proxiedHead(head, edits: edits, requestID: exchange.id, keepAlive: exchange.progress.keepAlive,
                                                 version: exchange.version)
            if head.status == .switchingProtocols, upgradeRequest != nil {
                switchingProtocols = true
                out.headers.replaceOrAdd(name: "connection", value: "upgrade")
                out.headers.replaceOrAdd(name: "upgrade", value: head.headers["upgrade"].first ?? upgradeRequest!)
            }
            if switchingProtocols {
                context.writeAndFlush(wrapOutboundOut(.head(out)), promise: nil)
            } else {
                writeUntilUpstreamReadComplete(.head(out))
            }
        case .end where switchingProtocols:
            startTunnel(exchange)
        case .body(let buffer):
            exchange.bytesOut += buffer.readableBytes
            writeUntilUpstreamReadComplete(.body(.byteBuffer(buffer)))
        case .end(let trailers):
            exchange.timeout?.cancel()
            if let upstream = exchange.upstream {
                upstream.delegate = nil
                exchange.upstream = nil
                if exchange.upstreamHTTP2 {
                    // An HTTP/2 stream ends itself after both END_STREAMs; closing it sooner resets it.
                    if !exchange.progress.requestEnded { upstream.close() }
                } else {
                    // After an upgrade request the backend's parser may have stopped too: never reuse.
                    switch upgradeRequest == nil ? exchange.progress.upstreamRelease : .close {
                    case .pool: runtime.connections.put(upstream)
                    case .close: upstream.close()
                    }
                }
            }
            endResponse(exchange, trailers: trailers)
        }
    }

    /// Drops a backend answer the route's retry policy retries (see `RetryPolicy`): its head
    /// starts the drop, its end closes that connection and schedules the retry after the
    /// backoff. Returns whether `part` was consumed.
    private func retryIntercepts(_ part: HTTPClientResponsePart, exchange: Exchange) -> Bool {
        if !exchange.droppingAnswer {
            guard case .head(let head) = part, upgradeRequest == nil, exchange.bytesIn == 0, exchange.progress.requestEnded,
                  let policy = exchange.retryPolicy,
                  policy.shouldRetry(status: Int(head.status.code), retriesDone: exchange.policyRetries) else { return false }
            exchange.droppingAnswer = true
            return true
        }
        guard case .end = part else { return true }
        exchange.droppingAnswer = false
        abandonUpstream(exchange)
        let delay = exchange.retryPolicy?.delay(retriesDone: exchange.policyRetries) ?? RetryPolicy.defaultBackoff
        exchange.policyRetries += 1
        context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            guard self.exchange === exchange, !exchange.progress.responseStarted, let head = exchange.upstreamHead,
                  let endpoint = exchange.endpoint else { return }
            exchange.buffered = [.head(head), .end(nil)]
            self.openUpstream(exchange, endpoint: endpoint, allowPooled: true)
        }
        return true
    }

    /// The backend switched protocols: the exchange is recorded (status 101) and both
    /// connections leave HTTP for a byte tunnel (see `WebSocketTunnel`).
    private func startTunnel(_ exchange: Exchange) {
        exchange.timeout?.cancel()
        guard let upstream = exchange.upstream, let backend = upstream.channel else {
            context.close(promise: nil)
            return
        }
        upstream.delegate = nil
        exchange.upstream = nil
        complete(exchange)
        do {
            try WebSocketTunnel.splice(client: context.channel, downstream: self, backend: backend, upstream: upstream)
        } catch {
            backend.close(promise: nil)
            context.close(promise: nil)
        }
    }

    /// Writes a response part; the flush waits for the end of the backend's read batch
    /// (`upstreamReadComplete`) or the response's `.end`, so a head and body that arrived
    /// together leave in one write system call instead of one each.
    private func writeUntilUpstreamReadComplete(_ part: HTTPServerResponsePart) {
        context.write(wrapOutboundOut(part), promise: nil)
        responseNeedsFlush = true
    }

    func upstreamReadComplete() {
        guard responseNeedsFlush else { return }
        responseNeedsFlush = false
        context.flush()
    }

    func upstreamWritabilityChanged() { resumeClientReads() }

    func upstreamClosed(malformed: Bool) {
        guard let exchange, exchange.progress.mode == .forward, exchange.upstream != nil else { return }
        exchange.upstream = nil
        if !exchange.progress.responseStarted {
            // A pooled connection the backend closed just before reuse: retry once on a fresh
            // connection, if nothing of the body has been sent yet.
            if !malformed, exchange.upstreamFromPool && !exchange.retried && exchange.bytesIn == 0, let head = exchange.upstreamHead,
               let endpoint = exchange.endpoint {
                exchange.retried = true
                exchange.buffered = [.head(head)] + (exchange.progress.requestEnded ? [.end(nil)] : [])
                openUpstream(exchange, endpoint: endpoint, allowPooled: false)
                return
            }
            respondLocally(status: 502, body: malformed ? "backend sent an invalid HTTP response\n" : "backend closed the connection\n")
        } else if !exchange.progress.responseEnded {
            closeMidExchange(exchange)
        }
    }

    var upstreamReadsPaused: Bool { !context.channel.isWritable }

    // MARK: responses

    /// Answers the current exchange from the gateway itself; drops any backend connection.
    private func respondLocally(status: Int, body: String, extraHeaders: [HTTPHeader] = [], close: Bool = false) {
        guard let exchange else { return }
        abandonUpstream(exchange)
        exchange.timeout?.cancel()
        exchange.buffered = []
        exchange.status = status
        exchange.progress.answerLocally(close: close)
        let (head, body) = ResponseWriter.local(status: status, body: body, extraHeaders: extraHeaders, requestID: exchange.id,
                                                keepAlive: exchange.progress.keepAlive, version: exchange.version,
                                                allocator: context.channel.allocator)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if exchange.method != .HEAD && body.readableBytes > 0 {
            exchange.bytesOut += body.readableBytes
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        endResponse(exchange, trailers: nil)
    }

    /// Writes the end of the response. The exchange is complete once the request has ended
    /// too; a connection that will not be kept alive completes now and closes.
    private func endResponse(_ exchange: Exchange, trailers: HTTPHeaders?) {
        responseNeedsFlush = false  // both ways below flush
        let close: Bool
        switch exchange.progress.responseEnd() {
        case .writeEndAndAwaitRequestEnd:
            // The rest of the request body is read and discarded; reads may have been held.
            context.write(wrapOutboundOut(.end(trailers)), promise: nil)
            needsFlush = true
            if !inReadBatch { flushIfNeeded() }
            resumeClientReads()
            return
        case .completeThenWriteEnd(let closeAfter):
            close = closeAfter
        }
        // Complete (and record) before writing `.end`; pipelined requests held meanwhile
        // are handled after this write.
        complete(exchange)
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: promise)
        if close {
            let context = self.context!
            var written = promise.futureResult
            if let status = refusalAfterExchange {
                refusalAfterExchange = nil
                written = writeRefusal(status: status)
            }
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Records the exchange and frees the connection for the next request.
    private func complete(_ exchange: Exchange) {
        guard self.exchange === exchange else { return }
        exchange.timeout?.cancel()
        self.exchange = nil
        // Offered before the epoch's count drops, so a change waiting on that count
        // finds the record queued (AdminControlPlane).
        runtime.onRequest?(exchange.observedRecord(), exchange.epoch ?? runtime.epoch)
        runtime.requestFinished(epoch: exchange.epoch)
        headTimer?.expectHead()
        if !exchange.progress.keepAlive {
            // The connection closes after this response: requests behind it are not
            // processed (RFC 9112 §9.6).
            pipelined.removeAll()
        }
        resumeClientReads()
        if !pipelined.isEmpty {
            // After the caller has written this response's end: the next one follows it.
            context.eventLoop.assumeIsolated().execute { self.drainPipelined() }
        }
    }

    // MARK: flow control

    private var clientReadsPaused: Bool {
        guard let exchange else { return false }
        return exchange.progress.clientReadsPaused(upstreamWritable: exchange.upstream?.isWritable)
    }

    func read(context: ChannelHandlerContext) {
        if clientReadsPaused || !pipelined.isEmpty {
            pendingRead = true
        } else {
            context.read()
        }
    }

    private func resumeClientReads() {
        guard pendingRead, !clientReadsPaused, pipelined.isEmpty else { return }
        pendingRead = false
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { exchange?.upstream?.resumeReads() }
        context.fireChannelWritabilityChanged()
    }

    // MARK: connection events

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            // Idle between requests: close. During an exchange, its bytes stopped moving.
            guard let exchange else { return context.close(promise: nil) }
            switch exchange.stall {
            case .routeTimeoutsDecide: break
            case .close: closeMidExchange(exchange)
            // An HTTP/2 stream ends with its answer; closing it would reset it, and the answer be lost.
            case .answer(let status, let body): respondLocally(status: status, body: body, close: !http2)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.close(promise: nil)
            return
        }
        // Malformed HTTP: answer once if no response has started, then close. After a parse
        // error the decoder drops every later byte (ByteToMessageHandler's error state) but
        // leaves the channel open: closing it is ours to do.
        if case .closedConnection = parserError, exchange != nil || !pipelined.isEmpty {
            // Bytes after a request that said `Connection: close`: the parser stops there,
            // and so does the connection, after answering that request and those before it
            // (RFC 9112 §9.6). Nothing already read is dropped.
            return
        }
        let status: Int
        if case .headerOverflow = parserError { status = 431 } else { status = 400 }
        if !pipelined.isEmpty || exchange?.progress.requestEnded == true {
            // The bad bytes come after the request being answered (a malformed pipelined
            // request, or anything after `Connection: close`): finish that answer, then
            // answer the bad one (a client sees why it was not served) and close.
            pipelined.removeAll()
            if let exchange {
                exchange.progress.mustClose()
                runtime.malformedRequest()
                refusalAfterExchange = status
            } else {
                context.close(promise: nil)
            }
            return
        }
        if let exchange {
            let clientLeft: Bool
            if case .invalidEOFState = parserError { clientLeft = true } else { clientLeft = false }
            if clientLeft || exchange.progress.responseStarted {
                // The client left in the middle of its request (nobody to answer: the record
                // has no status), or the answer has begun (all of a local one, written in the
                // same read, still goes out).
                closeMidExchange(exchange)
            } else {
                respondLocally(status: status, body: "malformed request\n", close: true)
            }
            return
        }
        runtime.malformedRequest()
        writeRefusal(status: status).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    /// Answers a request the parser refused (400, or 431 for header fields too large),
    /// before routing and without a record's id; the connection closes after it.
    private func writeRefusal(status: Int) -> EventLoopFuture<Void> {
        let body = status == 431 ? "request header fields too large\n" : "malformed request\n"
        let (head, buffer) = ResponseWriter.local(status: status, body: body, requestID: nil, keepAlive: false,
                                                  allocator: context.channel.allocator)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        return context.writeAndFlush(wrapOutboundOut(.end(nil)))
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let exchange {
            // The client went away mid-exchange: record what happened, free the backend.
            abandonUpstream(exchange)
            if !exchange.progress.requestEnded { for mirror in exchange.mirrors { mirror.abandon() } }
            complete(exchange)
        }
        context.fireChannelInactive()
    }

    // MARK: helpers

    /// Bytes of the request head as the limit counts them: request line and header fields.
    static func headBytes(_ head: HTTPRequestHead) -> Int {
        head.headers.reduce(head.uri.utf8.count + head.method.rawValue.utf8.count) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }

}
