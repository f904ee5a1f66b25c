import EventLog

/// `gwsim generate`: a scenario and a seed -> a trace file.
///
/// Deterministic: no clock, no system randomness. The trace header's `created` is the
/// scenario's start time, so the same scenario, seed and count give byte-identical files.
/// Generated requests carry no `observed` outcome: nothing real answered them.
public enum Generator {
    public struct Summary: Sendable, Equatable {
        public var events: Int
        public var resourceEvents: Int
        public var requests: Int
        /// Compressed size of the trace.
        public var bytes: Int
        public var seed: UInt64
        public var firstMicros: Int64?
        public var lastMicros: Int64?
    }

    public static func generate(_ scenario: Scenario, to path: String, seed: UInt64 = 1, requests: Int? = nil,
                                compressionLevel: Int32 = Limits.defaultCompressionLevel) throws -> Summary {
        var events = try ScenarioEvents(scenario: scenario, seed: seed, requests: requests)
        let writer = try TraceWriter(path: path, compressionLevel: compressionLevel,
                                     created: EventTime.format(micros: scenario.traffic.startMicros), generator: "gwsim generate")
        var summary = Summary(events: 0, resourceEvents: 0, requests: 0, bytes: 0, seed: seed)
        do {
            while let event = events.next() {
                try writer.write(event)
                summary.events += 1
                if event.request != nil { summary.requests += 1 } else { summary.resourceEvents += 1 }
                if summary.firstMicros == nil { summary.firstMicros = event.timeMicros }
                summary.lastMicros = event.timeMicros
            }
            if events.ranPastLatestTime { throw ScenarioEvents.pastLatestTime(scenario, requests: events.requestCount) }
            try writer.close()
        } catch {
            try? writer.close()
            throw error
        }
        summary.bytes = writer.bytesWritten
        return summary
    }
}
