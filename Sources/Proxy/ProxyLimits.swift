import NIOCore

/// Every limit of the live proxy, in one place, with its unit and why.
///
/// Going over a limit is always a clear HTTP answer (431, 503, 504) or a counted drop,
/// never a crash and never unbounded memory.
public enum ProxyLimits {
    /// Largest request head (all header names and values) accepted, in bytes; more gets 431.
    /// 64 KiB is what common proxies allow by default.
    public static let maxHeaderBytes = 64 * 1024

    /// Largest single header field (name + value), in bytes; more gets 431. Same as the head:
    /// one cookie may legitimately use most of it.
    public static let maxHeaderFieldBytes = 64 * 1024

    /// Largest backend response head the byte path reads, in bytes as sent (status line,
    /// fields, line ends); more gets 502. Room for `maxResponseFieldBytes` of fields.
    public static let maxResponseHeadBytes = 96 * 1024

    /// Largest total of a backend response's field names and values, in bytes; more gets
    /// 502. NIO's response decoder's default (the full pipeline's), so that both paths take
    /// the same heads.
    public static let maxResponseFieldBytes = 80 * 1024

    /// HTTP/2 streams a client may have open at once on one connection (NIO's default).
    public static let maxConcurrentStreams = 100

    /// A client connection with no request in flight and no traffic for this long is closed
    /// (seconds). 60 s is the usual keep-alive default of reverse proxies. With a request in
    /// flight on a rule that sets no timeouts, the same silence ends the exchange: 504 when
    /// the backend has not answered, 408 when the client stopped sending its body, a close
    /// once the answer has begun (`Exchange.stall`).
    public static let clientIdleTimeout: TimeAmount = .seconds(60)

    /// How long a request head may take from its first byte to its end before the client
    /// gets 408 and the connection closes (seconds). A client trickling a head byte by byte
    /// resets the idle timeout with every byte (slowloris); this bounds it. nginx's
    /// `client_header_timeout` is 60 s, Apache's `RequestReadTimeout` 20-40 s.
    public static let requestHeadTimeout: TimeAmount = .seconds(30)

    /// Largest request body forwarded, in bytes (64 MiB; `--max-body-size`, 0 for none).
    /// A larger Content-Length gets 413 before anything is forwarded; a chunked body that
    /// grows past it gets 413 when the response has not started, else the connection closes.
    public static let maxRequestBodyBytes = 64 << 20

    /// How long connecting to a backend endpoint may take before it counts as unreachable
    /// (503 and ejection), in seconds. Loopback and cluster networks connect in milliseconds.
    public static let upstreamConnectTimeout: TimeAmount = .seconds(5)

    /// How long an endpoint that refused a connection is skipped by the balancer (seconds).
    /// Long enough to stop hammering a dead pod, short enough to notice it coming back.
    public static let endpointEjection: TimeAmount = .seconds(10)

    /// Idle keep-alive connections kept per backend endpoint and event loop (nginx's
    /// `keepalive 64` is per worker process too). More are closed on release; the pool
    /// exists to avoid a TCP handshake per request, not to hoard sockets. Too small a limit
    /// is costly: with more concurrent clients than idle slots, every burst of responses
    /// closes connections that the next burst of requests must open again.
    public static let maxIdleConnectionsPerEndpoint = 64

    /// An idle pooled upstream connection older than this is not reused (seconds): backends
    /// commonly close idle keep-alive connections after 60-75 s, and reusing one they are
    /// about to close turns into a spurious 502. A shared HTTP/2 backend connection closes
    /// this long after its last stream ended (`H2CIdleCloser`).
    public static let upstreamIdleTimeout: TimeAmount = .seconds(30)

    /// `stop()` waits at most this long for in-flight requests before closing every
    /// connection (seconds). Kubernetes gives a pod 30 s to terminate; half of it is ours.
    public static let drainTimeout: TimeAmount = .seconds(15)

    /// A UDP flow (one client address on a UDP listener) without a datagram either way for
    /// this long ends and is recorded (seconds). UDP has no close; 30 s is the usual NAT
    /// mapping timeout for UDP, so a client that pauses longer expects a new flow anyway.
    public static let udpFlowIdleTimeout: TimeAmount = .seconds(30)

    /// UDP flows open at once per UDP listener port (each holds a socket). Datagrams from
    /// new client addresses beyond it are dropped until flows expire: a flood of spoofed
    /// source addresses must not exhaust file descriptors.
    public static let maxUDPFlowsPerListener = 4_096

    /// Request records waiting for the event writer, in records. At ~1 KiB each this bounds
    /// the queue at ~64 MiB; when full, records are dropped and counted, never waited for.
    public static let eventQueueCapacity = 65_536

    /// Records waiting that wake the background writer; it then writes everything waiting in
    /// one SQLite transaction (one commit per batch instead of one per request). A commit
    /// writes every page the batch touched, and the request_id index is touched all over:
    /// 8,192 rather than 1,024 per commit halved the writer's system time per record
    /// (0.5–0.7 → 0.2–0.35 µs, docs/benchmarks.md). Under lighter load `eventFlushInterval`
    /// ends a batch first.
    public static let eventBatchSize = 8_192

    /// How often the background writer wakes up when the queue is not full enough for a
    /// batch (seconds), so that a quiet proxy still records within a fraction of a second.
    public static let eventFlushInterval: TimeAmount = .milliseconds(200)

    /// Shards of the request metrics (`ProxyMetrics`), a power of two: threads are spread
    /// over them by identity, so event loops rarely share one.
    static let metricsShards = 16

    /// Shards of each backend connection pool (`ConnectionPool`), a power of two: an event
    /// loop's idle connections sit in the shard its identity picks.
    static let connectionPoolShards = 16

    /// How long an admin change waits, after it is swapped in, for the HTTP requests routed
    /// with the world it replaces to finish, so that they are recorded before it. A request
    /// still running after that (a long download, a WebSocket) is recorded when it ends,
    /// after the change.
    public static let changeRecordingWait: TimeAmount = .seconds(2)

    /// Largest reply `gwsim whoami` streams for `/data?size=N`, in bytes (1 GiB): enough for
    /// streaming tests, small enough that a typo cannot fill a disk downstream.
    public static let whoamiMaxDataBytes = 1 << 30

    /// Chunk size of `/data?size=N` replies, in bytes.
    public static let whoamiDataChunkBytes = 64 * 1024

    /// A backend's body of at most this many bytes, arriving with its head, leaves with the
    /// head in one write (the byte path): one write fewer per response, for a small copy.
    public static let mergedResponseBodyBytes = 4 * 1024

    /// Request bytes buffered for a mirror while its connection opens, in bytes. A mirror
    /// that needs more (or whose connection is not writable) is abandoned: mirroring is best
    /// effort and must never slow down or hold memory for the real request.
    public static let mirrorBufferBytes = 256 * 1024

    /// A mirror connection is closed this long after it was opened, answered or not (seconds).
    public static let mirrorTimeout: TimeAmount = .seconds(10)

    /// Request records kept in memory for `POST /review` when the proxy runs without `--log`,
    /// in records (oldest dropped first). At ~1 KiB each: ~64 MiB, the same as the event queue.
    public static let reviewRingCapacity = 65_536

    /// Largest admin API request body (a manifest), in bytes; more gets 413.
    public static let adminMaxBodyBytes = 8 * 1024 * 1024

    /// Changed requests listed per request in a `POST /review` answer (`changes`); the
    /// report's totals always count every request.
    public static let reviewMaxChangedRows = 10_000
}
