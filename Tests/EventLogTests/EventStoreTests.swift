import Foundation
import XCTest
@testable import EventLog

final class EventStoreTests: XCTestCase {
    func testCreateReopenWALAndSchema() throws {
        let dir = TempDir()
        let path = dir.path("log.db")
        do {
            let store = try EventStore(path: path)
            XCTAssertEqual(try store.journalMode(), "wal")
            XCTAssertEqual(try store.count(), 0)
            XCTAssertNil(try store.timeRange())
            XCTAssertEqual(try store.resourceState(at: 1e12), [:])
            XCTAssertEqual(try store.db.scalarText("SELECT schema FROM schema_version"), "gwsim.events/v1")
            XCTAssertEqual(try store.db.scalarInt("PRAGMA user_version"), 1)
            XCTAssertEqual(try store.db.scalarInt("PRAGMA synchronous"), 1)  // NORMAL
            XCTAssertEqual(try store.db.scalarInt("PRAGMA page_size"), Int64(Limits.storePageSize))
            try store.append(Fixtures.mixed(10))
        }
        let again = try EventStore(path: path)
        XCTAssertEqual(again.lastSeq, 10)
        XCTAssertEqual(try again.count(), 10)
        // A database that already has pages of another size keeps them.
        let older = dir.path("older.db")
        do {
            let c = try SQLiteConnection(path: older)
            try c.exec("PRAGMA page_size=4096")
            try c.exec("PRAGMA journal_mode=WAL")
        }
        do { try EventStore(path: older).append(Fixtures.mixed(5)) }
        let reopened = try EventStore(path: older)
        XCTAssertEqual(try reopened.db.scalarInt("PRAGMA page_size"), 4096)
        XCTAssertEqual(try reopened.count(), 5)
        // Not a store: a text file, and a foreign SQLite database.
        let junk = dir.path("junk.db")
        try "hello, not sqlite at all".padding(toLength: 4096, withPad: "x", startingAt: 0).write(toFile: junk, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EventStore(path: junk)) { XCTAssertTrue("\($0)".contains(junk), "\($0)") }
        let foreign = dir.path("foreign.db")
        let c = try SQLiteConnection(path: foreign)
        try c.exec("CREATE TABLE t(x)")
        XCTAssertThrowsError(try EventStore(path: foreign))
    }

    func testAppendQueryAndSeqRules() throws {
        let dir = TempDir()
        let store = try EventStore(path: dir.path("log.db"))
        var unassigned = Fixtures.mixed(100)
        for i in unassigned.indices { unassigned[i].seq = nil }
        XCTAssertEqual(try store.append(Array(unassigned[0..<50])), (1...50).map { Int64($0) })
        // Explicit seqs: kept when increasing (gaps allowed) ...
        var explicit = unassigned[50]
        explicit.seq = 100
        XCTAssertEqual(try store.append(explicit), 100)
        // ... and a batch with a bad one is rolled back entirely, earlier data untouched.
        var bad = Array(unassigned[51..<60])
        bad[5].seq = 3
        XCTAssertThrowsError(try store.append(bad)) { XCTAssertEqual($0 as? EventLogError, .seqNotIncreasing(seq: 3, last: 105)) }
        XCTAssertEqual(try store.count(), 51)
        XCTAssertEqual(store.lastSeq, 100)
        XCTAssertEqual(try store.append(Array(unassigned[51..<60])).first, 101)

        // The last possible seq: the next unassigned one is refused, not a trap.
        let edge = try EventStore(path: dir.path("edge.db"))
        var last = unassigned[0]
        last.seq = .max
        XCTAssertEqual(try edge.append(last), .max)
        XCTAssertThrowsError(try edge.append(unassigned[1])) { XCTAssertEqual($0 as? EventLogError, .seqNotIncreasing(seq: .min, last: .max)) }
        let writer = try TraceWriter(path: dir.path("edge.zst"))
        XCTAssertEqual(try writer.write(last), .max)
        XCTAssertThrowsError(try writer.write(unassigned[1])) { XCTAssertEqual($0 as? EventLogError, .seqNotIncreasing(seq: .min, last: .max)) }
        try writer.close()

        var all: [Event] = []
        try store.events { all.append($0) }
        XCTAssertEqual(all.count, 60)
        XCTAssertEqual(all.map { var e = $0; e.seq = nil; return e }, Array(unassigned[0..<60]))
        let range = try XCTUnwrap(try store.timeRange())
        XCTAssertEqual(range.first, unassigned[0].time)
        XCTAssertEqual(range.last, unassigned[59].time)

        var window: [Event] = []
        try store.events(since: unassigned[10].time, until: unassigned[20].time) { window.append($0) }
        XCTAssertEqual(window.map(\.timeMicros), unassigned[10...20].map(\.timeMicros))
    }

    func testRoundTripStoreTraceStore() throws {
        let dir = TempDir()
        let events = Fixtures.mixed(2000)
        let a = try EventStore(path: dir.path("a.db"), snapshotInterval: 50)
        try a.append(events)
        var fromA: [Event] = []
        try a.events { fromA.append($0) }
        XCTAssertEqual(fromA, events)

        let trace = dir.path("a.zst")
        XCTAssertEqual(try exportTrace(store: a, to: trace), 2000)
        XCTAssertEqual(try TraceReader.readAll(path: trace).0, events)

        let b = try EventStore(path: dir.path("b.db"))
        try b.append(Fixtures.mixed(3))  // existing events: import goes after them
        let result = try importTrace(from: trace, into: b)
        XCTAssertEqual(result.imported, 2000)
        XCTAssertEqual(result.seqs, 4...2003)
        XCTAssertEqual(result.read.stopReason, .complete)
        var fromB: [Event] = []
        try b.events { if $0.seq! > 3 { fromB.append($0) } }
        XCTAssertEqual(fromB.count, 2000)
        for (x, y) in zip(fromB, events) {
            XCTAssertEqual(x.timeMicros, y.timeMicros)
            XCTAssertEqual(x.seq, y.seq! + 3)
            switch (x.body, y.body) {
            case let (.resource(r1), .resource(r2)):
                XCTAssertEqual(r1.origin, "import:\(trace)" + (r2.origin.map { "|\($0)" } ?? ""))
                XCTAssertEqual(r1.source, r2.source)
                XCTAssertEqual(r1.objectJSON, r2.objectJSON)
            case let (.request(q1), .request(q2)):
                XCTAssertEqual(q1, q2)
            default:
                XCTFail("type mismatch")
            }
        }
        // Time-window export: the objects live at the window's start first, oldest first, then
        // the window's 100 events, numbered from 1.
        let window = dir.path("w.zst")
        let since = events[100].time
        let live = try a.resourceState(at: events[99].time)
        let written = try exportTrace(store: a, to: window, since: since, until: events[199].time)
        XCTAssertEqual(written, live.count + 100)
        let (read, _) = try TraceReader.readAll(path: window)
        let state = read.prefix(live.count)
        XCTAssertTrue(state.allSatisfy { $0.resource?.action == .applied && $0.resource?.origin == "state" && $0.time == since })
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: state.compactMap { $0.resource.map { ($0.key, $0.objectJSON) } }), live)
        XCTAssertEqual(read.map(\.seq), (1...Int64(written)).map { Optional($0) })
        XCTAssertEqual(read.dropFirst(live.count).map(\.body), events[100..<200].map(\.body))
    }

    /// Text is bound from the statement's arena while it fits and copied by SQLite once it
    /// does not: rows mixing both, and empty strings (stored as '', not NULL), read back intact.
    func testTextsLongerThanTheBindArenaRoundTrip() throws {
        let dir = TempDir()
        let store = try EventStore(path: dir.path("log.db"))
        var events: [Event] = []
        for i in 0..<6 {
            var event = Fixtures.request(i)
            guard case .request(var record) = event.body else { return XCTFail("not a request") }
            let long = String(repeating: "v\(i)", count: (Limits.sqliteBindArenaBytes / 2) * (i % 3))
            record.headers.append(HeaderField("x-long", long))
            record.path = i == 4 ? "/" + String(repeating: "p", count: Limits.sqliteBindArenaBytes) : record.path
            record.host = i == 5 ? "" : record.host
            event.body = .request(record)
            events.append(event)
        }
        var big = Fixtures.resource(1)
        guard case .resource(let change) = big.body else { return XCTFail("not a resource") }
        let padded = change.objectJSON.replacingOccurrences(of: "\"gen\"", with: "\"pad\": \"\(String(repeating: "x", count: Limits.sqliteBindArenaBytes))\", \"gen\"")
        big.body = .resource(try ResourceChange(action: .applied, source: .file, origin: change.origin, objectJSON: padded))
        events.append(big)
        try store.append(events)
        var read: [Event] = []
        try store.events { read.append($0) }
        XCTAssertEqual(read.count, events.count)
        for (got, want) in zip(read, events) { XCTAssertEqual(got.body, want.body) }
        XCTAssertEqual(try store.db.scalarInt("SELECT count(*) FROM request_events WHERE host = ''"), 1)
    }

    /// Runs of `Limits.requestRowsPerInsert` request events go in with one statement per
    /// table: their seqs (given, with gaps, or assigned), every column, texts past the bind
    /// arena, and the all-or-nothing rule read back as for rows inserted one at a time.
    func testRunsOfRequestsInsertedTogetherRoundTrip() throws {
        let dir = TempDir()
        let store = try EventStore(path: dir.path("log.db"))
        let run = Limits.requestRowsPerInsert
        var events = (0..<(2 * run + 3)).map { Fixtures.request($0, observed: $0 % 4 != 0) }
        events.append(Fixtures.resource(1))
        for i in 0..<(run + 1) {
            var event = Fixtures.request(100 + i)
            event.seq = Int64(1_000 + 3 * i)
            if i == 5, case .request(var record) = event.body {
                record.headers.append(HeaderField("x-long", String(repeating: "z", count: Limits.sqliteBindArenaBytes)))
                event.body = .request(record)
            }
            events.append(event)
        }
        let seqs = try store.append(events)
        XCTAssertEqual(Array(seqs.prefix(2 * run + 4)), (1...Int64(2 * run + 4)).map { $0 })
        XCTAssertEqual(Array(seqs.suffix(run + 1)), (0...run).map { Int64(1_000 + 3 * $0) })
        var read: [Event] = []
        try store.events { read.append($0) }
        XCTAssertEqual(read.map(\.seq), seqs.map { Optional($0) })
        XCTAssertEqual(read.map(\.body), events.map(\.body))
        XCTAssertEqual(read.map(\.timeMicros), events.map(\.timeMicros))

        // A seq that does not increase inside a run: nothing of the batch is kept.
        var bad = (0..<run).map { Fixtures.request(200 + $0) }
        bad[run / 2].seq = 7
        XCTAssertThrowsError(try store.append(bad)) {
            XCTAssertEqual($0 as? EventLogError, .seqNotIncreasing(seq: 7, last: Int64(1_000 + 3 * run + run / 2)))
        }
        XCTAssertEqual(try store.count(), events.count)
        XCTAssertEqual(try store.append(Array(bad[0..<(run / 2)])).first, Int64(1_001 + 3 * run))

        // A row SQLite itself refuses inside a run (a seq another writer took): the whole
        // batch is undone, the rows before it stay, and the store goes on.
        let before = try store.count()
        let taken = store.lastSeq + 5
        try SQLiteConnection(path: dir.path("log.db"))
            .exec("INSERT INTO events (seq, time, time_text, type) VALUES (\(taken), 0, '1970-01-01T00:00:00Z', 'request')")
        let clash = (0..<(2 * run)).map { Fixtures.request(300 + $0) }
        XCTAssertThrowsError(try store.append(clash)) { XCTAssertTrue("\($0)".contains("UNIQUE"), "\($0)") }
        XCTAssertEqual(try store.count(), before + 1)
        XCTAssertEqual(try store.db.scalarInt("SELECT count(*) FROM request_events WHERE seq > \(taken - 5)"), 0)
        XCTAssertEqual(try store.append(Array(clash[0..<4])).last, taken - 1)
    }

    /// Snapshot-based state must equal a full replay at many times, including out-of-order
    /// times (as after an import of an older trace).
    func testSnapshotStateEqualsFullReplay() throws {
        let dir = TempDir()
        let store = try EventStore(path: dir.path("s.db"), snapshotInterval: 17)
        var events = Fixtures.mixed(1500, objects: 30)
        // Second half: older times (an "import"), interleaved.
        for i in 750..<1500 { events[i].timeMicros = events[i - 740].timeMicros + 333 }
        for chunk in stride(from: 0, to: events.count, by: 97) {
            try store.append(Array(events[chunk..<min(chunk + 97, events.count)]))
        }
        XCTAssertGreaterThan(try store.snapshotCount(), 10)

        func replay(at t: Double) -> [String: String] {
            var state: [String: String] = [:]
            for e in events where e.time <= t {
                guard let r = e.resource else { continue }
                state[r.key] = r.action == .applied ? r.objectJSON : nil
            }
            return state
        }
        let times = events.map(\.time)
        var checks = [times.min()! - 1, times.max()! + 1]
        for k in stride(from: 0, to: events.count, by: 23) { checks.append(times[k]); checks.append(times[k] - 0.0000005) }
        for t in checks {
            XCTAssertEqual(try store.resourceState(at: t), replay(at: t), "t=\(t)")
        }
        // Reopen: live state is rebuilt from snapshots and appends continue correctly.
        let reopened = try EventStore(path: dir.path("s.db"), snapshotInterval: 17)
        var more = Fixtures.mixed(200, objects: 30)
        for i in more.indices { more[i].seq = nil; more[i].timeMicros += 10_000_000_000 }
        try reopened.append(more)
        events += more
        XCTAssertEqual(try reopened.resourceState(at: 1e12), replay(at: 1e12))
    }

    func testFailedAppendKeepsEarlierData() throws {
        let dir = TempDir()
        let store = try EventStore(path: dir.path("f.db"), snapshotInterval: 5)
        try store.append(Fixtures.mixed(40))
        let before = try store.resourceState(at: 1e12)
        var batch = Fixtures.mixed(80).suffix(40).map { $0 }
        batch[39].seq = 1  // fails at the end, after snapshots were written inside the batch
        XCTAssertThrowsError(try store.append(batch))
        XCTAssertEqual(try store.count(), 40)
        XCTAssertEqual(try store.resourceState(at: 1e12), before)
        batch[39].seq = 80
        try store.append(batch)
        XCTAssertEqual(try store.count(), 80)
    }

    /// A row edited outside gwsim is reported with its event and column, after every
    /// event before it was delivered; no value SQLite lets a column hold traps.
    func testEditedRowsAreReportedByEventAndColumn() throws {
        let dir = TempDir()
        let edits: [(sql: String, seq: Int64, column: String?)] = [
            ("UPDATE request_events SET headers_json = '[[1,2]]' WHERE seq = 2", 2, "headers_json"),
            ("UPDATE request_events SET port = 70000 WHERE seq = 3", 3, "port"),
            ("UPDATE request_events SET port = 'eighty' WHERE seq = 3", 3, "port"),
            ("UPDATE events SET time = 'noon' WHERE seq = 4", 4, "time"),
            ("UPDATE events SET time = 1e300 WHERE seq = 4", 4, "time"),
            ("UPDATE request_events SET observed_status = 'ok' WHERE seq = 5", 5, "observed_status"),
            ("UPDATE events SET type = 'request' WHERE seq = 1", 1, nil),
            ("DELETE FROM resource_events WHERE seq = 6", 6, nil),
        ]
        for (index, edit) in edits.enumerated() {
            let store = try EventStore(path: dir.path("edited-\(index).db"))
            try store.append(Fixtures.mixed(10))
            try store.db.exec(edit.sql)
            var delivered: [Int64] = []
            XCTAssertThrowsError(try store.events { delivered.append($0.seq!) }, edit.sql) { error in
                guard case let .corruptStore(path, seq, column, _) = error as? EventLogError else {
                    return XCTFail("\(edit.sql): \(error)")
                }
                XCTAssertEqual(path, store.path)
                XCTAssertEqual(seq, edit.seq, edit.sql)
                XCTAssertEqual(column, edit.column, edit.sql)
                XCTAssertTrue("\(error)".hasPrefix("\(store.path): event \(edit.seq): "), "\(error)")
            }
            XCTAssertEqual(delivered, Array(1..<edit.seq), edit.sql)
        }
    }

    /// Snapshots only save work: one damaged outside gwsim is passed over, the state
    /// comes out the same from the events, and appending goes on.
    func testDamagedSnapshotIsPassedOver() throws {
        let dir = TempDir()
        let path = dir.path("snap.db")
        let expected: [String: String]
        do {
            let store = try EventStore(path: path, snapshotInterval: 5)
            try store.append(Fixtures.mixed(100))
            XCTAssertGreaterThan(try store.snapshotCount(), 2)
            expected = try store.resourceState(at: 1e12)
            try store.db.exec("UPDATE snapshots SET state_json = '[1' WHERE seq = (SELECT max(seq) FROM snapshots)")
            try store.db.exec("UPDATE snapshots SET state_json = 'not json' WHERE seq = (SELECT min(seq) FROM snapshots)")
            XCTAssertEqual(try store.resourceState(at: 1e12), expected)
        }
        let reopened = try EventStore(path: path, snapshotInterval: 5)
        XCTAssertEqual(try reopened.resourceState(at: 1e12), expected)
        var more = Fixtures.mixed(200).suffix(100).map { $0 }
        for i in more.indices { more[i].seq = nil }
        try reopened.append(more)
        XCTAssertEqual(try reopened.count(), 200)
    }
}
