import ArgumentParser
import Foundation

@main
struct GWSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gwsim",
        abstract: "Simulate Kubernetes Gateway API routing: what happens to a request, and what a change will do to real traffic.",
        subcommands: [RouteCommand.self, StatusCommand.self, ConformanceCommand.self, BenchCommand.self,
                      GenerateCommand.self, ApplyCommand.self, DeleteCommand.self, ExportCommand.self, ImportTraceCommand.self,
                      CatCommand.self, InspectCommand.self, StateCommand.self, ReplayCommand.self,
                      WhoamiCommand.self, ProxyCommand.self]
    )

    /// A usage error (an unknown option, a value that does not parse, a failed `validate()`)
    /// is bad input like any other and exits 2 (`Exit`), not with ArgumentParser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                Terminal.error(fullMessage(for: error))
                Foundation.exit(Exit.badInput.rawValue)
            }
            exit(withError: error)
        }
    }
}
