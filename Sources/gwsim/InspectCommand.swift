import ArgumentParser
import Foundation
import EventLog

/// `gwsim inspect`: what is in a trace, at a glance (one streaming pass, bounded memory
/// apart from the per-object and per-host counters).
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarize a trace (.zst) or event store (.db): time range, counts, resources, top hosts, reader status.",
        discussion: """
            Example:
              gwsim inspect traces/seed-canary.zst
            """
    )

    @Argument(help: "The trace file or event store.")
    var trace: String

    @Option(parsing: .unconditional, help: "How many hosts to list.")
    var hosts: Int = 20

    func validate() throws {
        if hosts < 0 { throw ValidationError("--hosts must be >= 0, got \(hosts)") }
    }

    func run() throws {
        var first: Int64?, last: Int64?
        var byType: [EventType: Int] = [:]
        var observed = 0
        var resources: [String: (applied: Int, deleted: Int)] = [:]
        var hostCounts: [String: Int] = [:]
        let stop = try EventLogSupport.forEachEvent(trace) { event in
            first = min(first ?? event.timeMicros, event.timeMicros)
            last = max(last ?? event.timeMicros, event.timeMicros)
            byType[event.type, default: 0] += 1
            switch event.body {
            case .resource(let r):
                var counts = resources[r.key] ?? (0, 0)
                if r.action == .applied { counts.applied += 1 } else { counts.deleted += 1 }
                resources[r.key] = counts
            case .request(let r):
                hostCounts[r.host, default: 0] += 1
                if r.observed != nil { observed += 1 }
            }
        }
        var out = OutputBuffer()
        out.line("file: \(trace)")
        if let stop { out.line("reader: \(EventLogSupport.describe(stop))") }
        if let first, let last {
            out.line("time: \(EventTime.format(micros: first)) .. \(EventTime.format(micros: last)) (\(Self.seconds(last - first)))")
        } else {
            out.line("time: (no events)")
        }
        let total = byType.values.reduce(0, +)
        out.line("events: \(total) (resource \(byType[.resource] ?? 0), request \(byType[.request] ?? 0), with observed outcome \(observed))")
        out.line("resources: \(resources.count)")
        for key in resources.keys.sorted() {
            let c = resources[key]!
            out.line("  \(key)\tapplied \(c.applied)" + (c.deleted > 0 ? "\tdeleted \(c.deleted)" : ""))
        }
        let top = hostCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(hosts)
        out.line("hosts: \(hostCounts.count)" + (hostCounts.count > top.count ? " (top \(top.count))" : ""))
        for (host, count) in top { out.line("  \(host)\t\(count)") }
        out.flush()
        if let stop { try EventLogSupport.reportStop(stop, path: trace) }
    }

    static func seconds(_ micros: Int64) -> String {
        let s = Double(micros) / 1_000_000
        if s < 120 { return String(format: "%.3fs", s) }
        if s < 7200 { return String(format: "%.1fmin", s / 60) }
        return s < 172_800 ? String(format: "%.1fh", s / 3600) : String(format: "%.1fd", s / 86_400)
    }
}
