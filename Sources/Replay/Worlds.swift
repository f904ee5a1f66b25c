import EventLog
import GatewayAPI
import RoutingCore

/// The baseline and candidate resource states as the log is read, and their
/// compiled tables, recompiled only when a resource event changed a world.
struct Worlds {
    let change: ReplayChange
    let overridden: Set<ObjectKey>
    let options: CompileOptions
    let source: String
    /// Load orders: recorded object number n gets (n + 1) * stride. A change's object that
    /// replaces a recorded one has that one's age (an update keeps the creation time). A new
    /// object fits, with `--at`, between the recorded ones around that moment; without, the
    /// change is deployed after the log (as a review's change is, and as the proxy then ages
    /// it), so it is younger than every recorded one. Both worlds give the recorded objects
    /// the same ages.
    let stride: Int

    private(set) var baseline = ResourceSet()
    private(set) var candidate = ResourceSet()
    /// The change has been applied to the candidate world.
    private(set) var active = false
    private var resourceEvents = 0
    /// `ResourceChange.key` -> the key the object decoded to (namespace defaulting).
    private var decodedKeys: [String: ObjectKey] = [:]
    private var baselineWorld: CompiledWorld?
    private var candidateWorld: CompiledWorld?
    private var baselineDirty = true
    private var candidateDirty = true
    private(set) var compiles = 0
    /// The change's removals that the log records an object for: removing any other
    /// would change nothing (see `ReplayError.removalNotRecorded`).
    private(set) var recordedRemovals: Set<ObjectKey> = []
    /// Recorded objects that failed to decode (skipped), and the first reason.
    private(set) var decodeFailures = 0
    private(set) var firstDecodeFailure: String?

    /// The load order of a change deployed after the log: past any recorded object's.
    static let afterTheLog = Int.max / 2

    init(change: ReplayChange, options: CompileOptions, source: String) {
        self.change = change
        self.overridden = change.keys
        self.options = options
        self.source = source
        self.stride = change.objects.count + 1
    }

    /// Whether the change applies before an event at `timeMicros`.
    func shouldActivate(at timeMicros: Int64) -> Bool {
        guard !active else { return false }
        guard let at = change.atMicros else { return true }
        return timeMicros >= at
    }

    mutating func activate() {
        guard !active else { return }
        active = true
        candidate = baseline
        for (j, object) in change.objects.enumerated() {
            // Decoded again for its load order (its age among objects created at the same time).
            let order = (change.atMicros == nil ? Self.afterTheLog : resourceEvents * stride + 1) + j
            let resource = Loader.decode(object.raw, location: object.location, loadOrder: order).0?.resource ?? object.resource
            candidate.apply(resource, keepingLoadOrder: true)
        }
        for key in change.removals { candidate.delete(key) }
        candidateDirty = true
    }

    /// Applies a recorded change; returns whether either world changed.
    mutating func apply(_ change: ResourceChange, seq: Int64?) -> Bool {
        resourceEvents += 1
        var changed = false
        switch change.action {
        case .applied:
            guard let resource = decode(change, seq: seq) else { return false }
            let key = resource.key
            decodedKeys[change.key] = key
            if self.change.removals.contains(key) { recordedRemovals.insert(key) }
            baseline.apply(resource)
            baselineDirty = true
            changed = true
            if active, !overridden.contains(key) {
                candidate.apply(resource, keepingLoadOrder: true)
                candidateDirty = true
            } else if active, let recorded = baseline[key], let replacement = candidate[key],
                      replacement.meta.loadOrder != recorded.meta.loadOrder || replacement.meta.creationTimestamp != recorded.meta.creationTimestamp {
                // The change's object replaces this one: it has its age, whenever the log creates it.
                candidate.giveAge(of: recorded.meta, to: key)
                candidateDirty = true
                changed = true
            }
        case .deleted:
            var keys: [ObjectKey] = []
            if let key = decodedKeys.removeValue(forKey: change.key) { keys.append(key) } else {
                keys.append(ObjectKey(kind: change.kind, namespace: change.namespace, name: change.name))
                let home = ResourceKinds.namespace(of: change.kind, written: change.namespace)
                if home != change.namespace { keys.append(ObjectKey(kind: change.kind, namespace: home, name: change.name)) }
            }
            for key in keys {
                if baseline.delete(key) { baselineDirty = true; changed = true }
                if active, !overridden.contains(key), candidate.delete(key) { candidateDirty = true; changed = true }
            }
        }
        return changed
    }

    private mutating func decode(_ change: ResourceChange, seq: Int64?) -> Resource? {
        let location = SourceLocation(file: "\(source) seq \(seq.map(String.init) ?? "?")", line: 0)
        let value: Value
        do {
            value = try Value.parseJSON(change.objectJSON)
        } catch {
            noteFailure("\(location): \(change.key): \(error)")
            return nil
        }
        let (object, diagnostics) = Loader.decode(value, location: location, loadOrder: resourceEvents * stride)
        if let object { return object.resource }
        // Kinds gwsim does not simulate (Deployments, ...) only get a note: not a failure.
        if let error = diagnostics.first(where: { $0.severity == .error }) {
            noteFailure("\(change.key): \(error)")
        }
        return nil
    }

    private mutating func noteFailure(_ message: String) {
        decodeFailures += 1
        if firstDecodeFailure == nil { firstDecodeFailure = message }
    }

    /// The tables requests see now (compiling what changed).
    mutating func tables() -> (baseline: RoutingTable, candidate: RoutingTable) {
        let b = compiledBaseline()
        return (b.table, active ? compiledCandidate().table : b.table)
    }

    /// Final status of both worlds.
    mutating func finalStatus() -> (baseline: StatusReport, candidate: StatusReport) {
        let b = compiledBaseline()
        return (b.status, active ? compiledCandidate().status : b.status)
    }

    /// The candidate's current objects (the baseline's before the change applies).
    var candidateResources: ResourceSet { active ? candidate : baseline }

    private mutating func compiledBaseline() -> CompiledWorld {
        if baselineDirty || baselineWorld == nil {
            baselineWorld = Compiler.compile(baseline, options: options)
            compiles += 1
            baselineDirty = false
        }
        return baselineWorld!
    }

    private mutating func compiledCandidate() -> CompiledWorld {
        if candidateDirty || candidateWorld == nil {
            if candidate.objects == baseline.objects {
                candidateWorld = compiledBaseline()
            } else {
                candidateWorld = Compiler.compile(candidate, options: options)
                compiles += 1
            }
            candidateDirty = false
        }
        return candidateWorld!
    }
}
