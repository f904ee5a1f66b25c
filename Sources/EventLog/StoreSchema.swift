/// The SQLite layout of an `EventStore` (`PRAGMA user_version = 1`, schema `gwsim.events/v1`).
///
/// Three tables rather than one wide one: `events` holds what every event has (seq, time,
/// type), and each family keeps its own columns in `resource_events` / `request_events`,
/// so a `sqlite3` user sees no column that is always NULL for half the rows. The views
/// `resource_changes` and `requests` join them back for reading. docs/events.md has examples.
enum StoreSchema {
    static let createV1 = """
    CREATE TABLE schema_version (
        schema  TEXT NOT NULL,   -- 'gwsim.events/v1'
        created TEXT NOT NULL    -- RFC 3339, when this store was created
    );
    CREATE TABLE events (
        seq       INTEGER PRIMARY KEY,   -- strictly increasing log position
        time      REAL NOT NULL,         -- seconds since the Unix epoch (microsecond precision)
        time_text TEXT NOT NULL,         -- the same instant, RFC 3339 UTC
        type      TEXT NOT NULL CHECK (type IN ('resource', 'request'))
    );
    CREATE INDEX events_by_time ON events(time);
    CREATE TABLE resource_events (
        seq         INTEGER PRIMARY KEY REFERENCES events(seq),
        action      TEXT NOT NULL CHECK (action IN ('applied', 'deleted')),
        source      TEXT NOT NULL CHECK (source IN ('file', 'admin', 'import')),
        origin      TEXT,                -- e.g. file path, 'import:<trace>'
        kind        TEXT NOT NULL,
        namespace   TEXT NOT NULL,       -- '' for cluster-scoped objects
        name        TEXT NOT NULL,
        object_json TEXT NOT NULL        -- the whole object, compact JSON
    );
    CREATE INDEX resource_events_by_object ON resource_events(kind, namespace, name);
    CREATE TABLE request_events (
        seq                 INTEGER PRIMARY KEY REFERENCES events(seq),
        request_id          TEXT NOT NULL,
        client              TEXT NOT NULL,   -- ip:port
        port                INTEGER NOT NULL, -- listener port
        scheme              TEXT NOT NULL,
        method              TEXT NOT NULL,
        host                TEXT NOT NULL,
        path                TEXT NOT NULL,   -- with query
        headers_json        TEXT NOT NULL,   -- [["name","value"],...] in arrival order
        gateway             TEXT,            -- ns/name
        sni                 TEXT,
        observed            INTEGER NOT NULL, -- 1 when an observed outcome was recorded
        observed_route      TEXT,            -- Kind/ns/name
        observed_rule       INTEGER,
        observed_backend    TEXT,            -- ns/name:port
        observed_endpoint   TEXT,            -- ip:port
        observed_status     INTEGER,
        observed_latency_ms REAL,
        observed_bytes_in   INTEGER,
        observed_bytes_out  INTEGER
    );
    CREATE INDEX request_events_by_request_id ON request_events(request_id);
    CREATE TABLE snapshots (
        seq          INTEGER PRIMARY KEY,  -- state after every resource event with seq <= this
        time         REAL NOT NULL,        -- latest event time among seq <= this (see docs)
        time_text    TEXT NOT NULL,
        object_count INTEGER NOT NULL,
        state_json   TEXT NOT NULL         -- JSON array of the live objects, sorted by key
    );
    CREATE INDEX snapshots_by_time ON snapshots(time);
    CREATE VIEW resource_changes AS
        SELECT e.seq, e.time_text AS time, e.time AS time_seconds, r.action, r.kind, r.namespace, r.name,
               r.source, r.origin, r.object_json
        FROM events e JOIN resource_events r ON r.seq = e.seq;
    CREATE VIEW requests AS
        SELECT e.seq, e.time_text AS time, e.time AS time_seconds, q.request_id, q.client, q.port, q.scheme,
               q.method, q.host, q.path, q.gateway, q.sni,
               q.observed_route AS route, q.observed_rule AS rule, q.observed_backend AS backend,
               q.observed_endpoint AS endpoint, q.observed_status AS status,
               q.observed_latency_ms AS latency_ms, q.observed_bytes_in AS bytes_in,
               q.observed_bytes_out AS bytes_out, q.headers_json
        FROM events e JOIN request_events q ON q.seq = e.seq;
    """

    static let insertEvent = insertEvents(rows: 1)
    static let insertResource = """
    INSERT INTO resource_events (seq, action, source, origin, kind, namespace, name, object_json)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
    """
    static let insertRequest = insertRequests(rows: 1)

    /// Parameters of one row of `insertEvent` and of `insertRequest`.
    static let eventColumns = 4
    static let requestColumns = 20

    /// `insertEvent` for `rows` rows at once, numbered on: row r's parameters are
    /// `r * eventColumns + 1 ...`.
    static func insertEvents(rows: Int) -> String {
        "INSERT \(orRollback(rows))INTO events (seq, time, time_text, type) VALUES " + values(rows: rows, columns: eventColumns)
    }

    /// `insertRequest` for `rows` rows at once, numbered as `insertEvents`.
    static func insertRequests(rows: Int) -> String {
        """
        INSERT \(orRollback(rows))INTO request_events (seq, request_id, client, port, scheme, method, host, path, headers_json, gateway, sni,
            observed, observed_route, observed_rule, observed_backend, observed_endpoint, observed_status,
            observed_latency_ms, observed_bytes_in, observed_bytes_out)
        VALUES
        """ + " " + values(rows: rows, columns: requestColumns)
    }

    /// A statement of several rows that may fail midway keeps a statement journal to undo
    /// its own rows, which with 16 KiB pages spilled to a temporary file: about 6 KiB
    /// written per recorded request. A failure rolls the whole transaction back anyway
    /// (`EventStore.transaction`), so these statements say so and need no journal.
    private static func orRollback(_ rows: Int) -> String { rows > 1 ? "OR ROLLBACK " : "" }

    private static func values(rows: Int, columns: Int) -> String {
        (0..<rows).map { row in "(" + (1...columns).map { "?\(row * columns + $0)" }.joined(separator: ", ") + ")" }
            .joined(separator: ", ")
    }
    static let insertSnapshot = """
    INSERT INTO snapshots (seq, time, time_text, object_count, state_json) VALUES (?1, ?2, ?3, ?4, ?5)
    """

    /// Column list shared by the event queries (order matters: see `EventStore.readEvent`).
    static let selectEvents = """
    SELECT e.seq, e.time, e.type,
           r.action, r.source, r.origin, r.kind, r.namespace, r.name, r.object_json,
           q.request_id, q.client, q.port, q.scheme, q.method, q.host, q.path, q.headers_json, q.gateway, q.sni,
           q.observed, q.observed_route, q.observed_rule, q.observed_backend, q.observed_endpoint,
           q.observed_status, q.observed_latency_ms, q.observed_bytes_in, q.observed_bytes_out
    FROM events e
    LEFT JOIN resource_events r ON r.seq = e.seq
    LEFT JOIN request_events q ON q.seq = e.seq
    """
}
