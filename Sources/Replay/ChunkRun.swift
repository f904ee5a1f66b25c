import EventLog
import GatewayAPI
import RoutingCore

/// The state of one chunk being routed (ChunkProcessor.process): the sums so
/// far, the requests counted per compared pair, and the line decoder.
struct ChunkRun {
    let job: Job
    let settings: ChunkSettings
    let memo: PairMemo
    let tally: ComboTally
    var agg: Aggregate
    var decoder = RequestLineDecoder()
    /// Requests of this chunk per memo position, and the positions used.
    private var perPair: [Int] = []
    private var pairsUsed: [Int] = []
    /// The last Gateway named by a request, parsed once.
    private var gatewayText: String?
    private var gatewayKey: ObjectKey?
    /// Reused for every line routed in place.
    private var headers: [BorrowedHeader] = []
    /// Requests per Host of the requests counted by pair.
    private var hosts = HostTally()
    /// The changed requests, by pattern.
    private var changed = ChangedTally()

    init(job: Job, settings: ChunkSettings, memo: PairMemo, tally: ComboTally) {
        self.job = job
        self.settings = settings
        self.memo = memo
        self.tally = tally
        agg = Aggregate(origin: settings.origin)
    }

    /// Routes a trace line; false when it does not decode (`agg.failure` says
    /// why): the replay stops there, and the rest of the chunk is not routed.
    /// `pair` is `job.pair`, passed in by a caller that borrows the job: the workers'
    /// chunks share it, and a retain and release of it per request, read from `job`
    /// here, moved its reference count's cache line between the cores.
    mutating func route(line bytes: UnsafeBufferPointer<UInt8>, _ line: RequestLine, pair: TablePair) -> Bool {
        if routeInPlace(bytes, line, pair: pair) { return true }
        do {
            let record = try decoder.decode(bytes, after: line.previous)
            route(record, time: line.timeMicros)
            return true
        } catch {
            agg.failure = LineFailure(line: line, message: TraceReader.badLineMessage(line: line.lineNumber, error))
            return false
        }
    }

    /// Routes a trace line where it lies, without building its record: most
    /// lines (the writer's layout, an HTTP scheme, a verdict that does not
    /// read the request) need none. False when the line needs `route(_:)`.
    private mutating func routeInPlace(_ line: UnsafeBufferPointer<UInt8>, _ found: RequestLine, pair: TablePair) -> Bool {
        guard settings.comparesPairsOnce, let fields = decoder.fields(line, bodyStart: found.bodyStart) else { return false }
        if fields.observed != nil, decoder.observed(fields, in: line)?.refusedBeforeRouting == true {
            agg.refused += 1
            return true
        }
        let time = found.timeMicros
        func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: line[range]) }
        guard let isHTTPS = ChunkProcessor.isHTTPS(scheme: bytes(fields.scheme)) else { return false }
        let gateway = fields.gateway.flatMap { self.gateway(decoder.string(bytes($0))) }
        // Taken out while borrowed: `count` below mutates self. Overwritten in place
        // rather than emptied and refilled (see RequestLineDecoder.headerFields).
        var headers = [BorrowedHeader]()
        swap(&headers, &self.headers)
        defer { swap(&headers, &self.headers) }
        let headerCount = decoder.headerCount
        for index in 0..<headerCount {
            let (name, value) = decoder.header(index)
            let header = BorrowedHeader(name: bytes(name), value: bytes(value))
            if index < headers.count { headers[index] = header } else { headers.append(header) }
        }
        let key = decoder.id(fields, in: line, seq: found.seq)
        let host = bytes(fields.host)
        let hostHash = ByteHash.host(host)
        return BorrowedRequest.withGateway(gateway) { gateway in headers.withUnsafeBufferPointer { all in
            let headers = UnsafeBufferPointer(rebasing: all[..<headerCount])
            let request = BorrowedRequest(gateway: gateway, port: fields.port, isHTTPS: isHTTPS, method: bytes(fields.method),
                                          host: host, target: bytes(fields.path), headers: headers,
                                          sni: fields.sni.map(bytes), hostHash: hostHash)
            guard let words = pair.independentWords(request, key: key) else { return false }
            count(VerdictPairIndex.Key(before: words.before, after: words.after), method: bytes(fields.method), host: host,
                  path: bytes(fields.path), hostHash: hostHash, time: time, hasObserved: fields.observed != nil,
                  id: { String(decoding: key, as: UTF8.self) },
                  record: { $0.record(fields, in: line, seq: found.seq) }) {
                (request.routeRequest(), String(decoding: key, as: UTF8.self))
            }
            return true
        } }
    }

    /// Routes a decoded request.
    mutating func route(_ record: RequestRecord, time: Int64) {
        // The gateway would refuse it again in either world: nothing to compare.
        if record.observed?.refusedBeforeRouting == true {
            agg.refused += 1
            return
        }
        let gateway = record.gateway.flatMap { self.gateway($0) }
        if let proto = ChunkProcessor.l4Protocol(record.scheme) {
            let connection = ConnectionRequest(gateway: gateway, port: record.port, protocol: proto, sni: record.sni)
            let before = job.baseline.routeConnection(connection, key: record.id)
            let after = job.identical ? before : job.candidate.routeConnection(connection, key: record.id)
            ChunkProcessor.add(record: record, time: time, before: before, after: after, identical: job.identical,
                               chunk: job.index, settings: settings, tally: tally, changed: &changed, to: &agg)
            return
        }
        let request = RouteRequest(gateway: gateway, port: record.port, scheme: ChunkProcessor.httpScheme(record.scheme), method: record.method,
                                   host: record.host, path: record.path, headers: record.headers, sni: record.sni)
        let (before, after) = job.pair.verdicts(request, key: record.id)
        guard settings.comparesPairsOnce, job.pair.areRequestIndependent(before, after), let key = VerdictPairIndex.Key(before, after) else {
            let decisions = self.decisions(before, after, request: request, key: record.id)
            ChunkProcessor.add(record: record, time: time, before: decisions.before, after: decisions.after, identical: job.identical,
                               chunk: job.index, settings: settings, tally: tally, changed: &changed, to: &agg)
            return
        }
        var (host, method, path) = (record.host, record.method, record.path)
        host.withUTF8 { host in method.withUTF8 { method in path.withUTF8 { path in
            count(key, method: method, host: host, path: path, hostHash: ByteHash.host(host), time: time, hasObserved: record.observed != nil,
                  id: { record.id }, record: { _ in record }) {
                (request, record.id)
            }
        } } }
    }

    /// Counts a request whose verdicts do not depend on it beyond the pair: the
    /// pair is compared once (`plain` gives the request for that), a changed one
    /// counts in its pattern by its bytes (`id` gives its id for the examples),
    /// and the record is built only for an exported row or a verification.
    private mutating func count(_ pair: VerdictPairIndex.Key, method: UnsafeBufferPointer<UInt8>, host: UnsafeBufferPointer<UInt8>,
                                path: UnsafeBufferPointer<UInt8>, hostHash: UInt64, time: Int64, hasObserved: Bool, id: () -> String,
                                record: (inout RequestLineDecoder) -> RequestRecord, plain: () -> (RouteRequest, String)) {
        let position = memo.position(of: pair) {
            let (request, key) = plain()
            let decisions = self.decisions(RouteVerdict(words: pair.before), RouteVerdict(words: pair.after), request: request, key: key)
            return ComparedPair(comparison: Comparison(decisions.before, decisions.after, identical: job.identical),
                                before: decisions.before, after: decisions.after)
        }
        if position >= perPair.count { perPair.append(contentsOf: repeatElement(0, count: position + 1 - perPair.count)) }
        if perPair[position] == 0 { pairsUsed.append(position) }
        perPair[position] += 1
        let flags = memo.flags[position]
        hosts.count(host, hash: hostHash, flags)
        ChunkProcessor.countEvery(time: time, flags, to: &agg)
        if flags.changed { changed.count(position: position, method: method, host: host, path: path, id: id) }
        let exports = flags.changed && settings.collectRows
        let verifies = settings.verify && hasObserved
        guard exports || verifies else { return }
        let record = record(&decoder)
        if exports { agg.rows.append(ChunkProcessor.row(record: record, time: time, memo.pairs[position].comparison)) }
        if verifies { ChunkProcessor.verify(record: record, time: time, before: memo.pairs[position].before, settings: settings, to: &agg) }
    }

    /// Both worlds' full decisions for a request.
    private func decisions(_ before: RouteVerdict, _ after: RouteVerdict, request: RouteRequest, key: String) -> (before: Decision, after: Decision) {
        let baseline = job.baseline.decision(for: before, request: request, key: key)
        return (baseline, job.identical ? baseline : job.candidate.decision(for: after, request: request, key: key))
    }

    private mutating func gateway(_ text: String) -> ObjectKey? {
        if text != gatewayText {
            gatewayKey = ChunkProcessor.parseGateway(text)
            gatewayText = text
        }
        return gatewayKey
    }

    /// The chunk's sums; every compared pair's requests go to the tally in memo
    /// order: a fixed order, whatever order the pairs came in.
    func finish() -> Aggregate {
        var agg = agg
        hosts.add(to: &agg.hosts)
        changed.add(to: &agg, memo: memo)
        for position in pairsUsed.sorted() {
            tally.add(pair: position, of: memo, requests: perPair[position], chunk: job.index)
        }
        return agg
    }
}
