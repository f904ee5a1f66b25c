#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why reading a trace stopped.
public enum TraceStopReason: Sendable, Equatable {
    /// Every frame was complete and valid.
    case complete
    /// The file ends in the middle of the zstd frame that starts at compressed offset
    /// `atByte` (typically: the writer crashed). Every complete line of that frame was kept.
    case truncated(atByte: Int, eventsKept: Int)
    /// The frame starting at compressed offset `atByte` is corrupt (bad zstd data, checksum
    /// mismatch), or contains a line that is not a valid event, or the header is missing or
    /// has the wrong format/version. Events of a frame that fails its checksum are dropped.
    case damaged(atByte: Int, eventsKept: Int, message: String)

    public var isComplete: Bool { self == .complete }
}

/// Summary of a whole read.
public struct TraceReadResult: Sendable, Equatable {
    /// nil when the first line is not a valid header.
    public var header: TraceHeader?
    public var eventsRead: Int
    public var stopReason: TraceStopReason
}

/// What `TraceReader.nextItem()` returns.
public enum TraceItem {
    /// Boxed: an event is large and rare in a replayed trace, and an unboxed one
    /// would make every request item as large as an event, copied at each step.
    indirect case event(Event)
    /// A request line, not decoded yet; `bytes` are valid until the reader's next call.
    case request(RequestLine, bytes: UnsafeBufferPointer<UInt8>)
}

/// Where an undecoded request line came from, to report it as the reader would
/// if it fails to decode (`TraceStopReason.damaged`).
public struct RequestLine: Sendable, Equatable {
    public var seq: Int64
    public var timeMicros: Int64
    /// The time of the event before, against which the line's `dt` is read
    /// (its own time when it is the first).
    public var previousMicros: Int64
    public var lineNumber: Int
    /// Compressed byte offset of the frame that holds the line.
    public var frameStart: Int
    /// Events before this one.
    public var eventsBefore: Int
    /// Offset in the line just past its `"type":"request"` member, whose
    /// `seq`, `time` (or `dt`) and `type` the reader has read: the request's own
    /// members start here (RequestLineDecoder.fields(_:bodyStart:)).
    public var bodyStart: Int

    /// The position of the event before the line, to decode it on its own.
    public var previous: EventPosition { EventPosition(seq: seq &- 1, micros: previousMicros) }
}

/// Reads a trace written by `TraceWriter` (or any zstd-compressed gwsim JSON Lines with the
/// header line), one event at a time, in constant memory.
///
/// Never traps on bad input: truncation and damage end the stream and are reported in
/// `stopReason`, after every event that could be trusted has been returned.
///
/// Trust rule: lines of a frame are released only once the frame's checksum has been
/// verified, so a bit flip cannot slip a corrupted-but-parsable event through. Two
/// exceptions, both bounded: a frame cut short by the end of the file (no checksum to check;
/// its complete lines are kept and the result is `.truncated`), and a single frame larger
/// than `Limits.maxUnverifiedBytes` (released in pieces to bound memory).
public final class TraceReader: IteratorProtocol {
    public let path: String
    /// The header, when the first line was a valid one.
    public private(set) var header: TraceHeader?
    // The two properties every line reads or counts skip the runtime exclusivity
    // check (4 % of a replay's instructions with the driver's and the memo's): a
    // reader belongs to one thread and none of its methods overlaps its own accesses.
    /// Set when the stream has ended; nil while events may remain.
    @exclusivity(unchecked) public private(set) var stopReason: TraceStopReason?
    /// Events returned so far.
    @exclusivity(unchecked) public private(set) var eventsRead = 0
    /// Compressed bytes consumed so far.
    public private(set) var compressedOffset = 0

    private var file: UnsafeMutablePointer<FILE>?
    private let decompressor: ZstdFrameDecompressor
    private var input: [UInt8]
    private var inputPos = 0
    private var inputCount = 0
    /// Decompressed bytes: `[0, lineStart)` consumed, `[lineStart, releasedEnd)` trusted,
    /// `[releasedEnd, count)` waiting for their frame's checksum; the decompressor
    /// writes after them.
    private var store = LineBuffer(capacity: Limits.lineBufferBytes)
    /// The buffer the request line `nextItem()` returned last lies in. A caller that holds
    /// it to read the line later, on another thread, sets `nextLineBuffer`.
    public var lineBuffer: LineBuffer { store }
    /// How many times `lineBuffer` has changed: a caller that keeps it need not ask again
    /// for every line.
    public private(set) var lineBufferChanges = 0
    /// When set, the reader never writes into a buffer again once it has returned lines
    /// from it: each frame goes into the buffer this gives (a recycled one, or
    /// `LineBuffer(capacity: Limits.lineBufferBytes)`), so that the lines of earlier ones
    /// stay where they are, read where they lie instead of copied out.
    public var nextLineBuffer: (() -> LineBuffer)?
    private var buf: UnsafeBufferPointer<UInt8> { store.bytes }
    private var lineStart = 0
    private var releasedEnd = 0
    private var frameStart = 0
    /// Start of the frame the lines in the released region came from (for error offsets).
    private var releasedFrameStart = 0
    private var inFrame = false
    private var outputPending = false
    private var endOfInput = false
    /// How the byte stream ended, applied once the released lines are consumed.
    private var pendingEnd: TraceStopReason?
    private var lineNumber = 0
    /// The last event returned; a version 2 line is read against it.
    private var previous: EventPosition?
    /// The second of the last request time read (EventTime.SecondCache).
    @exclusivity(unchecked) private var times = EventTime.SecondCache()

    /// Opens `path` and reads the header line. Throws only if the file cannot be opened;
    /// a missing or invalid header shows up as `stopReason == .damaged`.
    public init(path: String) throws {
        self.path = path
        decompressor = try ZstdFrameDecompressor()
        // Scratch buffers, fully overwritten before being read: skip the zero fill.
        input = [UInt8](unsafeUninitializedCapacity: ZstdFrameDecompressor.recommendedInputSize) { _, n in
            n = ZstdFrameDecompressor.recommendedInputSize
        }
        guard let f = fopen(path, "rb") else {
            throw EventLogError.io(path: path, message: "cannot open trace: \(String(cString: strerror(errno)))")
        }
        file = f
        readHeader()
    }

    deinit { if let f = file { fclose(f) } }

    private func readHeader() {
        guard let range = nextLine() else {
            if case .truncated = stopReason { return }
            if stopReason == .complete { stopReason = .damaged(atByte: 0, eventsKept: 0, message: "missing header line") }
            return
        }
        do {
            header = try TraceHeader.parse(UnsafeBufferPointer(rebasing: buf[range]))
        } catch {
            stop(.damaged(atByte: 0, eventsKept: 0, message: "line 1: invalid header: \(error)"))
        }
    }

    /// The next event, or nil at the end (then `stopReason` says why).
    public func next() -> Event? {
        guard stopReason == nil, let range = nextLine() else { return nil }
        return event(at: range)
    }

    /// The event on the line at `range` of the buffer, counted; nil after stopping
    /// the reader when the line is not a valid next event.
    private func event(at range: Range<Int>) -> Event? {
        do {
            let event = try Event(json: UnsafeBufferPointer(rebasing: buf[range]), after: previous)
            try accept(seq: event.seq, micros: event.timeMicros)
            return event
        } catch {
            stopAtBadLine(error)
            return nil
        }
    }

    /// The next event, with request lines left undecoded: a caller that decodes
    /// requests on other threads (replay workers) gets each request line's
    /// bytes, valid until the next call, with where it was found. A request line
    /// is recognised when it starts with its position (`seq` and `time`, `dt`, or
    /// both) and `"type":"request"`, as every line gwsim writes does; any other
    /// line is decoded here, so its errors stop the reader exactly as `next()`
    /// would. Decoding a request line can still fail later: `RequestLine` says
    /// what to report then.
    public func nextItem() -> TraceItem? {
        guard stopReason == nil, let range = nextLine() else { return nil }
        let bytes = UnsafeBufferPointer(rebasing: buf[range])
        let peeked = Self.peekRequest(bytes, after: previous, times: &times)
        guard let peeked else { return event(at: range).map { .event($0) } }
        let previousMicros = previous?.micros ?? peeked.micros
        do { try accept(seq: peeked.seq, micros: peeked.micros) } catch {
            stopAtBadLine(error)
            return nil
        }
        let line = RequestLine(seq: peeked.seq, timeMicros: peeked.micros, previousMicros: previousMicros, lineNumber: lineNumber,
                               frameStart: releasedFrameStart, eventsBefore: eventsRead - 1, bodyStart: peeked.bodyStart)
        return .request(line, bytes: bytes)
    }

    /// The line just read is not a valid event: the reader stops, blaming its frame.
    private func stopAtBadLine(_ error: any Error) {
        stop(.damaged(atByte: releasedFrameStart, eventsKept: eventsRead, message: Self.badLineMessage(line: lineNumber, error)))
    }

    /// What `.damaged` says of a line that is not a valid event (also for request lines
    /// decoded after `nextItem()`).
    public static func badLineMessage(line: Int, _ error: any Error) -> String { "line \(line): \(error)" }

    /// Checks the sequence number of the event just read, counts it, and makes it
    /// the position the next line is read against.
    private func accept(seq: Int64?, micros: Int64) throws {
        guard let seq else { throw EventLogError.invalidEvent("missing \"seq\"") }
        if let last = previous?.seq, seq <= last { throw EventLogError.seqNotIncreasing(seq: seq, last: last) }
        previous = EventPosition(seq: seq, micros: micros)
        eventsRead += 1
    }

    /// `seq`, time and end of the `type` member of a line that begins
    /// `{"seq":N,"time":"...","type":"request"`, or (after `previous`) with
    /// `{"dt":N,` or `{"seq":N,"dt":N,` in place of the first two; nil otherwise.
    static func peekRequest(_ line: UnsafeBufferPointer<UInt8>, after previous: EventPosition?,
                            times: inout EventTime.SecondCache) -> (seq: Int64, micros: Int64, bodyStart: Int)? {
        // The writer's own layouts first: literal keys, no key table.
        var literal = JSONScanner(line)
        if let previous, literal.consume("{\"") {
            var seq = previous.seq &+ 1
            if literal.consume("seq\":") {
                guard let explicit = literal.readShortNatural() ?? (try? literal.readInt()), literal.consume(",\"") else { return nil }
                seq = explicit
            }
            if literal.consume("dt\":") {
                guard let dt = literal.readShortNatural() ?? (try? literal.readInt()), let micros = EventPosition.time(after: previous.micros, dt: dt),
                      literal.consume(",\"type\":\"request\"") else { return nil }
                return (seq, micros, literal.pos)
            }
            literal = JSONScanner(line)
        }
        if literal.consume("{\"seq\":"), let seq = try? literal.readInt(), literal.consume(",\"time\":"),
           let time = try? literal.readUnescapedStringBytes(), let micros = EventTime.parse(time, cache: &times),
           literal.consume(",\"type\":\"request\"") {
            return (seq, micros, literal.pos)
        }
        var scanner = JSONScanner(line)
        var first = true
        var hint = 0
        guard (try? scanner.beginObject()) != nil,
              (try? scanner.nextKey(in: Event.eventKeys, hint: &hint, &first)) == 0, let seq = try? scanner.readInt(),
              (try? scanner.nextKey(in: Event.eventKeys, hint: &hint, &first)) == 1,
              let time = try? scanner.readUnescapedStringBytes(), let micros = EventTime.parse(time),
              (try? scanner.nextKey(in: Event.eventKeys, hint: &hint, &first)) == 2,
              let type = try? scanner.readUnescapedStringBytes(), type.elementsEqual("request".utf8) else { return nil }
        return (seq, micros, scanner.pos)
    }

    /// Calls `body` for every remaining event, then returns the summary.
    @discardableResult
    public func forEach(_ body: (Event) throws -> Void) rethrows -> TraceReadResult {
        while let e = next() { try body(e) }
        return result
    }

    /// Summary so far (final once `next()` has returned nil).
    public var result: TraceReadResult {
        TraceReadResult(header: header, eventsRead: eventsRead, stopReason: stopReason ?? .complete)
    }

    /// Reads a whole trace into memory (tests and small files).
    public static func readAll(path: String) throws -> ([Event], TraceReadResult) {
        let reader = try TraceReader(path: path)
        var events: [Event] = []
        let result = reader.forEach { events.append($0) }
        return (events, result)
    }

    // MARK: lines

    private func stop(_ reason: TraceStopReason) {
        guard stopReason == nil else { return }
        stopReason = reason
        if let f = file { fclose(f); file = nil }
        store.removeAll()
        lineStart = 0
        releasedEnd = 0
    }

    /// Range of the next non-empty line (without newline) in `buf`, valid until the next call.
    private func nextLine() -> Range<Int>? {
        while stopReason == nil {
            let found: Int? = {
                guard releasedEnd > lineStart, let base = buf.baseAddress else { return nil }
                guard let p = memchr(base + lineStart, 0x0A, releasedEnd - lineStart) else { return nil }
                return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            }()
            if let nl = found {
                var end = nl
                if end > lineStart, buf[end - 1] == 0x0D { end -= 1 }
                let range = lineStart..<end
                lineStart = nl + 1
                lineNumber += 1
                if range.isEmpty { continue }
                return range
            }
            if releasedEnd - lineStart > Limits.maxLineBytes {
                stop(.damaged(atByte: releasedFrameStart, eventsKept: eventsRead,
                              message: "line \(lineNumber + 1) longer than \(Limits.maxLineBytes) bytes"))
                return nil
            }
            if let end = pendingEnd {
                // All released lines consumed. A final line without newline after a clean end
                // is accepted; after a truncation it is an incomplete line and dropped.
                if end == .complete, releasedEnd > lineStart, !buf[lineStart..<releasedEnd].allSatisfy(Self.isSpace) {
                    let range = lineStart..<releasedEnd
                    lineStart = releasedEnd
                    lineNumber += 1
                    return range
                }
                switch end {
                case .truncated(let at, _): stop(.truncated(atByte: at, eventsKept: eventsRead))
                default: stop(end)
                }
                return nil
            }
            pump()
        }
        return nil
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }

    /// Decompresses until a frame completes (or the pending amount hits the bound, or the
    /// input ends), then moves `releasedEnd`.
    private func pump() {
        if let next = nextLineBuffer {
            let fresh = next()
            precondition(fresh !== store, "a line buffer handed out again while the reader writes into it")
            fresh.refill(from: store, lineStart..<store.count)
            store = fresh
            lineBufferChanges &+= 1
            releasedEnd -= lineStart
            lineStart = 0
        } else if lineStart > 0 {
            store.dropFirst(lineStart)
            releasedEnd -= lineStart
            lineStart = 0
        }
        while true {
            if inputPos == inputCount && !outputPending {
                guard !endOfInput, let f = file else { return finishInput() }
                let n = input.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
                if n == 0 {
                    endOfInput = true
                    if ferror(f) != 0 {
                        stop(.damaged(atByte: frameStart, eventsKept: eventsRead, message: "read error: \(String(cString: strerror(errno)))"))
                        return
                    }
                    return finishInput()
                }
                inputPos = 0
                inputCount = n
            }
            var wanted = ZstdFrameDecompressor.recommendedOutputSize
            if !inFrame && !outputPending {
                if inputCount - inputPos < Self.frameHeaderProbe && !endOfInput { topUpInput() }
                if let missing = missingChecksum() {
                    stop(.damaged(atByte: frameStart, eventsKept: eventsRead, message: missing))
                    return
                }
                if let content = gatherWholeFrame(), content < Limits.maxUnverifiedBytes { wanted = max(wanted, content + 1) }
            }
            let room = store.spare(atLeast: wanted)
            let step = input.withUnsafeBytes { inp in
                decompressor.step(input: UnsafeRawBufferPointer(rebasing: inp[inputPos..<inputCount]), output: room)
            }
            switch step {
            case .failure(let message):
                stop(.damaged(atByte: frameStart, eventsKept: eventsRead, message: "zstd: \(message)"))
                return
            case let .progress(consumed, produced, frameEnded):
                inputPos += consumed
                compressedOffset += consumed
                outputPending = produced == room.count && !frameEnded
                store.commit(produced)
                if frameEnded {
                    inFrame = false
                    releasedEnd = buf.count
                    releasedFrameStart = frameStart
                    frameStart = compressedOffset
                    return
                }
                inFrame = true
                if buf.count - releasedEnd > Limits.maxUnverifiedBytes {
                    releasedEnd = buf.count
                    releasedFrameStart = frameStart
                    return
                }
            }
        }
    }

    /// Bytes of a frame start that say whether it carries a checksum: magic (4) and descriptor (1).
    private static let frameHeaderProbe = 5

    /// Moves the unread input to the front of the buffer and reads more after it, so a
    /// frame header never straddles two reads when it is checked.
    private func topUpInput() {
        guard let f = file else { return }
        let rest = inputCount - inputPos
        input.withUnsafeMutableBytes { bytes in
            if rest > 0, inputPos > 0 { memmove(bytes.baseAddress!, bytes.baseAddress! + inputPos, rest) }
        }
        let n = input.withUnsafeMutableBytes { fread($0.baseAddress! + rest, 1, $0.count - rest, f) }
        inputPos = 0
        inputCount = rest + n
        if n == 0 && ferror(f) == 0 { endOfInput = true }
    }

    /// Reads until the frame that starts the input is all there, the input buffer
    /// growing up to `Limits.wholeFrameInputBytes`; its decompressed size, or nil
    /// when it stays incomplete (too large, or cut short) or does not say its size.
    /// With the whole frame and room for its content, zstd decodes it in one pass
    /// into the line buffer; otherwise it streams through its window, and copies
    /// every byte out of it (2.5 % of a replay's instructions).
    private func gatherWholeFrame() -> Int? {
        while true {
            let content = input.withUnsafeBytes {
                ZstdFrameDecompressor.wholeFrameContentSize(at: UnsafeRawBufferPointer(rebasing: $0[inputPos..<inputCount]))
            }
            if let content { return content }
            guard !endOfInput, file != nil else { return nil }
            if inputPos == 0, inputCount == input.count {
                guard input.count < Limits.wholeFrameInputBytes else { return nil }
                input.append(contentsOf: repeatElement(0, count: input.count))
            }
            let before = inputCount - inputPos
            topUpInput()
            if inputCount - inputPos == before { return nil }
        }
    }

    /// gwsim writes every frame with a content checksum (zstd's default too). A frame
    /// header without the flag means a damaged header: without this check, a flipped
    /// flag lets the frame pass unverified and the damage shows only one frame later.
    private func missingChecksum() -> String? {
        guard inputCount - inputPos >= Self.frameHeaderProbe else { return nil }
        return input.withUnsafeBytes { bytes -> String? in
            let magic = bytes.loadUnaligned(fromByteOffset: inputPos, as: UInt32.self).littleEndian
            guard magic == 0xFD2F_B528 else { return nil }  // not a zstd frame: the decoder reports it
            return bytes[inputPos + 4] & 0x04 == 0 ? "zstd frame without a content checksum" : nil
        }
    }

    /// The input is exhausted: decide how the stream ended.
    private func finishInput() {
        if inFrame {
            // Cut inside a frame: its lines cannot be verified, but they are the best data
            // there is (a crashed writer leaves exactly this), so keep the complete ones.
            releasedEnd = buf.count
            releasedFrameStart = frameStart
            pendingEnd = .truncated(atByte: frameStart, eventsKept: 0)
        } else {
            pendingEnd = .complete
        }
    }
}
