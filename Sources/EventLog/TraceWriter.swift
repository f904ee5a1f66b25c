#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a trace: zstd-compressed JSON Lines, header line first, as a series of
/// independent zstd frames that each end on a line boundary.
///
/// Lines are in the version 2 form (`Event.appendTraceLine`): each frame's first event
/// carries its `seq` and `time`, the others what differs from the event before them.
///
/// Why frames: `zstd -dc trace.zst` still reads the whole file as one stream, while a file
/// cut short by a crash or damaged in the middle loses only the frame(s) concerned.
/// Memory is constant: a frame being filled, and at most two more being compressed
/// and written on a thread of their own (`FrameWriter`). A write error therefore
/// surfaces on a later `write`, or on `flush` or `close`.
///
/// Not thread-safe; use from one task at a time.
public final class TraceWriter {
    public let path: String
    public let compressionLevel: Int32
    /// Uncompressed bytes after which the current frame is ended (at the next line end).
    public let frameBytes: Int
    public let header: TraceHeader

    /// Events written so far.
    public private(set) var eventsWritten = 0
    /// Compressed bytes in the file so far (frames already compressed; all after `flush`).
    public var bytesWritten: Int { frames.written.bytes }
    /// Uncompressed bytes of all lines so far, header included.
    public private(set) var uncompressedBytes = 0
    /// Frames in the file so far (all after `flush`).
    public var framesWritten: Int { frames.written.frames }
    /// Last `seq` written; an event with a nil seq gets `lastSeq + 1`.
    public private(set) var lastSeq: Int64 = 0

    private var file: UnsafeMutablePointer<FILE>?
    private var pending: [UInt8] = []
    /// The last event of the current frame; nil until the frame has one.
    private var previous: EventPosition?
    private let frames: FrameWriter

    /// Creates (or truncates) `path` and writes the header line.
    /// - Parameters:
    ///   - compressionLevel: zstd level (`Limits.compressionLevels`; default `Limits.defaultCompressionLevel`).
    ///   - frameBytes: target uncompressed size of one frame (default 2 MiB).
    ///   - created: header `created` value; defaults to now.
    public init(path: String, compressionLevel: Int32 = Limits.defaultCompressionLevel,
                frameBytes: Int = Limits.defaultFrameBytes, created: String? = nil, generator: String = "gwsim") throws {
        self.path = path
        self.compressionLevel = compressionLevel
        self.frameBytes = max(1, frameBytes)
        let compressor: ZstdFrameCompressor
        do {
            compressor = try ZstdFrameCompressor(level: compressionLevel)
        } catch EventLogError.zstd(_, let message) {
            throw EventLogError.zstd(path: path, message: message)
        }
        header = TraceHeader(created: created ?? EventTime.format(micros: currentMicros()), generator: generator)
        guard let f = fopen(path, "wb") else {
            throw EventLogError.io(path: path, message: "cannot create trace: \(String(cString: strerror(errno)))")
        }
        file = f
        frames = FrameWriter(path: path, file: f, compressor: compressor)
        pending.reserveCapacity(min(self.frameBytes, Limits.maxLineBytes) + 4096)
        header.appendJSON(to: &pending)
        pending.append(0x0A)
        uncompressedBytes = pending.count
    }

    deinit {
        // Best effort for a writer dropped without close(): keep what was written.
        try? close()
    }

    /// Appends one event. A nil `seq` is assigned `lastSeq + 1`; an explicit seq must be
    /// greater than `lastSeq`. Returns the seq written.
    @discardableResult
    public func write(_ event: Event) throws -> Int64 {
        guard file != nil else { throw EventLogError.closed(path: path) }
        let seq = event.seq ?? lastSeq &+ 1  // past Int64.max: refused below, not a trap
        guard seq > lastSeq else { throw EventLogError.seqNotIncreasing(seq: seq, last: lastSeq) }
        let before = pending.count
        event.appendTraceLine(to: &pending, seq: seq, after: previous)
        pending.append(0x0A)
        if pending.count - before - 1 > Limits.maxLineBytes {
            // Readers refuse such a line as damage; never write one.
            pending.removeSubrange(before...)
            throw EventLogError.invalidEvent("event \(seq) encodes to more than \(Limits.maxLineBytes) bytes")
        }
        lastSeq = seq
        previous = EventPosition(seq: seq, micros: event.timeMicros)
        eventsWritten += 1
        uncompressedBytes += pending.count - before
        if pending.count >= frameBytes { try endFrame() }
        return seq
    }

    /// Ends the current frame and flushes the file, so everything written so far is
    /// readable (e.g. by a concurrent `zstd -dc`) and survives a crash of this process.
    public func flush() throws {
        guard let f = file else { throw EventLogError.closed(path: path) }
        try endFrame()
        try frames.drain()
        if fflush(f) != 0 { throw EventLogError.io(path: path, message: "flush failed: \(String(cString: strerror(errno)))") }
    }

    /// Ends the last frame and closes the file. Idempotent.
    public func close() throws {
        guard let f = file else { return }
        defer { file = nil }
        do {
            try endFrame()
            try frames.drain()
        } catch {
            frames.stop()
            fclose(f)
            throw error
        }
        frames.stop()
        if fclose(f) != 0 { throw EventLogError.io(path: path, message: "close failed: \(String(cString: strerror(errno)))") }
    }

    /// Hands the lines so far to the frame thread as one frame.
    private func endFrame() throws {
        guard !pending.isEmpty, file != nil else { return }
        try frames.submit(&pending)
        previous = nil
    }
}

/// Wall-clock now in microseconds (only for the header `created` field).
func currentMicros() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
}
