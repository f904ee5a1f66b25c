/// Resource state: the set of live objects, keyed `Kind/namespace/name` (or `Kind/name`),
/// each as compact JSON.
///
/// The store writes a snapshot every `snapshotInterval` resource events. A snapshot at seq S
/// is the state after applying, in seq order, every resource event with seq <= S. Its `time`
/// is the *latest* time of any event with seq <= S (a high-water mark), because imported
/// traces keep their original times and so time need not grow with seq. That makes the
/// rule for `resourceState(at:)` exact: a snapshot with time <= T contains only events at or
/// before T, and the events it lacks are exactly those with seq > S and time <= T.
extension EventStore {
    /// Objects live at `time`: every resource event with `time <= T`, applied in seq order.
    /// Starts from the latest usable snapshot and replays only the resource events after it.
    public func resourceState(at time: Double) throws -> [String: String] {
        let snap = try db.prepare("SELECT seq, state_json FROM snapshots WHERE time <= ?1 ORDER BY seq DESC")
        try snap.bind(1, time)
        let latest = try Snapshots.latestReadable(snap)
        var state = latest.state
        let replay = try db.prepare("""
            SELECT r.action, r.kind, r.namespace, r.name, r.object_json
            FROM resource_events r JOIN events e ON e.seq = r.seq
            WHERE r.seq > ?1 AND e.time <= ?2 ORDER BY r.seq
            """)
        try replay.bind(1, latest.seq)
        try replay.bind(2, time)
        try Snapshots.apply(replay, to: &state)
        return state
    }

    /// The objects live just before `time` (every resource event with time < T, in seq
    /// order), oldest first: ordered by the seq of the event that created each (its first
    /// `applied` since it was last deleted), which is the age replay gives recorded objects.
    /// Scans the resource events, not the requests.
    public func liveObjectsByAge(before time: Double) throws -> [(key: String, json: String)] {
        let rows = try db.prepare("""
            SELECT r.seq, r.action, r.kind, r.namespace, r.name, r.object_json
            FROM resource_events r JOIN events e ON e.seq = r.seq
            WHERE e.time < ?1 ORDER BY r.seq
            """)
        try rows.bind(1, time)
        var live: [String: (created: Int64, json: String)] = [:]
        while try rows.step() {
            let key = ResourceChange.key(kind: rows.text(2) ?? "", namespace: rows.text(3) ?? "", name: rows.text(4) ?? "")
            if rows.text(1) == ResourceChange.Action.applied.rawValue {
                live[key] = (live[key]?.created ?? rows.int64(0), rows.text(5) ?? "{}")
            } else {
                live[key] = nil
            }
        }
        return live.sorted { ($0.value.created, $0.key) < ($1.value.created, $1.key) }.map { ($0.key, $0.value.json) }
    }

    /// The objects live after the store's last event (in seq order, whatever the times).
    public func liveState() throws -> [String: String] { try loadState(throughSeq: lastSeq) }

    /// State after every resource event with seq <= `seq` (regardless of time): the store's
    /// live state, rebuilt from the latest snapshot when first needed.
    func loadState(throughSeq seq: Int64) throws -> [String: String] {
        let snap = try db.prepare("SELECT seq, state_json FROM snapshots WHERE seq <= ?1 ORDER BY seq DESC")
        try snap.bind(1, seq)
        let latest = try Snapshots.latestReadable(snap)
        var state = latest.state
        let replay = try db.prepare("""
            SELECT action, kind, namespace, name, object_json FROM resource_events
            WHERE seq > ?1 AND seq <= ?2 ORDER BY seq
            """)
        try replay.bind(1, latest.seq)
        try replay.bind(2, seq)
        try Snapshots.apply(replay, to: &state)
        return state
    }
}

enum Snapshots {
    /// `[obj,obj,…]` sorted by key, so equal states give identical text.
    static func encode(_ state: [String: String]) -> [UInt8] {
        var out: [UInt8] = [0x5B]
        for (i, key) in state.keys.sorted().enumerated() {
            if i > 0 { out.append(0x2C) }
            var object = state[key]!
            object.withUTF8 { out.append(contentsOf: $0) }
        }
        out.append(0x5D)
        return out
    }

    static func decode(_ json: UnsafeBufferPointer<UInt8>) throws -> [String: String] {
        var s = JSONScanner(json)
        var state: [String: String] = [:]
        try s.beginArray()
        var first = true
        var object: [UInt8] = []
        while try s.nextElement(&first) {
            object.removeAll(keepingCapacity: true)
            try s.readCompactValue(into: &object)
            let identity = try object.withUnsafeBufferPointer { try ObjectIdentity.identify($0) }
            state[identity.key] = String(decoding: object, as: UTF8.self)
        }
        try s.expectEnd()
        return state
    }

    /// The first snapshot of `rows` (`seq, state_json`, newest first) that decodes, or
    /// the empty state before seq 1. A snapshot only saves replaying the resource events
    /// before it, so one damaged outside gwsim is passed over, not an error: the state
    /// comes out the same from an older one, and recording goes on.
    static func latestReadable(_ rows: SQLiteStatement) throws -> (seq: Int64, state: [String: String]) {
        while try rows.step() {
            if let state = try? rows.withBytes(1, { try decode($0) }) { return (rows.int64(0), state) }
        }
        return (0, [:])
    }

    /// Applies rows `(action, kind, namespace, name, object_json)` in order.
    static func apply(_ rows: SQLiteStatement, to state: inout [String: String]) throws {
        while try rows.step() {
            let key = ResourceChange.key(kind: rows.text(1) ?? "", namespace: rows.text(2) ?? "", name: rows.text(3) ?? "")
            if rows.text(0) == ResourceChange.Action.applied.rawValue {
                state[key] = rows.text(4) ?? "{}"
            } else {
                state[key] = nil
            }
        }
    }
}
