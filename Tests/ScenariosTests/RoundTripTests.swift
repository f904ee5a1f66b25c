import EventLog
import Foundation
import GatewayAPI
import Scenarios
import Testing

/// apply -> export -> import-trace -> state, through a temp dir, with the same library calls
/// the commands make.
@Suite final class RoundTripTests {
    let dir: String

    init() {
        dir = TestSupport.tempDir()
        TestSupport.writeManifests(in: dir)
    }

    deinit { TestSupport.remove(dir) }

    /// What `gwsim apply` does.
    func apply(_ paths: [String], store: EventStore, time: Double) throws -> [Int64] {
        let loaded = ManifestEvents.load(paths: paths)
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        let changes = try ManifestEvents.changes(for: loaded.objects, source: .file) { $0.location.description }
        return try store.append(changes.map { Event(time: time, body: .resource($0)) })
    }

    @Test func roundTrip() throws {
        let t0 = 1_767_225_600.0
        let store = try EventStore(path: dir + "/events.db")
        #expect(try apply([dir + "/base.yaml"], store: store, time: t0) == [1, 2, 3, 4])
        #expect(try apply([dir + "/extra.yaml"], store: store, time: t0 + 60) == [5])
        let deletion = try ManifestEvents.deletion(ObjectRef(kind: "HTTPRoute", namespace: "default", name: "web"), source: .admin, origin: nil)
        _ = try store.append(Event(time: t0 + 120, body: .resource(deletion)))

        #expect(try exportTrace(store: store, to: dir + "/all.zst") == 6)
        #expect(try exportTrace(store: store, to: dir + "/early.zst", until: t0 + 30) == 4)

        let copy = try EventStore(path: dir + "/copy.db")
        let imported = try importTrace(from: dir + "/all.zst", into: copy)
        #expect(imported.imported == 6)
        #expect(imported.read.stopReason == .complete)

        let atEnd = try TraceState.replay(trace: dir + "/all.zst")
        #expect(atEnd.read.stopReason == .complete)
        #expect(atEnd.objects.keys.sorted() == ["Gateway/default/gw", "GatewayClass/test", "HTTPRoute/default/extra", "Service/default/web"])
        #expect(try copy.resourceState(at: t0 + 1000) == atEnd.objects)
        #expect(try store.resourceState(at: t0 + 1000) == atEnd.objects)

        let atMinute = try TraceState.replay(trace: dir + "/all.zst", atMicros: EventTime.micros(fromSeconds: t0 + 90))
        #expect(atMinute.objects.count == 5)
        #expect(try copy.resourceState(at: t0 + 90) == atMinute.objects)
        #expect(try TraceState.replay(trace: dir + "/early.zst").objects.count == 4)

        // The reconstructed objects load again and mean the same thing.
        let route = try #require(atMinute.objects["HTTPRoute/default/web"])
        let (object, diagnostics) = Loader.decode(try Value.parseJSON(route), location: SourceLocation(file: "state", line: 0), loadOrder: 0)
        #expect(diagnostics.isEmpty)
        #expect(object?.raw.toJSON() == route)
    }

    @Test func truncatedTraceKeepsItsPrefix() throws {
        let s = try ScenarioParser.parse(text: "name: cut\nmanifests: [base.yaml]\ntraffic: {hosts: [example.com], paths: [/], requests: 50000}",
                                         file: dir + "/cut.yaml")
        _ = try Generator.generate(s, to: dir + "/full.zst", seed: 1)
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/full.zst"))
        try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: dir + "/cut.zst"))
        let state = try TraceState.replay(trace: dir + "/cut.zst")
        if case .truncated = state.read.stopReason {} else { Issue.record("expected truncation, got \(state.read.stopReason)") }
        #expect(state.objects.count == 4)
        let store = try EventStore(path: dir + "/cut.db")
        let imported = try importTrace(from: dir + "/cut.zst", into: store)
        #expect(imported.imported > 4 && imported.imported < 50_004)
    }
}
