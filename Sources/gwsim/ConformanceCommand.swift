import ArgumentParser
import Conformance
import Foundation

/// `gwsim conformance`: the upstream conformance suite, as data, against the routing core.
struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Run Gateway API conformance cases (shared/conformance format) against the routing core."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "The conformance folder (with cases/, manifests/, base/).")
    var directory: String

    @Option(help: "Only cases of this profile, e.g. GATEWAY-HTTP.")
    var profile: String?

    @Option(name: .customLong("case"), help: "Only the case with this name.")
    var caseName: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json.")
    var output: Format = .text

    @Flag(help: "Send the requests over real HTTP through the live proxy (module Proxy) to in-process whoami backends.")
    var live = false

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory + "/cases", isDirectory: &isDirectory), isDirectory.boolValue else {
            Terminal.error("error: \(directory) has no cases/ folder (expected the shared/conformance layout, see its FORMAT.md)")
            throw Exit.badInput
        }
        let report = live
            ? LiveConformanceRunner(directory: directory).run(profile: profile, caseName: caseName)
            : ConformanceRunner(directory: directory).run(profile: profile, caseName: caseName)
        switch output {
        case .text: Terminal.out(report.text)
        case .json: Terminal.out(report.json)
        }
        if report.cases.isEmpty {
            Terminal.error("error: no case matches" + (profile.map { " profile \($0)" } ?? "") + (caseName.map { " case \($0)" } ?? ""))
            throw Exit.badInput
        }
        if !report.failed.isEmpty || !report.errors.isEmpty { throw Exit.checkFailed }
    }
}
