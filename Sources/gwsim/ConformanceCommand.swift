import ArgumentParser
import Conformance

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

    func run() throws {
        throw ValidationError("conformance runner not wired yet")
    }
}
