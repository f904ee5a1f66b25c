import ArgumentParser
import EventLog
import Foundation
import GatewayAPI
import Scenarios

/// `gwsim apply`: record manifests in an event store as `applied` resource events.
///
/// All or nothing: if any object fails to load, nothing is recorded (the log must never
/// hold an object the API server would have rejected). This command is at the edge of the
/// system, so reading the clock for the event time is fine here.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Record manifests in an event store, one 'applied' event per object.",
        discussion: """
            Example:
              gwsim apply -f scenarios/seed/ --log events.db
            """
    )

    enum SourceOption: String, ExpressibleByArgument, CaseIterable { case file, admin }

    @Option(name: [.customShort("f"), .customLong("filename")], help: "A manifest file or directory (repeatable).")
    var paths: [String] = []

    @Option(help: "The event store (SQLite; created when missing).")
    var log: String

    @Option(help: "Who made the change: file or admin.")
    var source: SourceOption = .file

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one manifest with -f PATH") }
    }

    func run() throws {
        let loaded = ManifestEvents.load(paths: paths)
        for note in loaded.notes { Terminal.error(note.description) }
        guard loaded.errors.isEmpty else {
            for error in loaded.errors { Terminal.error(error.description) }
            Terminal.error("error: nothing recorded (\(loaded.errors.count) error\(loaded.errors.count == 1 ? "" : "s"))")
            throw Exit.badInput
        }
        let resourceSource: ResourceChange.Source = source == .admin ? .admin : .file
        let now = Date().timeIntervalSince1970
        let store = try EventLogSupport.openStore(log)
        let seqs: [Int64]
        let changes: [ResourceChange]
        do {
            changes = try ManifestEvents.changes(for: loaded.objects, source: resourceSource) { $0.location.description }
            seqs = try store.append(changes.map { Event(time: now, body: .resource($0)) })
        } catch {
            throw EventLogSupport.fail(log, error)
        }
        let time = EventTime.format(micros: EventTime.micros(fromSeconds: now))
        for (seq, change) in zip(seqs, changes) {
            Terminal.out("\(seq)\t\(time)\tapplied\t\(change.key)\t\(change.origin ?? "")")
        }
        Terminal.error("\(log): recorded \(changes.count) object\(changes.count == 1 ? "" : "s") (source \(resourceSource.rawValue))")
    }
}
