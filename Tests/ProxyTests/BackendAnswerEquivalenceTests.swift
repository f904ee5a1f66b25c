import Foundation
@testable import Proxy
import Scenarios
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The response side of `BytePathEquivalenceTests`: a backend answers with seeded, mutated
/// responses (framing fields that agree or not, chunk extensions, trailers, bodies that end
/// with the close, statuses without a body), each once to a proxy with the byte path and
/// once to one without, and the client gets the same from both: status, fields and body,
/// or no answer. The byte path passes a backend's framing on as it came where the full
/// pipeline re-frames it, so this is where they could part.
@Suite(.serialized) struct BackendAnswerEquivalenceTests {
    static let answers = 200

    @Test func bothPathsPassMutatedAnswersOnAlike() throws {
        let backend = ScriptedBackend()
        defer { backend.stop() }
        let endpoint = ["default/slow": [Endpoint(host: "127.0.0.1", port: backend.port)]]
        let bytePath = try ProxyHarness(resources: edgeResources(), listenerPort: 8080, extra: endpoint)
        defer { bytePath.stop() }
        let fullPipeline = try ProxyHarness(resources: edgeResources(), listenerPort: 8080, extra: endpoint) { $0.bytePath = false }
        defer { fullPipeline.stop() }
        var random = SplitMix64(seed: 0x616e_7377_6572_7331)
        var passed = 0
        for index in 0..<Self.answers {
            typealias D = BytePathDifferentialTests
            var lines = [D.statusLines[random.int(in: 0...D.statusLines.count - 1)]]
            for _ in 0..<random.int(in: 0...3) { lines.append(D.responseFields[random.int(in: 0...D.responseFields.count - 1)]) }
            var answer = Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + D.bodies[random.int(in: 0...D.bodies.count - 1)]).utf8)
            // Mutated after the status line: NIO's parser drops a reason phrase, so the full
            // pipeline cannot refuse one with a control byte as the byte path does.
            let statusLine = lines[0].utf8.count + 2
            var fieldsAndBody = Array(answer[statusLine...])
            for _ in 0..<random.int(in: 0...2) { D.mutate(&fieldsAndBody, &random) }
            answer = Array(answer[..<statusLine]) + fieldsAndBody
            backend.answer(with: answer)
            let expected = Self.exchange(port: fullPipeline.port)
            backend.answer(with: answer)
            let seen = Self.exchange(port: bytePath.port)
            #expect(seen == expected, "answer \(index): \(D.show(answer))")
            if expected.contains("] 2") { passed += 1 }
        }
        #expect(passed > Self.answers / 10, "\(passed) passed on with 2xx")
    }

    /// A GET routed to the scripted backend, and what the client got of it.
    static func exchange(port: Int) -> String {
        do {
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 3)
            try connection.send("GET /slow HTTP/1.1\r\nHost: app.test\r\n\r\n")
            var informational: [Int] = []
            var response = try connection.readResponse()
            while (100..<200).contains(response.status), response.status != 101 {
                informational.append(response.status)
                response = try connection.readResponse()
            }
            let varying: Set<String> = ["x-request-id", "content-length", "transfer-encoding", "connection", "date"]
            let fields = response.headers.filter { !varying.contains($0.0.lowercased()) }.map { "\($0.0.lowercased()): \($0.1)" }
            return "\(informational) \(response.status) \(fields) \(BytePathDifferentialTests.show(response.body))"
        } catch {
            return "no answer"
        }
    }
}

/// A backend that answers each request it reads with the bytes it was last given, then
/// closes the connection (so that no exchange finds a pooled connection of an earlier one).
final class ScriptedBackend: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var next: [UInt8] = []

    init() {
        (fd, port) = silentListener()
        Thread { [fd] in
            while true {
                let connection = accept(fd, nil, nil)
                guard connection >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = read(connection, &buffer, buffer.count)
                let answer = self.current
                _ = answer.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
                close(connection)
            }
        }.start()
    }

    private var current: [UInt8] { lock.lock(); defer { lock.unlock() }; return next }

    func answer(with bytes: [UInt8]) { lock.lock(); next = bytes; lock.unlock() }

    func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}
