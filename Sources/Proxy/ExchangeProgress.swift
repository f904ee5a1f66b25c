/// How far one exchange has got, as a small state machine: the downstream handler reports
/// events, and the methods return what to do. It owns the rules that are easy to get
/// wrong in a proxy: when an exchange is complete (both the request and the response
/// ended), when the client connection closes, and when a backend connection may be reused.
struct ExchangeProgress: Equatable {
    enum Mode: Equatable {
        /// The gateway answers itself (redirect, preflight, error); a request body is discarded.
        case local
        /// Bytes flow to and from a backend endpoint.
        case forward
    }

    /// After the client's request ended.
    enum RequestEndAction: Equatable {
        /// Pass the end on to the backend (or buffer it until the connection is open).
        case forwardEnd
        /// The response already ended: the exchange is complete.
        case complete
        /// A local answer is still being written, or there is nothing to forward.
        case none
    }

    /// After the response ended (backend `.end`, or a local answer written).
    enum ResponseEndAction: Equatable {
        /// Complete the exchange, then write the end; close the connection after it when asked.
        case completeThenWriteEnd(close: Bool)
        /// Write the end; the exchange completes when the request body has been read to its end.
        case writeEndAndAwaitRequestEnd
    }

    /// What to do with the backend connection once its response ended.
    enum UpstreamRelease: Equatable { case pool, close }

    private(set) var mode: Mode = .local
    private(set) var keepAlive: Bool
    private(set) var requestEnded = false
    private(set) var responseStarted = false
    private(set) var responseEnded = false
    private(set) var upstreamReusable = true

    init(keepAlive: Bool) { self.keepAlive = keepAlive }

    mutating func startForwarding() {
        precondition(!responseStarted, "forwarding after a response started")
        mode = .forward
    }

    /// A local answer replaces whatever was under way; `close` ends the connection after it.
    mutating func answerLocally(close: Bool) {
        precondition(!responseStarted, "two responses for one request")
        mode = .local
        if close { keepAlive = false }
        responseStarted = true
    }

    /// The backend's response head was sent on to the client.
    mutating func upstreamHeadSent(upstreamKeepAlive: Bool) {
        precondition(mode == .forward && !responseStarted, "backend head out of order")
        responseStarted = true
        if !upstreamKeepAlive { upstreamReusable = false }
    }

    mutating func requestEnd() -> RequestEndAction {
        requestEnded = true
        if responseEnded { return .complete }
        return mode == .forward ? .forwardEnd : .none
    }

    mutating func responseEnd() -> ResponseEndAction {
        responseEnded = true
        if requestEnded || !keepAlive { return .completeThenWriteEnd(close: !keepAlive) }
        return .writeEndAndAwaitRequestEnd
    }

    /// Once the backend's response ended: reusable only when the request went out whole
    /// and the backend did not ask to close.
    var upstreamRelease: UpstreamRelease { requestEnded && upstreamReusable ? .pool : .close }

    /// The connection cannot be kept alive any more (the response broke off mid-way).
    mutating func mustClose() { keepAlive = false }

    /// Whether request body bytes still go to the backend (else they are read and dropped).
    var forwardsBody: Bool { mode == .forward && !responseEnded }

    /// Whether reads from the client must wait: the body goes to a backend connection that
    /// is not open yet (`upstreamWritable` nil) or not writable.
    func clientReadsPaused(upstreamWritable: Bool?) -> Bool {
        guard mode == .forward, !requestEnded, !responseEnded else { return false }
        return !(upstreamWritable ?? false)
    }
}
