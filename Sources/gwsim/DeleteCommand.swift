import ArgumentParser
import EventLog
import Foundation
import GatewayAPI

/// `gwsim delete`: the counterpart of `gwsim apply`. Records `deleted` events for live
/// objects in an event store, or deletes them from a running proxy through its admin API
/// (optionally after a review of what removing them would do to its recorded traffic).
///
/// All or nothing: an object that is not live is an error and nothing is recorded.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Record the deletion of objects in an event store, or delete them from a running proxy.",
        discussion: """
            Objects are named KIND/NAMESPACE/NAME (KIND/NAME for cluster-scoped kinds; the kind in any case).

            Examples:
              gwsim delete HTTPRoute/kube-system/http-app-1 --log events.db
              gwsim delete HTTPRoute/shop/legacy --admin http://127.0.0.1:9901 --review --fail-on 'newly-failing>0'
            """
    )

    @Argument(help: "The objects to delete, KIND/NAMESPACE/NAME (or KIND/NAME).")
    var objects: [String] = []

    @OptionGroup var target: ChangeTargetOptions

    func validate() throws {
        if objects.isEmpty { throw ValidationError("name at least one object, KIND/NAMESPACE/NAME") }
        for text in objects {
            if case .failure(let error) = ResourceKinds.parseKey(text) { throw ValidationError("\(text): \(error)") }
        }
    }

    func run() throws {
        let keys = objects.compactMap { try? ResourceKinds.parseKey($0).get() }
        if let admin = target.admin {
            let session = try AdminSession(url: admin, tokenFile: target.tokenFile, command: "gwsim delete")
            if target.review { try session.review(body: "", without: keys, failOn: target.failOn, window: target.window) }
            for key in keys {
                _ = try session.call("DELETE", "/resources/" + key.description)
                Terminal.out("deleted\t\(key)")
            }
            Terminal.error("\(admin): deleted \(keys.count) object\(keys.count == 1 ? "" : "s")")
            return
        }
        guard let log = target.log else { throw Exit.badInput }
        // Nothing can be live in a store that does not exist: do not create one.
        try EventLogSupport.requireFile(log)
        let store = try EventLogSupport.openStore(log)
        let now = Date().timeIntervalSince1970
        let changes: [ResourceChange]
        let seqs: [Int64]
        do {
            let live = try store.liveState()
            changes = try keys.map { key in
                guard let json = Self.liveObject(key, in: live) else {
                    Terminal.error("error: \(key) is not live in \(log); nothing recorded")
                    throw Exit.badInput
                }
                return try ResourceChange(action: .deleted, source: .file, origin: "gwsim delete",
                                          objectJSON: try Value.parseJSON(json).deletionStub.toJSON())
            }
            seqs = try store.append(changes.map { Event(time: now, body: .resource($0)) })
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw EventLogSupport.fail(log, error)
        }
        let time = EventTime.format(micros: EventTime.micros(fromSeconds: now))
        for (seq, change) in zip(seqs, changes) { Terminal.out("\(seq)\t\(time)\tdeleted\t\(change.key)") }
        Terminal.error("\(log): recorded \(changes.count) deletion\(changes.count == 1 ? "" : "s")")
    }

    /// The live object `key` names; a namespaced object recorded without a namespace is in `default`.
    static func liveObject(_ key: ObjectKey, in live: [String: String]) -> String? {
        live[key.description] ?? (key.namespace == ResourceKinds.defaultNamespace ? live["\(key.kind)/\(key.name)"] : nil)
    }
}
