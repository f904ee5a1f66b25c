import NIOCore

/// The idle rule of a client connection: idle once it has neither read nor flushed anything
/// for `timeout`, and never between a read and its read-complete. A flush counts when it is
/// issued (see `ConnectionIdleTimer`). Kept by `ConnectionIdleTimer`, a handler of its own,
/// and by `FastPathHandler`, which takes that handler's place on a cleartext HTTP/1.1
/// connection: every read, read-complete, write and flush then passes one handler fewer
/// (about 900 instructions per proxied request, docs/benchmarks.md).
struct IdleClock {
    let timeout: TimeAmount
    private var lastActivity: NIODeadline
    /// Between a read and its read-complete.
    var reading = false
    /// The next look, scheduled by the owner (`nextCheck` says when).
    var check: Scheduled<Void>?

    init(timeout: TimeAmount, now: NIODeadline) {
        self.timeout = timeout
        self.lastActivity = now
    }

    /// The first look: a timeout from now.
    var firstCheck: NIODeadline { lastActivity + timeout }

    mutating func readEnded(now: NIODeadline) {
        reading = false
        lastActivity = now
    }

    mutating func flushed(now: NIODeadline) { lastActivity = now }

    /// At a look: whether the connection is idle now, and when to look again.
    func nextCheck(now: NIODeadline) -> (at: NIODeadline, idle: Bool) {
        if reading { return (now + timeout, false) }
        let due = lastActivity + timeout
        return now >= due ? (now + timeout, true) : (due, false)
    }

    mutating func stop() {
        check?.cancel()
        check = nil
    }
}
