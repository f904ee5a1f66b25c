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
        abstract: "Record manifests in an event store, or apply them to a running proxy through its admin API.",
        discussion: """
            With --log, records one 'applied' event per object in the store. With --admin, sends
            the objects to a running `gwsim proxy --admin` (POST /apply); with --review it first
            replays the proxy's own recent traffic against the change (POST /review), prints the
            impact report, and applies only when no --fail-on gate trips (exit 1 otherwise).

            Examples:
              gwsim apply -f scenarios/seed/ --log events.db
              gwsim apply -f scenarios/seed-canary/new-route.yaml --admin http://127.0.0.1:9901 \\
                --review --window 15m --fail-on 'newly-failing>0'
            """
    )

    enum SourceOption: String, ExpressibleByArgument, CaseIterable { case file, admin }

    @Option(name: [.customShort("f"), .customLong("filename")], help: "A manifest file or directory (repeatable).")
    var paths: [String] = []

    @OptionGroup var target: ChangeTargetOptions

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
            let outcome = target.admin == nil ? "nothing recorded" : "nothing applied"
            Terminal.error("error: \(outcome) (\(loaded.errors.count) error\(loaded.errors.count == 1 ? "" : "s"))")
            throw Exit.badInput
        }
        if let admin = target.admin { return try applyThroughAdmin(admin, objects: loaded.objects) }
        guard let log = target.log else { throw Exit.badInput }
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

    /// `--admin`: optionally review, then POST /apply.
    private func applyThroughAdmin(_ url: String, objects: [LoadedObject]) throws {
        let session = try AdminSession(url: url, tokenFile: target.tokenFile, command: "gwsim apply")
        // JSON is YAML: send the objects as written, one document each.
        let body = objects.map { $0.raw.toJSON() }.joined(separator: "\n---\n") + "\n"
        if target.review { try session.review(body: body, failOn: target.failOn, window: target.window) }
        let response = try session.call("POST", "/apply", body: body)
        Terminal.out(response.body)
        Terminal.error("\(url): applied \(objects.count) object\(objects.count == 1 ? "" : "s")")
    }
}
