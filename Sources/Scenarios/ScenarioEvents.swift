import EventLog
import Foundation
import GatewayAPI

/// The events of a scenario run, in trace order, produced lazily: first the initial state
/// (one `applied` event per manifest object, at the start time), then the requests with the
/// timed changes slotted in by time. Only the manifests are held in memory, never the
/// requests, so 10 million requests need no more memory than 10.
public struct ScenarioEvents: Sequence, IteratorProtocol {
    public let requestCount: Int
    let sampler: RequestSampler
    var clock: ArrivalClock
    /// Initial state then, per timed change, its resource events (already loaded).
    var initial: [ResourceChange]
    var timed: [(micros: Int64, changes: [ResourceChange])]
    let startMicros: Int64
    var initialIndex = 0
    var timedIndex = 0
    var timedChangeIndex = 0
    var nextRequest = 0
    var pendingRequestTime: Int64?
    /// Events returned so far: the next one's `seq` is one more.
    var returned: Int64 = 0
    /// True when the arrivals ran past the latest time a trace holds and the requests
    /// stopped there (`Generator` turns it into an error).
    public private(set) var ranPastLatestTime = false

    /// Loads every manifest of the scenario (initial and timed); a loader error is thrown as a
    /// `ScenarioError` carrying the loader's messages.
    public init(scenario: Scenario, seed: UInt64, requests: Int? = nil) throws {
        let base = (scenario.file as NSString).deletingLastPathComponent
        initial = try Self.applied(paths: scenario.manifests, scenario: scenario, base: base, what: "manifests")
        timed = []
        // What exists when each change happens (changes are in time order): a delete of
        // anything else is a typo that would otherwise leave the traffic silently unchanged.
        var live = Set(initial.map(Self.identity))
        for change in scenario.changes {
            switch change.action {
            case .apply(let paths):
                let changes = try Self.applied(paths: paths, scenario: scenario, base: base, what: "changes")
                live.formUnion(changes.map(Self.identity))
                timed.append((change.timeMicros, changes))
            case .delete(let refs):
                let origin = "\((scenario.file as NSString).lastPathComponent):\(change.line)"
                let changes = try refs.map { try ManifestEvents.deletion($0, source: .file, origin: origin) }
                for (ref, deletion) in zip(refs, changes) where live.remove(Self.identity(deletion)) == nil {
                    let what = ref.namespace.isEmpty ? "\(ref.kind) \(ref.name)" : "\(ref.kind) \(ref.namespace)/\(ref.name)"
                    throw ScenarioError(file: scenario.file, line: change.line, field: "changes",
                                        "delete \(what): no such object exists at \(EventTime.format(micros: change.timeMicros)) (not in the manifests, or already deleted)")
                }
                timed.append((change.timeMicros, changes))
            }
        }
        requestCount = requests ?? scenario.traffic.requests
        // The mean arrival of the last request; past it the draws would leave the time range.
        let lastArrival = Double(scenario.traffic.startMicros) + Double(requestCount) * 1_000_000 / scenario.traffic.rate
        guard lastArrival <= Double(Limits.maxTimeMicros) else { throw Self.pastLatestTime(scenario, requests: requestCount) }
        sampler = RequestSampler(traffic: scenario.traffic, seed: seed)
        clock = ArrivalClock(traffic: scenario.traffic, seed: seed)
        startMicros = scenario.traffic.startMicros
    }

    static func applied(paths: [String], scenario: Scenario, base: String, what: String) throws -> [ResourceChange] {
        let loaded = ManifestEvents.load(paths: paths)
        if !loaded.errors.isEmpty {
            throw ScenarioError(file: scenario.file, field: what, "the manifests do not load:\n" + loaded.errors.map { "  \($0)" }.joined(separator: "\n"))
        }
        return try ManifestEvents.changes(for: loaded.objects, source: .file) { ManifestEvents.origin(of: $0, relativeTo: base) }
    }

    static func pastLatestTime(_ scenario: Scenario, requests: Int) -> ScenarioError {
        ScenarioError(file: scenario.file, field: "traffic",
                      "\(requests) requests at \(YAMLField.format(scenario.traffic.rate)) per second from \(EventTime.format(micros: scenario.traffic.startMicros)) "
                      + "run past \(EventTime.format(micros: Limits.maxTimeMicros)), the latest time a trace holds: raise the rate or send fewer requests")
    }

    /// An object's identity as the API server sees it: a namespaced object written without
    /// a namespace lives in `default`.
    static func identity(_ change: ResourceChange) -> String {
        "\(change.kind)/\(ResourceKinds.namespace(of: change.kind, written: change.namespace))/\(change.name)"
    }

    /// Number of resource events in the initial state.
    public var initialCount: Int { initial.count }

    /// The next event, numbered from 1. A request's id is its `seq`, which a trace
    /// line then need not repeat (docs/events.md).
    public mutating func next() -> Event? {
        guard var event = nextUnnumbered() else { return nil }
        returned += 1
        event.seq = returned
        return event
    }

    private mutating func nextUnnumbered() -> Event? {
        if initialIndex < initial.count {
            defer { initialIndex += 1 }
            return Event(timeMicros: startMicros, body: .resource(initial[initialIndex]))
        }
        if nextRequest < requestCount, pendingRequestTime == nil { pendingRequestTime = clock.next() }
        // A timed change goes first when it is due no later than the next request (or no request is left).
        if timedIndex < timed.count, pendingRequestTime.map({ timed[timedIndex].micros <= $0 }) ?? true {
            let (micros, changes) = timed[timedIndex]
            guard timedChangeIndex < changes.count else {
                timedIndex += 1; timedChangeIndex = 0
                return nextUnnumbered()
            }
            defer { timedChangeIndex += 1 }
            return Event(timeMicros: micros, body: .resource(changes[timedChangeIndex]))
        }
        guard let time = pendingRequestTime else { return nil }
        guard time <= Limits.maxTimeMicros else {
            ranPastLatestTime = true
            return nil
        }
        pendingRequestTime = nil
        defer { nextRequest += 1 }
        return Event(timeMicros: time, body: .request(sampler.request(nextRequest, id: String(returned + 1))))
    }
}
