import ArgumentParser
import EventLog
import GatewayAPI
import Scenarios

/// `gwsim state`: the resources as they stood at a time, from a trace or an event store.
///
/// A trace is streamed and only the current object map is kept; an event store answers
/// from its snapshots (`EventStore.resourceState(at:)`). Same rule for both: apply, in seq
/// order, every resource event with time <= T.
struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Print the resources as they stood at a time (default: the end), from a trace or an event store.",
        discussion: """
            YAML output is a multi-document stream; JSON output is a Kubernetes List. Either
            can be given back to gwsim with -f.

            Examples:
              gwsim state traces/seed-path.zst
              gwsim state events.db --at 2026-01-01T00:05:00Z -o json
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case yaml, json }

    @Argument(help: "The trace file (.zst) or event store (.db).")
    var trace: String

    @Option(parsing: .unconditional, help: "The time (RFC 3339 or seconds since the epoch; default: the end of the log).")
    var at: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: yaml or json.")
    var output: Format = .yaml

    func run() throws {
        let atMicros = try at.map { try EventLogSupport.parseTime($0, option: "--at") }
        try EventLogSupport.requireFile(trace)
        let objects: [String: String]
        var stop: TraceStopReason?
        if EventStore.isStoreFile(trace) {
            let store = try EventLogSupport.openStore(trace)
            do {
                objects = try store.resourceState(at: Double(atMicros ?? Int64.max / 2) / 1_000_000)
            } catch {
                throw EventLogSupport.fail(trace, error)
            }
        } else {
            do {
                let replayed = try TraceState.replay(trace: trace, atMicros: atMicros)
                objects = replayed.objects
                stop = replayed.read.stopReason
            } catch {
                throw EventLogSupport.fail(trace, error)
            }
        }
        var values: [Value] = []
        for key in objects.keys.sorted() {
            do { values.append(try Value.parseJSON(objects[key]!)) } catch { throw EventLogSupport.fail(trace, "\(key): \(error)") }
        }
        var out = OutputBuffer()
        switch output {
        case .json:
            let list = Value.object([("apiVersion", .string("v1")), ("kind", .string("List")), ("items", .array(values))])
            out.line(list.toJSON(sortedKeys: false))
        case .yaml:
            for value in values {
                let yaml = value.toYAML()
                out.line("---\n" + (yaml.hasSuffix("\n") ? String(yaml.dropLast()) : yaml))
            }
        }
        out.flush()
        if let stop { try EventLogSupport.reportStop(stop, path: trace) }
    }
}
