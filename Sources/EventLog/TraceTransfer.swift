/// Moving events between an `EventStore` and trace files.

/// Writes the store's events with `since <= time <= until` to a new trace at `path`,
/// streaming (constant memory). Events keep their seqs. Returns the number written.
@discardableResult
public func exportTrace(store: EventStore, to path: String, since: Double? = nil, until: Double? = nil,
                        compressionLevel: Int32 = Limits.defaultCompressionLevel) throws -> Int {
    let writer = try TraceWriter(path: path, compressionLevel: compressionLevel)
    do {
        if let since {
            // A window that starts later needs the resources live at its start, or its
            // requests would replay against nothing: they come first, as `applied` events
            // at `since` (origin `state`, oldest first), and every event is renumbered.
            for (_, json) in try store.liveObjectsByAge(before: since) {
                let change = try ResourceChange(action: .applied, source: .file, origin: "state", objectJSON: json)
                try writer.write(Event(time: since, body: .resource(change)))
            }
            try store.events(since: since, until: until) { event in
                var event = event
                event.seq = nil
                try writer.write(event)
            }
        } else {
            try store.events(since: since, until: until) { try writer.write($0) }
        }
        try writer.close()
    } catch {
        try? writer.close()
        throw error
    }
    return writer.eventsWritten
}

/// Outcome of `importTrace`.
public struct TraceImportResult: Sendable, Equatable {
    /// Events added to the store.
    public var imported: Int
    /// Seqs given to them (nil when none was imported).
    public var seqs: ClosedRange<Int64>?
    /// How reading the trace ended; anything but `.complete` means only a prefix was imported.
    public var read: TraceReadResult
}

/// Appends every readable event of the trace at `path` to `store`.
///
/// - Events keep their original `time`, but get new seqs after the store's last one (seq
///   order in a store is the order of recording, and the store's own seqs must not collide).
/// - Resource events keep their `source`; their `origin` becomes `import:<path>`, followed by
///   `|<original origin>` when they had one, so provenance is never lost.
/// - One transaction for the whole import: an error (e.g. disk full) leaves the store as it
///   was. A truncated or damaged trace is not an error: its valid prefix is imported and the
///   reason is returned in `read.stopReason`.
public func importTrace(from path: String, into store: EventStore) throws -> TraceImportResult {
    let reader = try TraceReader(path: path)
    var imported = 0
    var first: Int64?
    var last: Int64?
    try store.transaction {
        while var event = reader.next() {
            event.seq = nil
            if case .resource(var r) = event.body {
                r.origin = "import:\(path)" + (r.origin.map { "|\($0)" } ?? "")
                event.body = .resource(r)
            }
            let seq = try store.insert(event)
            if first == nil { first = seq }
            last = seq
            imported += 1
        }
    }
    let seqs: ClosedRange<Int64>? = first.flatMap { f in last.map { f...$0 } }
    return TraceImportResult(imported: imported, seqs: seqs, read: reader.result)
}
