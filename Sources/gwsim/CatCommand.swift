import ArgumentParser
import EventLog
import Replay

/// `gwsim cat`: print the events of a trace (or an event store), as JSON Lines or a table.
struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print the events of a trace (.zst) or an event store (.db).",
        discussion: """
            Examples:
              gwsim cat traces/seed-path.zst --kind resource
              gwsim cat traces/seed-path.zst -o jsonl | jq -r .path | sort | uniq -c
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, jsonl }

    @Argument(help: "The trace file or event store.")
    var trace: String

    @Option(help: "Only events of this type: request or resource.")
    var kind: EventType?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: table or jsonl.")
    var output: Format = .table

    func run() throws {
        var out = OutputBuffer()
        if output == .table { out.line(["SEQ", "TIME", "TYPE", "WHAT"].joined(separator: "\t")) }
        let stop = try EventLogSupport.forEachEvent(trace) { event in
            if let kind, event.type != kind { return }
            switch output {
            case .jsonl: out.line(event.jsonLine)
            case .table: out.line(Self.row(event))
            }
        }
        out.flush()
        if let stop { try EventLogSupport.reportStop(stop, path: trace) }
    }

    static func row(_ event: Event) -> String {
        let what: String
        switch event.body {
        case .resource(let r):
            what = "\(r.action.rawValue) \(r.key) (\(r.source.rawValue)\(r.origin.map { " \($0)" } ?? ""))"
        case .request(let r):
            var text = "\(r.method) \(r.scheme)://\(r.host) port \(r.port) \(r.path) id=\(r.id) client=\(r.client)"
            if !r.headers.isEmpty { text += " headers=" + r.headers.map { "\($0.name):\($0.value)" }.joined(separator: ",") }
            if let status = r.observed?.status { text += " observed=\(status)" }
            what = text
        }
        // Recorded text may hold tabs, newlines or terminal escapes: one event stays one line.
        return "\(event.seq ?? 0)\t\(event.timeText)\t\(event.type.rawValue)\t\(RenderSanitize.printable(what))"
    }
}

extension EventType: ExpressibleByArgument {}
