import ArgumentParser

@main
struct GWSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gwsim",
        abstract: "Simulate Kubernetes Gateway API routing: what happens to a request, and what a change will do to real traffic.",
        subcommands: [RouteCommand.self, StatusCommand.self, ConformanceCommand.self, BenchCommand.self,
                      GenerateCommand.self, ApplyCommand.self, ExportCommand.self, ImportTraceCommand.self,
                      CatCommand.self, InspectCommand.self, StateCommand.self, ReplayCommand.self,
                      WhoamiCommand.self, ProxyCommand.self]
    )
}
