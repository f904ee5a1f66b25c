import CSQLite

/// The live, queryable event log: one SQLite file (WAL mode) holding every event, plus
/// periodic snapshots of the resource state for fast "state at time T" queries.
///
/// Sequence numbers: `append` gives every event whose `seq` is nil the next number
/// (`lastSeq + 1`, so a fresh store starts at 1). An explicit `seq` is kept if it is greater
/// than `lastSeq` (gaps allowed), otherwise the whole batch is rejected.
///
/// Durability: each `append` is one transaction (group commit). WAL with
/// `synchronous=NORMAL` means a committed batch survives a process crash; a power loss may
/// lose the last few batches but never corrupts the file. A failed batch rolls back alone;
/// earlier batches are untouched.
///
/// Not thread-safe: use one `EventStore` from one task at a time. Other processes (e.g. the
/// `sqlite3` shell) may read concurrently thanks to WAL.
public final class EventStore {
    public let path: String
    /// Resource events between two snapshots.
    public let snapshotInterval: Int
    /// Highest seq recorded (0 when empty).
    public private(set) var lastSeq: Int64 = 0

    let db: SQLiteConnection
    private let insertEventStmt: SQLiteStatement
    private let insertResourceStmt: SQLiteStatement
    private let insertRequestStmt: SQLiteStatement
    private let insertSnapshotStmt: SQLiteStatement
    /// `Limits.requestRowsPerInsert` request events in one statement per table
    /// (`insertRequestRun`).
    private let insertEventRowsStmt: SQLiteStatement
    private let insertRequestRowsStmt: SQLiteStatement
    /// Latest event time over all recorded events (the snapshot "high-water" time).
    private var maxTimeMicros: Int64?
    private var resourceEventsSinceSnapshot = 0
    /// Resource state after `lastSeq`, built on the first resource append; nil = not loaded.
    private var live: [String: String]?
    private var inTransaction = false
    /// The headers column of the request being inserted, kept to spare an allocation per row.
    private var headersScratch: [UInt8] = []
    /// An event's `time_text`, spelled here rather than in a String of its own.
    private var timeScratch: [UInt8] = []

    /// Opens or creates the store at `path`.
    /// - Parameter snapshotInterval: resource events between snapshots (default 1000).
    public init(path: String, snapshotInterval: Int = Limits.defaultSnapshotInterval) throws {
        self.path = path
        self.snapshotInterval = max(1, snapshotInterval)
        db = try SQLiteConnection(path: path)
        // Only a new, empty database takes it (before WAL mode writes the first page).
        try db.exec("PRAGMA page_size=\(Limits.storePageSize)")
        let mode = try db.scalarText("PRAGMA journal_mode=WAL")?.lowercased()
        guard mode == "wal" || (mode == "memory" && (path == ":memory:" || path.isEmpty)) else {
            throw EventLogError.unsupportedStore(path: path, message: "cannot enable WAL journal mode (got \(mode ?? "nothing"))")
        }
        try db.exec("PRAGMA synchronous=NORMAL")
        // 64 MiB page cache (default is 2 MiB): large appends and imports touch the time and
        // request_id indexes at random places; a bigger cache keeps them off the disk.
        try db.exec("PRAGMA cache_size=-65536")
        try Self.migrate(db)
        insertEventStmt = try db.prepare(StoreSchema.insertEvent)
        insertResourceStmt = try db.prepare(StoreSchema.insertResource)
        insertRequestStmt = try db.prepare(StoreSchema.insertRequest)
        insertSnapshotStmt = try db.prepare(StoreSchema.insertSnapshot)
        insertEventRowsStmt = try db.prepare(StoreSchema.insertEvents(rows: Limits.requestRowsPerInsert))
        insertRequestRowsStmt = try db.prepare(StoreSchema.insertRequests(rows: Limits.requestRowsPerInsert))
        lastSeq = try db.scalarInt("SELECT max(seq) FROM events") ?? 0
        if let t = try db.scalarText("SELECT max(time) FROM events"), let seconds = Double(t) {
            maxTimeMicros = EventTime.micros(fromSeconds: seconds)
        }
        let snapSeq = try db.scalarInt("SELECT max(seq) FROM snapshots") ?? 0
        resourceEventsSinceSnapshot = Int(try db.scalarInt("SELECT count(*) FROM resource_events WHERE seq > \(snapSeq)") ?? 0)
    }

    /// Creates the v1 schema in an empty database, or checks an existing one.
    private static func migrate(_ db: SQLiteConnection) throws {
        let version = try db.scalarInt("PRAGMA user_version") ?? 0
        if version == Int64(Limits.storeUserVersion) { return }
        guard version == 0 else {
            throw EventLogError.unsupportedStore(path: db.path, message: "user_version \(version); this gwsim understands \(Limits.storeUserVersion)")
        }
        try db.exec("BEGIN IMMEDIATE")
        do {
            // Re-check under the write lock: another process may have just created it.
            if try db.scalarInt("PRAGMA user_version") == Int64(Limits.storeUserVersion) {
                try db.exec("COMMIT")
                return
            }
            guard try db.scalarInt("SELECT count(*) FROM sqlite_master") == 0 else {
                throw EventLogError.unsupportedStore(path: db.path, message: "database has tables but is not a gwsim event store")
            }
            try db.exec(StoreSchema.createV1)
            let insert = try db.prepare("INSERT INTO schema_version (schema, created) VALUES (?1, ?2)")
            try insert.bind(1, Limits.schemaName)
            try insert.bind(2, EventTime.format(micros: currentMicros()))
            _ = try insert.step()
            try db.exec("PRAGMA user_version = \(Limits.storeUserVersion)")
            try db.exec("COMMIT")
        } catch {
            try? db.exec("ROLLBACK")
            throw error
        }
    }

    // MARK: writing

    /// Appends `events` in one transaction and returns their seqs. All or nothing.
    @discardableResult
    public func append(_ events: [Event]) throws -> [Int64] {
        try transaction {
            var seqs: [Int64] = []
            seqs.reserveCapacity(events.count)
            // By index: a for-in loop copies each event out (a retain per string in it).
            let run = Limits.requestRowsPerInsert
            var index = events.startIndex
            while index < events.endIndex {
                if events.endIndex - index >= run, (index..<(index + run)).allSatisfy({ events[$0].type == .request }) {
                    try insertRequestRun(events, index..<(index + run), seqs: &seqs)
                    index += run
                } else {
                    seqs.append(try insert(events[index]))
                    index += 1
                }
            }
            return seqs
        }
    }

    /// Appends one event (its own transaction); returns its seq.
    @discardableResult
    public func append(_ event: Event) throws -> Int64 {
        try append([event])[0]
    }

    /// Runs `body` inside one write transaction; on any error everything `body` inserted is
    /// rolled back and the in-memory counters are restored. Nested calls join the outer one.
    func transaction<R>(_ body: () throws -> R) throws -> R {
        if inTransaction { return try body() }
        try db.exec("BEGIN IMMEDIATE")
        let saved = (lastSeq, maxTimeMicros, resourceEventsSinceSnapshot)
        inTransaction = true
        defer { inTransaction = false }
        do {
            let result = try body()
            try db.exec("COMMIT")
            return result
        } catch {
            try? db.exec("ROLLBACK")
            (lastSeq, maxTimeMicros, resourceEventsSinceSnapshot) = saved
            live = nil
            throw error
        }
    }

    /// Inserts one event; must run inside `transaction`.
    func insert(_ event: Event) throws -> Int64 {
        let seq = try nextSeq(event.seq)
        let s = insertEventStmt
        defer { s.reset() }
        try bindEvent(seq: seq, micros: event.timeMicros, type: event.type, to: s, from: 1)
        _ = try s.step()
        var isResource = false
        switch event.body {
        case .resource(let r):
            if live == nil { live = try loadState(throughSeq: lastSeq) }
            try insertResource(seq: seq, r)
            if r.action == .applied { live![r.key] = r.objectJSON } else { live![r.key] = nil }
            resourceEventsSinceSnapshot += 1
            isResource = true
        case .request(let q):
            let s = insertRequestStmt
            defer { s.reset() }
            try bindRequest(q, seq: seq, to: s, from: 1)
            _ = try s.step()
        }
        lastSeq = seq
        maxTimeMicros = max(maxTimeMicros ?? event.timeMicros, event.timeMicros)
        if isResource && resourceEventsSinceSnapshot >= snapshotInterval {
            try writeSnapshot(seq: seq)
        }
        return seq
    }

    private func insertResource(seq: Int64, _ r: ResourceChange) throws {
        let s = insertResourceStmt
        defer { s.reset() }
        try s.bind(1, seq)
        try s.bind(2, r.action.rawValue)
        try s.bind(3, r.source.rawValue)
        try s.bind(4, r.origin)
        try s.bind(5, r.kind)
        try s.bind(6, r.namespace)
        try s.bind(7, r.name)
        try s.bind(8, r.objectJSON)
        _ = try s.step()
    }

    /// Inserts `range`, request events only, with one statement per table: a statement's
    /// own work (opening its cursors, halting, resetting) was about a quarter of SQLite's
    /// cost per recorded request when each row had two statements to itself
    /// (docs/benchmarks.md).
    private func insertRequestRun(_ events: [Event], _ range: Range<Int>, seqs: inout [Int64]) throws {
        let eventRows = insertEventRowsStmt, requestRows = insertRequestRowsStmt
        defer { eventRows.reset(); requestRows.reset() }
        // Through a buffer pointer: an element read from the array itself was copied, a
        // retain and a release of each of its strings.
        try events.withUnsafeBufferPointer { events in
            for (row, index) in range.enumerated() {
                let micros = events[index].timeMicros
                let seq = try nextSeq(events[index].seq)
                try bindEvent(seq: seq, micros: micros, type: .request, to: eventRows, from: Int32(row * StoreSchema.eventColumns + 1))
                guard case .request(let q) = events[index].body else { preconditionFailure("a run holds request events only") }
                try bindRequest(q, seq: seq, to: requestRows, from: Int32(row * StoreSchema.requestColumns + 1))
                lastSeq = seq
                maxTimeMicros = max(maxTimeMicros ?? micros, micros)
                seqs.append(seq)
            }
        }
        _ = try eventRows.step()
        _ = try requestRows.step()
    }

    /// The seq an event gets: its own (`given`), or the next one; it must exceed every seq so far.
    private func nextSeq(_ given: Int64?) throws -> Int64 {
        let seq = given ?? lastSeq &+ 1  // past Int64.max: refused below, not a trap
        guard seq > lastSeq else { throw EventLogError.seqNotIncreasing(seq: seq, last: lastSeq) }
        return seq
    }

    /// Binds an `events` row (`StoreSchema.eventColumns` parameters) from parameter `first`.
    /// Takes the event's numbers, not the event: passing an element of an array copied it.
    private func bindEvent(seq: Int64, micros: Int64, type: EventType, to s: SQLiteStatement, from first: Int32) throws {
        try s.bind(first, seq)
        try s.bind(first + 1, Double(micros) / 1_000_000)  // `Event.time`
        timeScratch.removeAll(keepingCapacity: true)
        EventTime.append(micros: micros, to: &timeScratch)
        try s.bind(first + 2, bytesAsText: timeScratch)
        try s.bind(first + 3, type.rawValue)
    }

    /// Binds a `request_events` row (`StoreSchema.requestColumns` parameters) from parameter `first`.
    private func bindRequest(_ q: RequestRecord, seq: Int64, to s: SQLiteStatement, from first: Int32) throws {
        headersScratch.removeAll(keepingCapacity: true)
        Event.appendHeaders(q.headers, to: &headersScratch)
        try s.bind(first, seq)
        try s.bind(first + 1, q.id)
        try s.bind(first + 2, q.client)
        try s.bind(first + 3, q.port)
        try s.bind(first + 4, q.scheme)
        try s.bind(first + 5, q.method)
        try s.bind(first + 6, q.host)
        try s.bind(first + 7, q.path)
        try s.bind(first + 8, bytesAsText: headersScratch)
        try s.bind(first + 9, q.gateway)
        try s.bind(first + 10, q.sni)
        let o = q.observed
        try s.bind(first + 11, o == nil ? 0 : 1)
        try s.bind(first + 12, o?.route)
        try s.bind(first + 13, o?.rule)
        try s.bind(first + 14, o?.backend)
        try s.bind(first + 15, o?.endpoint)
        try s.bind(first + 16, o?.status)
        try s.bind(first + 17, o?.latencyMs.flatMap { $0.isFinite ? $0 : nil })
        try s.bind(first + 18, o?.bytesIn)
        try s.bind(first + 19, o?.bytesOut)
    }

    private func writeSnapshot(seq: Int64) throws {
        guard let live else { return }
        let micros = maxTimeMicros ?? 0
        let s = insertSnapshotStmt
        defer { s.reset() }
        try s.bind(1, seq)
        try s.bind(2, Double(micros) / 1_000_000)
        try s.bind(3, EventTime.format(micros: micros))
        try s.bind(4, live.count)
        try s.bind(5, bytesAsText: Snapshots.encode(live))
        _ = try s.step()
        resourceEventsSinceSnapshot = 0
    }

    // MARK: reading

    /// Total number of events.
    public func count() throws -> Int {
        Int(try db.scalarInt("SELECT count(*) FROM events") ?? 0)
    }

    /// Earliest and latest event time (seconds), nil when empty.
    public func timeRange() throws -> (first: Double, last: Double)? {
        let s = try db.prepare("SELECT min(time), max(time) FROM events")
        guard try s.step(), !s.isNull(0) else { return nil }
        return (s.double(0), s.double(1))
    }

    /// Number of snapshots written so far.
    public func snapshotCount() throws -> Int {
        Int(try db.scalarInt("SELECT count(*) FROM snapshots") ?? 0)
    }

    /// SQLite journal mode of the connection (`wal` for a file store).
    public func journalMode() throws -> String {
        try db.scalarText("PRAGMA journal_mode") ?? ""
    }

    /// Streams the events with `since <= time <= until` (both optional, inclusive), in seq
    /// order, one at a time: memory does not grow with the number of events.
    public func events(since: Double? = nil, until: Double? = nil, _ body: (Event) throws -> Void) throws {
        let s: SQLiteStatement
        if since == nil && until == nil {
            s = try db.prepare(StoreSchema.selectEvents + " ORDER BY e.seq")
        } else {
            s = try db.prepare(StoreSchema.selectEvents + " WHERE e.time >= ?1 AND e.time <= ?2 ORDER BY e.seq")
            try s.bind(1, since ?? -1e300)
            try s.bind(2, until ?? 1e300)
        }
        while try s.step() { try body(try readEvent(s)) }
    }

    /// Decodes one row of `StoreSchema.selectEvents`. A row edited or damaged outside gwsim
    /// is an error naming the event and the column, never a trap or a silently wrong event.
    private func readEvent(_ s: SQLiteStatement) throws -> Event {
        let row = StoreRow(statement: s, path: path, seq: s.int64(0))
        let micros = try row.micros(1)
        switch try row.text(2) {
        case "resource":
            guard !s.isNull(3) else { throw row.corrupt(nil, "type is 'resource' but there is no resource_events row") }
            guard let action = ResourceChange.Action(rawValue: try row.text(3)) else { throw row.corrupt(3, "not applied or deleted") }
            guard let source = ResourceChange.Source(rawValue: try row.text(4)) else { throw row.corrupt(4, "not file, admin or import") }
            let change = ResourceChange(action: action, source: source, origin: s.text(5), objectJSON: try row.text(9),
                                        kind: try row.text(6), namespace: try row.text(7), name: try row.text(8))
            return Event(seq: row.seq, timeMicros: micros, body: .resource(change))
        case "request":
            guard !s.isNull(10) else { throw row.corrupt(nil, "type is 'request' but there is no request_events row") }
            let headers: [HeaderField]
            do { headers = try s.withBytes(17) { try Event.parseHeaders($0) } } catch { throw row.corrupt(17, "\(error)") }
            var observed: ObservedOutcome?
            if try row.integer(20) != 0 {
                observed = ObservedOutcome(route: s.text(21), rule: try row.optionalInt(22), backend: s.text(23), endpoint: s.text(24),
                                           status: try row.optionalInt(25), latencyMs: s.isNull(26) ? nil : s.double(26),
                                           bytesIn: try row.optionalInt(27), bytesOut: try row.optionalInt(28))
            }
            let port = try row.integer(12)
            guard Limits.ports.contains(port) else { throw row.corrupt(12, "\(port) is not a port number (0-65535)") }
            let record = RequestRecord(id: try row.text(10), client: try row.text(11), port: Int(port), scheme: try row.text(13),
                                       method: try row.text(14), host: try row.text(15), path: try row.text(16), headers: headers,
                                       gateway: s.text(18), sni: s.text(19), observed: observed)
            return Event(seq: row.seq, timeMicros: micros, body: .request(record))
        case let other:
            throw row.corrupt(2, "'\(other)' is not resource or request")
        }
    }
}

/// One row of `StoreSchema.selectEvents`, read column by column with the checks the
/// schema's types imply (SQLite itself stores any value in any column).
private struct StoreRow {
    let statement: SQLiteStatement
    let path: String
    let seq: Int64

    /// Column names in `StoreSchema.selectEvents` order, for messages.
    static let columns = ["seq", "time", "type", "action", "source", "origin", "kind", "namespace", "name", "object_json",
                          "request_id", "client", "port", "scheme", "method", "host", "path", "headers_json", "gateway", "sni",
                          "observed", "observed_route", "observed_rule", "observed_backend", "observed_endpoint",
                          "observed_status", "observed_latency_ms", "observed_bytes_in", "observed_bytes_out"]

    func corrupt(_ column: Int32?, _ message: String) -> EventLogError {
        .corruptStore(path: path, seq: seq, column: column.map { Self.columns[Int($0)] }, message: message)
    }

    func text(_ column: Int32) throws -> String {
        guard let text = statement.text(column) else { throw corrupt(column, "missing") }
        return text
    }

    func integer(_ column: Int32) throws -> Int64 {
        guard statement.type(column) == SQLITE_INTEGER else { throw corrupt(column, "not an integer") }
        return statement.int64(column)
    }

    func optionalInt(_ column: Int32) throws -> Int? {
        statement.isNull(column) ? nil : Int(try integer(column))
    }

    /// A time as `EventStore` writes it, seconds since the epoch in the range of event
    /// times, as microseconds.
    func micros(_ column: Int32) throws -> Int64 {
        let type = statement.type(column)
        guard type == SQLITE_FLOAT || type == SQLITE_INTEGER, let micros = EventTime.micros(inRangeSeconds: statement.double(column)) else {
            throw corrupt(column, "not a time in seconds since the epoch between 1970 and 2242")
        }
        return micros
    }
}
