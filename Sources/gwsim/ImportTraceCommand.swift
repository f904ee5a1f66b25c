import ArgumentParser
import EventLog

/// `gwsim import-trace`: append a trace's events to an event store.
///
/// A truncated trace is normal after a crash: its readable prefix is imported with a
/// warning (exit 0). A damaged one is an error (exit 2), but what could be read before the
/// damage is still imported: it is valid data, and throwing it away helps nobody.
struct ImportTraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-trace",
        abstract: "Append the events of a trace (.zst) to an event store; they get new seqs and keep their times.",
        discussion: """
            Example:
              gwsim import-trace traces/seed-path.zst --log events.db
            """
    )

    @Argument(help: "The trace file.")
    var trace: String

    @Option(help: "The event store (SQLite; created when missing).")
    var log: String

    func run() throws {
        try EventLogSupport.requireFile(trace)
        let store = try EventLogSupport.openStore(log)
        let result: TraceImportResult
        do {
            result = try importTrace(from: trace, into: store)
        } catch {
            throw EventLogSupport.fail(trace, error)
        }
        let seqs = result.seqs.map { " as seqs \($0.lowerBound)...\($0.upperBound)" } ?? ""
        Terminal.error("\(log): imported \(result.imported) event\(result.imported == 1 ? "" : "s") from \(trace)\(seqs); trace \(EventLogSupport.describe(result.read.stopReason))")
        try EventLogSupport.reportStop(result.read.stopReason, path: trace)
    }
}
