import Foundation
import Testing

/// `gwsim route` through the built binary: a method, header name or port that HTTP
/// cannot carry is refused with the rule, before any manifest is read.
@Suite struct RouteArgumentTests {
    @Test func argumentsHTTPCannotCarryAreRefused() throws {
        guard LiveConformanceTests.gwsimBinary != nil else { return }
        let seed = TraceLevelCommandTests.repository.appendingPathComponent("scenarios/seed").path
        let refused: [(arguments: [String], message: String)] = [
            (["-X", "G ET"], "-X G ET: a method is a token"),
            (["-H", "a b: c"], "the name a b is not a token"),
            (["--port", "70000"], "--port 70000 is not a port number (1-65535)"),
            (["--port", "0"], "--port 0 is not a port number (1-65535)"),
        ]
        for (arguments, message) in refused {
            let (status, output) = try LiveConformanceTests.run(["route", "-f", seed] + arguments + ["http://whoami/"])
            #expect(status == 64, "\(arguments): \(output)")
            #expect(output.contains(message), "\(arguments): \(output)")
        }
        let (status, output) = try LiveConformanceTests.run(["route", "-f", seed, "-X", "PURGE", "-H", "X-Debug_1: on", "http://whoami/"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("forward to kube-system/"), "\(output)")
    }
}
