import EventLog
import Foundation
import GatewayAPI

/// The log is the source of truth: a proxy started on an existing event log rebuilds its
/// configuration from the log's resource state before anything else is applied.
public enum LogBootstrap {
    public struct Result: Sendable {
        /// Live objects, oldest first (so load order, the tie-breaker of route precedence,
        /// is the order they were first applied in).
        public var objects: [LoadedObject]
        /// Objects that failed to decode (skipped), one line each.
        public var warnings: [String]
    }

    /// The objects live in `store` at `time` (default: after every event).
    public static func rebuild(store: EventStore, at time: Double = .greatestFiniteMagnitude) throws -> Result {
        let state = try store.resourceState(at: time)
        guard !state.isEmpty else { return Result(objects: [], warnings: []) }
        // Age of each live object: when it was first applied (a re-apply keeps its age,
        // as in ResourceSet; a delete forgets it).
        var age: [String: Int] = [:]
        var next = 0
        try store.events(until: time) { event in
            guard let change = event.resource else { return }
            switch change.action {
            case .applied:
                if age[change.key] == nil { age[change.key] = next; next += 1 }
            case .deleted:
                age[change.key] = nil
            }
        }
        var result = Result(objects: [], warnings: [])
        let keys = state.keys.sorted { (age[$0] ?? Int.max, $0) < (age[$1] ?? Int.max, $1) }
        for (order, key) in keys.enumerated() {
            let location = SourceLocation(file: "\(store.path) state", line: 0)
            do {
                let value = try Value.parseJSON(state[key]!)
                let (object, diagnostics) = Loader.decode(value, location: location, loadOrder: order)
                if let object { result.objects.append(object) } else if let error = diagnostics.first(where: { $0.severity == .error }) {
                    result.warnings.append("\(key): \(error.message)")
                }
            } catch {
                result.warnings.append("\(key): \(error)")
            }
        }
        return result
    }
}
