import ArgumentParser
import EventLog

/// `gwsim export`: an event store (or a time window of it) -> a trace file.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the events of an event store to a trace (.zst), optionally only a time window.",
        discussion: """
            Times are RFC 3339 or seconds since the epoch; both bounds are inclusive. With --since,
            the trace starts with the objects live at that time (as 'applied' events at --since),
            so that the window replays against the resources its requests saw; its events are
            then numbered from 1.

            Example:
              gwsim export events.db -o trace.zst --since 2026-01-01T00:00:00Z
            """
    )

    @Argument(help: "The event store (SQLite).")
    var store: String

    @Option(name: [.customShort("o"), .customLong("output")], help: "The trace file to write.")
    var output: String

    @Option(parsing: .unconditional, help: "Only events at or after this time.")
    var since: String?

    @Option(parsing: .unconditional, help: "Only events at or before this time.")
    var until: String?

    @OptionGroup var compression: CompressionOption

    func run() throws {
        let sinceMicros = try since.map { try EventLogSupport.parseTime($0, option: "--since") }
        let untilMicros = try until.map { try EventLogSupport.parseTime($0, option: "--until") }
        if let sinceMicros, let untilMicros, sinceMicros > untilMicros {
            Terminal.error("error: --since \(since!) is after --until \(until!): the window holds no event")
            throw Exit.badInput
        }
        try EventLogSupport.requireFile(store)
        guard EventStore.isStoreFile(store) else {
            Terminal.error("error: \(store) is not an event store (an SQLite file); export reads a store, and a trace is already a trace")
            throw Exit.badInput
        }
        let db = try EventLogSupport.openStore(store)
        let written: Int
        do {
            written = try exportTrace(store: db, to: output, since: sinceMicros.map { Double($0) / 1_000_000 },
                                      until: untilMicros.map { Double($0) / 1_000_000 }, compressionLevel: compression.level)
        } catch {
            throw EventLogSupport.fail(output, error)
        }
        Terminal.error("\(output): exported \(written) event\(written == 1 ? "" : "s") from \(store)")
    }
}
