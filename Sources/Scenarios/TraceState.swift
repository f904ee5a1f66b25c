import EventLog

/// The resources as they stood at a time, rebuilt from a trace file.
///
/// Streams the trace and keeps only the current object map (key -> object JSON), so memory
/// is bounded by the number of live objects, not the length of the trace. Same rule as
/// `EventStore.resourceState(at:)`: apply, in seq order, every resource event with time <= T.
/// (Kept here rather than in EventLog because only the CLI and the scenario tests need it.)
public enum TraceState {
    public static func replay(trace path: String, atMicros: Int64? = nil) throws -> (objects: [String: String], read: TraceReadResult) {
        let reader = try TraceReader(path: path)
        var objects: [String: String] = [:]
        while let event = reader.next() {
            guard case .resource(let change) = event.body else { continue }
            if let atMicros, event.timeMicros > atMicros { continue }
            switch change.action {
            case .applied: objects[change.key] = change.objectJSON
            case .deleted: objects[change.key] = nil
            }
        }
        return (objects, reader.result)
    }
}
