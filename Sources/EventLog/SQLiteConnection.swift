import CSQLite

/// `SQLITE_TRANSIENT`: SQLite copies bound text before the call returns, so Swift buffers
/// only need to live for the duration of the bind.
private var transient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }

/// `SQLITE_STATIC`: SQLite reads bound text where it is, until the statement is reset.
private var staticText: sqlite3_destructor_type? { nil }

/// Process-wide SQLite settings, applied once before the first connection opens (SQLite
/// accepts them only before it initializes).
private let sqliteConfigured: Void = { _ = gwsim_sqlite3_disable_memstatus() }()

/// A thin wrapper over one `sqlite3*` handle: every failure becomes an `EventLogError`
/// carrying the file path and SQLite's own message.
final class SQLiteConnection {
    let path: String
    let db: OpaquePointer

    init(path: String) throws {
        _ = sqliteConfigured
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close_v2(handle) }
            throw EventLogError.sqlite(path: path, code: rc, message: message, context: "open")
        }
        self.path = path
        self.db = handle
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, Limits.sqliteBusyTimeoutMs)
    }

    deinit { sqlite3_close_v2(db) }

    func error(_ rc: Int32, _ context: String) -> EventLogError {
        .sqlite(path: path, code: rc, message: String(cString: sqlite3_errmsg(db)), context: context)
    }

    /// Runs one or more statements that return no rows of interest.
    func exec(_ sql: String) throws {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let message = errmsg.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(errmsg)
            throw EventLogError.sqlite(path: path, code: rc, message: message, context: sql)
        }
    }

    func prepare(_ sql: String) throws -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, "prepare: \(sql)") }
        return SQLiteStatement(connection: self, stmt: stmt, sql: sql)
    }

    /// First column of the first row as text (e.g. `PRAGMA journal_mode`).
    func scalarText(_ sql: String) throws -> String? {
        let s = try prepare(sql)
        return try s.step() ? s.text(0) : nil
    }

    func scalarInt(_ sql: String) throws -> Int64? {
        let s = try prepare(sql)
        return try s.step() && !s.isNull(0) ? s.int64(0) : nil
    }

    var changes: Int { Int(sqlite3_changes(db)) }
}

/// A prepared statement, reused across rows of a batch (prepare once, bind, step, reset).
///
/// Text is bound from a buffer the statement owns (`arena`) rather than copied by SQLite:
/// a copying bind costs SQLite an allocation and a free per value, and an event store
/// binds a dozen texts per recorded request. The buffer is never reallocated, bound
/// values stay put until `reset()` empties it, and a value that does not fit is bound
/// the copying way.
final class SQLiteStatement {
    unowned let connection: SQLiteConnection
    let stmt: OpaquePointer
    let sql: String
    private var arena: UnsafeMutableRawBufferPointer?
    private var arenaUsed = 0

    init(connection: SQLiteConnection, stmt: OpaquePointer, sql: String) {
        self.connection = connection
        self.stmt = stmt
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(stmt)
        arena?.deallocate()
    }

    private func check(_ rc: Int32) throws {
        if rc != SQLITE_OK { throw connection.error(rc, "bind: \(sql)") }
    }

    /// Text length as SQLite's Int32, refusing (not trapping on) anything larger.
    private func length(_ count: Int) throws -> Int32 {
        guard let n = Int32(exactly: count) else {
            throw EventLogError.sqlite(path: connection.path, code: SQLITE_TOOBIG, message: "text of \(count) bytes is too big", context: sql)
        }
        return n
    }

    func bind(_ index: Int32, _ value: Int64?) throws {
        if let value { try check(sqlite3_bind_int64(stmt, index, value)) } else { try check(sqlite3_bind_null(stmt, index)) }
    }

    func bind(_ index: Int32, _ value: Int?) throws { try bind(index, value.map(Int64.init)) }

    func bind(_ index: Int32, _ value: Double?) throws {
        if let value { try check(sqlite3_bind_double(stmt, index, value)) } else { try check(sqlite3_bind_null(stmt, index)) }
    }

    func bind(_ index: Int32, _ value: String?) throws {
        guard var value else { return try check(sqlite3_bind_null(stmt, index)) }
        try value.withUTF8 { try bindText(index, UnsafeRawBufferPointer($0)) }
    }

    func bind(_ index: Int32, bytesAsText bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try bindText(index, $0) }
    }

    /// Binds `text` from the arena when it fits there, else lets SQLite copy it.
    private func bindText(_ index: Int32, _ text: UnsafeRawBufferPointer) throws {
        let count = try length(text.count)
        if arena == nil { arena = .allocate(byteCount: Limits.sqliteBindArenaBytes, alignment: 1) }
        if let arena, text.count <= arena.count - arenaUsed {
            // A non-null pointer even for "", so SQLite stores '' rather than NULL.
            let start = arena.baseAddress! + arenaUsed
            if let source = text.baseAddress { start.copyMemory(from: source, byteCount: text.count) }
            arenaUsed += text.count
            try check(sqlite3_bind_text(stmt, index, start.assumingMemoryBound(to: CChar.self), count, staticText))
        } else {
            let base = text.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
            try check(sqlite3_bind_text(stmt, index, base.assumingMemoryBound(to: CChar.self), count, transient))
        }
    }

    /// Advances; true when a row is available, false when done.
    func step() throws -> Bool {
        let rc = sqlite3_step(stmt)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(rc, sql)
        }
    }

    /// Resets for the next execution and clears bindings, after which the arena is reused.
    func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
        arenaUsed = 0
    }

    func isNull(_ col: Int32) -> Bool { sqlite3_column_type(stmt, col) == SQLITE_NULL }
    /// The storage class of the value (SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, ...).
    func type(_ col: Int32) -> Int32 { sqlite3_column_type(stmt, col) }
    func int64(_ col: Int32) -> Int64 { sqlite3_column_int64(stmt, col) }
    func double(_ col: Int32) -> Double { sqlite3_column_double(stmt, col) }

    func text(_ col: Int32) -> String? {
        guard let p = sqlite3_column_text(stmt, col) else { return nil }
        let n = Int(sqlite3_column_bytes(stmt, col))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// Column bytes without creating a String (valid until the next step/reset).
    func withBytes<R>(_ col: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let p = sqlite3_column_text(stmt, col)
        let n = Int(sqlite3_column_bytes(stmt, col))
        return try body(UnsafeBufferPointer(start: p, count: p == nil ? 0 : n))
    }
}
