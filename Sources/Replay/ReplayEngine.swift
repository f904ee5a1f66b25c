import EventLog
import Foundation
import GatewayAPI
import RoutingCore

/// What a replay produced.
public struct ReplayResult: Sendable {
    public var report: ImpactReport
    /// Warnings for stderr (truncated trace, recorded objects that failed to decode).
    public var warnings: [String]
    /// Events read, and table compiles done (for `--verbose`-style diagnostics and benchmarks).
    public var events: Int
    public var compiles: Int
}

/// The replay engine: reads the event log once, keeps the baseline and
/// candidate worlds in step with its resource events, routes every request in
/// both (on `threads` workers), and sums the differences into an `ImpactReport`.
public enum Replay {
    /// Replays `options.tracePath`. `onChanged` receives every changed request
    /// in log order (for `--export`); `progress` is called now and then on the
    /// calling thread. Throws `ReplayError` for unreadable or damaged input; a
    /// truncated trace replays what it holds and says so in the warnings.
    public static func run(_ options: ReplayOptions,
                           onChanged: ((ChangedRequestRow) -> Void)? = nil,
                           progress: ((ReplayProgress) -> Void)? = nil) throws -> ReplayResult {
        let driver = Driver(options: options, onChanged: onChanged, progress: progress)
        return try driver.run()
    }
}

/// One replay's mutable state, used from the calling thread only.
private final class Driver {
    let options: ReplayOptions
    let onChanged: ((ChangedRequestRow) -> Void)?
    let progress: ((ReplayProgress) -> Void)?
    /// Asked for every event whether the change activates (unchecked exclusivity, as `pending`).
    @exclusivity(unchecked) var worlds: Worlds
    var pool: WorkerPool?
    /// Compared verdict pairs, and outcome combinations, of chunks routed on this thread
    /// (without a pool).
    let memo = PairMemo()
    let tally = ComboTally()
    var settings: ChunkSettings?
    var total: Aggregate?
    // The two buffers every request line is appended to skip the runtime exclusivity check
    // (the driver runs on one thread and never lends them out while appending); with the
    // trace reader's, those checks were 3 % of a one-thread replay.
    @exclusivity(unchecked) var pending: [PendingRequest] = []
    /// The trace reader's buffers the pending chunk's undecoded request lines lie in.
    @exclusivity(unchecked) var lineBuffers: [LineBuffer] = []
    /// Buffers of routed chunks, each reused once no other chunk (and not the reader) holds it.
    var returnedLineBuffers: [LineBuffer] = []
    /// The reader's `lineBufferChanges` when the last buffer in `lineBuffers` was added, and where that buffer starts.
    var lineBufferChanges = 0
    var lineBufferStart: UnsafePointer<UInt8>?
    /// The pending chunk's decoded requests.
    var records: [RequestRecord] = []
    /// With one thread, the chunk being routed as its requests are read (see `routeNow`),
    /// mutated where it lies (`inline!`): no reference to retain and release per request.
    @exclusivity(unchecked) var inline: ChunkRun?
    /// Requests routed in `inline`, 0 when there is none; and whether it met a line
    /// that does not decode (the rest of it is then not routed). Kept beside it rather
    /// than in it: each use of an optional this large tests its tag out of line.
    @exclusivity(unchecked) var inlineCount = 0
    @exclusivity(unchecked) var inlineFailed = false
    /// The first request line, in log order, that did not decode.
    var firstFailure: LineFailure?
    var current: (baseline: RoutingTable, candidate: RoutingTable)?
    var chunkIndex = 0
    var lastPair: TablePair?
    var events = 0
    var requestsRead = 0
    var firstMicros: Int64?
    var lastMicros: Int64?
    var bytesRead = 0
    var totalBytes = 0

    init(options: ReplayOptions, onChanged: ((ChangedRequestRow) -> Void)?, progress: ((ReplayProgress) -> Void)?) {
        self.options = options
        self.onChanged = onChanged
        self.progress = progress
        worlds = Worlds(change: options.change, options: options.compileOptions, source: options.tracePath)
    }

    func run() throws -> ReplayResult {
        var warnings: [String] = []
        var inputWarning: String?
        defer { pool?.finish { _ in } }
        let path = options.tracePath
        if EventStore.isStoreFile(path) {
            do {
                let store = try EventStore(path: path)
                try store.events { self.handle($0) }
            } catch let error as EventLogError {
                throw ReplayError.unreadable(path, error)
            }
        } else {
            let reader: TraceReader
            do { reader = try TraceReader(path: path) } catch {
                throw ReplayError.unreadable(path, error)
            }
            totalBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            // With workers, a line is read where the reader decompressed it (`handle`).
            if options.threads > 1 { reader.nextLineBuffer = { [unowned self] in self.recycledLineBuffer() } }
            while let item = reader.nextItem() {
                switch item {
                case .event(let event): handle(event)
                case .request(let line, let bytes): handle(line, bytes: bytes, in: reader)
                }
                if events & 0xFFFF == 0 {
                    bytesRead = reader.compressedOffset
                    reportProgress()
                }
            }
            switch reader.result.stopReason {
            case .complete: break
            case .truncated(let atByte, let kept):
                let message = "trace truncated: the file ends inside the frame that starts at byte \(atByte); replayed the \(kept) events before the cut"
                inputWarning = message
                warnings.append(message)
            case .damaged(let atByte, let kept, let message):
                throw ReplayError.damaged(path: path, atByte: atByte, eventsKept: kept, message: message)
            }
        }
        flush()
        var tallies = [tally]
        if let pool { tallies += pool.finish { self.merge($0) } }
        pool = nil
        if total != nil { for tally in tallies { tally.merge(into: &total!.combos) } }
        if let failure = firstFailure {
            // An undecodable request line comes before wherever the reader stopped.
            throw ReplayError.damaged(path: path, atByte: failure.line.frameStart, eventsKept: failure.line.eventsBefore,
                                      message: failure.message)
        }
        // A change that no recorded request can see is a mistake in the command, not a
        // finding: its report would say "nothing changes" and pass every gate.
        let unrecorded = options.change.removals.filter { !worlds.recordedRemovals.contains($0) }
        if !unrecorded.isEmpty { throw ReplayError.removalNotRecorded(path: path, keys: unrecorded.map(\.description)) }
        if let at = options.change.atMicros, let lastMicros, at > lastMicros {
            throw ReplayError.changeAfterTrace(path: path, at: EventTime.format(micros: at), last: EventTime.format(micros: lastMicros))
        }
        if let backwards {
            warnings.append("times go backwards in this log: event \(backwards.event) is at \(EventTime.format(micros: backwards.time)), "
                + "before an earlier event's \(EventTime.format(micros: backwards.latest)) (an imported or merged log?); "
                + "replay routes in log order, each request with the resources logged before it, while --at and the timeline go by time")
        }
        if worlds.decodeFailures > 0 {
            warnings.append("skipped \(worlds.decodeFailures) recorded object(s) that do not decode; first: \(worlds.firstDecodeFailure ?? "")")
        }

        var input = ReplayInput(trace: path, with: options.withPaths, without: options.withoutKeys, atMicros: options.change.atMicros)
        input.firstEventMicros = firstMicros
        input.lastEventMicros = lastMicros
        let compared = total?.requests ?? 0
        if compared == 0 {
            // A report of no requests reads "nothing changes": say why, in the report too.
            let message = "the trace holds no request to compare" + ((total?.refused ?? 0) > 0 ? " (only requests refused before routing)" : "")
                + "; only status changes and unreached rules say anything about the change"
            inputWarning = inputWarning.map { $0 + "; " + message } ?? message
            warnings.append(message)
        }
        input.warning = inputWarning
        let status = worlds.finalStatus()
        let report = ReportBuilder.build(input: input, total: total ?? Aggregate(origin: 0), lastRequestMicros: lastRequestMicros,
                                         baselineStatus: status.baseline, candidateStatus: status.candidate,
                                         candidateResources: worlds.candidateResources, options: options)
        bytesRead = totalBytes
        reportProgress()
        return ReplayResult(report: report, warnings: warnings, events: events, compiles: worlds.compiles)
    }

    var lastRequestMicros: Int64?

    func handle(_ event: Event) {
        observe(event.timeMicros)
        switch event.body {
        case .resource(let change):
            flush()
            _ = worlds.apply(change, seq: event.seq)
        case .request(let record):
            arrive(time: event.timeMicros)
            if pool == nil {
                routeNow { $0.route(record, time: event.timeMicros); return true }
            } else {
                records.append(record)
                enqueue(.record(records.count - 1), time: event.timeMicros)
            }
        }
    }

    /// A request line from a trace: routed at once with one thread; otherwise its
    /// bytes go with the chunk, and the worker that routes it decodes it.
    func handle(_ line: RequestLine, bytes: UnsafeBufferPointer<UInt8>, in reader: TraceReader) {
        observe(line.timeMicros)
        arrive(time: line.timeMicros)
        if pool == nil {
            routeNow { $0.route(line: bytes, line, pair: lastPair!) }
            return
        }
        // The line stays where the reader decompressed it; the chunk holds its buffer.
        if lineBuffers.isEmpty || reader.lineBufferChanges != lineBufferChanges {
            let buffer = reader.lineBuffer
            lineBuffers.append(buffer)
            lineBufferChanges = reader.lineBufferChanges
            lineBufferStart = buffer.start
        }
        let start = lineBufferStart!.distance(to: bytes.baseAddress!)
        enqueue(.line(buffer: lineBuffers.count - 1, start..<start + bytes.count, line), time: line.timeMicros)
    }

    /// A line buffer for the reader's next frame: one that routed chunks gave back and
    /// that nothing holds any more (its lines routed, the reader past it), else a new one.
    func recycledLineBuffer() -> LineBuffer {
        for index in returnedLineBuffers.indices where isKnownUniquelyReferenced(&returnedLineBuffers[index]) {
            return returnedLineBuffers.remove(at: index)
        }
        return LineBuffer(capacity: Limits.lineBufferBytes)
    }

    /// Keeps the buffers a routed chunk held for `recycledLineBuffer` (each once; a few).
    func recycle(_ buffers: [LineBuffer]) {
        for buffer in buffers where !returnedLineBuffers.contains(where: { $0 === buffer }) {
            if returnedLineBuffers.count == Self.returnedLineBufferLimit { returnedLineBuffers.removeFirst() }
            returnedLineBuffers.append(buffer)
        }
    }

    /// Line buffers waiting to be reused: the chunks in flight span a few (WorkerPool).
    static let returnedLineBufferLimit = 4

    /// The first event whose time is well before an earlier event's (see `observe`).
    var backwards: (event: Int, time: Int64, latest: Int64)?

    /// Every event: the count, the time range, going back in time, and the change's activation.
    func observe(_ time: Int64) {
        events += 1
        if backwards == nil, let latest = lastMicros, time < latest - ReplayOptions.backwardsTolerance {
            backwards = (events, time, latest)
        }
        if firstMicros == nil || time < firstMicros! { firstMicros = time }
        if lastMicros == nil || time > lastMicros! { lastMicros = time }
        if worlds.shouldActivate(at: time) {
            flush()
            worlds.activate()
        }
    }

    /// Every request, before it is routed or queued: the count, and the first one's settings.
    func arrive(time: Int64) {
        requestsRead += 1
        if settings == nil { start(origin: time) }
        if lastRequestMicros == nil || time > lastRequestMicros! { lastRequestMicros = time }
    }

    /// Queues a request for the pool (more than one thread). Inlined: every line of
    /// a replay with a pool comes through here.
    @inline(__always)
    func enqueue(_ source: PendingRequest.Source, time: Int64) {
        if pending.isEmpty { current = worlds.tables() }
        pending.append(PendingRequest(source: source, timeMicros: time))
        if pending.count >= options.chunkSize { flush() }
    }

    func start(origin: Int64) {
        let settings = ChunkSettings(origin: origin, verify: options.verify, collectRows: onChanged != nil,
                                     maxDisagreements: options.maxDisagreements, comparesPairsOnce: options.comparesPairsOnce)
        self.settings = settings
        total = Aggregate(origin: origin)
        if options.threads > 1 { pool = WorkerPool(threads: options.threads, settings: settings) }
        pending.reserveCapacity(options.chunkSize)
    }

    /// Routes a request in the chunk being routed on this thread, which starts with
    /// the first request after a flush and ends after `chunkSize` requests. Chunks
    /// end where the pool's would, so the report is the same. A line is routed
    /// while its bytes are in the cache and is never copied: the copy and the
    /// second read of a chunk larger than the cache were about 5 % of a replay.
    @inline(__always)
    func routeNow(_ route: (inout ChunkRun) -> Bool) {
        if inlineCount == 0 {
            let tables = worlds.tables()
            let job = Job(index: chunkIndex, pair: pair(tables.baseline, tables.candidate), requests: [])
            memo.use(job)
            inline = ChunkRun(job: job, settings: settings!, memo: memo, tally: tally)
        }
        if !inlineFailed { inlineFailed = !route(&inline!) }
        inlineCount += 1
        if inlineCount >= options.chunkSize { flush() }
    }

    /// Ends the current chunk: merges the one routed on this thread, or hands
    /// the queued one to the pool.
    func flush() {
        if let run = inline {
            inline = nil
            inlineCount = 0
            chunkIndex += 1
            // A chunk that met an undecodable line ends there (ChunkProcessor.process).
            merge(inlineFailed ? run.agg : run.finish())
            inlineFailed = false
            return
        }
        guard !pending.isEmpty, let tables = current, let pool else { return }
        var job = Job(index: chunkIndex, pair: pair(tables.baseline, tables.candidate), requests: [])
        swap(&job.requests, &pending)
        swap(&job.lineBuffers, &lineBuffers)
        swap(&job.records, &records)
        chunkIndex += 1
        current = nil
        pool.submit(job) { self.merge($0) }
        if let (requests, buffers) = pool.spareBuffers() {
            pending = requests
            recycle(buffers)
        }
    }

    /// The pair of the tables, built again only when either table changed.
    func pair(_ baseline: RoutingTable, _ candidate: RoutingTable) -> TablePair {
        if let lastPair, lastPair.baseline === baseline, lastPair.candidate === candidate { return lastPair }
        let pair = TablePair(baseline: baseline, candidate: candidate)
        lastPair = pair
        return pair
    }

    func merge(_ chunk: Aggregate) {
        guard firstFailure == nil else { return }
        if let failure = chunk.failure {
            firstFailure = failure
            return
        }
        if let onChanged { for row in chunk.rows { onChanged(row) } }
        var chunk = chunk
        chunk.rows = []
        total!.merge(chunk, maxDisagreements: options.maxDisagreements)
    }

    func reportProgress() {
        progress?(ReplayProgress(events: events, requests: requestsRead, bytesRead: bytesRead, totalBytes: totalBytes))
    }
}

