import NIOCore

/// Flushes the byte path's answers to clients once the event loop has handled every event
/// of its tick, instead of one at a time as each backend answer is read.
///
/// Why: a flush is the `write` that wakes the client. Flushed as each answer is read, a
/// busy client (a load generator, another proxy) is woken once per answer and goes back
/// to sleep between them; flushed together, it is woken once per tick and reads them all.
/// On two cores shared with the client and the backend that was 2–3 % more requests per
/// second and less CPU per request (docs/benchmarks.md). Requests to backends are still
/// flushed at once: holding those back left the backend idle while the tick went on, and
/// cost more than it saved. A quiet loop's tick is one event, so nothing waits longer than
/// the events already in hand.
///
/// One per event loop (`ProxyRuntime.tickFlusher(for:)`), used only on that loop.
final class TickFlusher: @unchecked Sendable {
    private let eventLoop: any EventLoop
    private var waiting: [ChannelHandlerContext] = []
    private var flushing: [ChannelHandlerContext] = []
    private var scheduled = false

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Flushes `context` after the events of this tick; it must be on this flusher's loop.
    func flushAfterTick(_ context: ChannelHandlerContext) {
        waiting.append(context)
        guard !scheduled else { return }
        scheduled = true
        // A task queued from the loop itself runs once this tick's I/O events are handled.
        eventLoop.assumeIsolatedUnsafeUnchecked().execute { self.flushAll() }
    }

    private func flushAll() {
        scheduled = false
        swap(&waiting, &flushing)
        for context in flushing { context.flush() }
        flushing.removeAll(keepingCapacity: true)
    }
}
