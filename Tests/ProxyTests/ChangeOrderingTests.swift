import EventLog
import Foundation
import Proxy
import Replay
import Testing

/// A change applied while traffic flows is recorded after every request routed with the
/// world it replaces, however long those wait in the recording queue or take to answer,
/// so the log replays with `--verify` at 100 %.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ChangeOrderingTests {
    @Test func aChangeDuringTrafficIsRecordedAfterTheRequestsItReplaced() throws {
        let log = temporaryLogPath()
        defer { removeTemporaryLog(log) }
        let harness = try AdminHarness(files: seedBase + ["02-whoami-httproute.yaml"], log: log)
        defer { harness.stop() }
        let connection = try RawHTTPConnection(port: harness.port)
        // Routed by Exact / and still in the queue (the writer waits for a batch).
        for _ in 0..<3 { #expect(try connection.request("/", host: "whoami").status == 200) }
        // Routed before the change, answered after it.
        let slowStatus = LockedStatus()
        let port = harness.port
        let slow = Thread {
            let status = (try? RawHTTPConnection(port: port).request("/?delay=600ms", host: "whoami").status) ?? 0
            slowStatus.set(status)
        }
        slow.start()
        Thread.sleep(forTimeInterval: 0.1)
        // Exact /foo only: `/` is 404 from now on.
        #expect(try harness.admin("POST", "/apply", body: seedText("03-whoami-httproute-paths.yaml")).status == 200)
        for _ in 0..<3 {
            #expect(try connection.request("/", host: "whoami").status == 404)
            #expect(try connection.request("/foo", host: "whoami").status == 200)
        }
        while slowStatus.get() == nil { Thread.sleep(forTimeInterval: 0.01) }
        #expect(slowStatus.get() == 200)
        harness.stop()

        let result = try Replay.run(ReplayOptions(tracePath: log, verify: true))
        let verification = try #require(result.report.verification)
        #expect(verification.observed == 10)
        #expect(verification.disagreements == 0, "\(verification.text)")
    }
}

private final class LockedStatus: @unchecked Sendable {
    private let lock = NSLock()
    private var status: Int?
    func set(_ value: Int) { lock.lock(); status = value; lock.unlock() }
    func get() -> Int? { lock.lock(); defer { lock.unlock() }; return status }
}
