import ArgumentParser
import GatewayAPI
import RoutingCore

/// `gwsim status`: the status a conformant controller would write.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Compute the status of every GatewayClass, Gateway and route, in Kubernetes shape."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case yaml, json }

    @OptionGroup var manifests: ManifestOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: yaml or json.")
    var output: Format = .yaml

    func run() throws {
        let loaded = manifests.load()
        let world = Compiler.compile(loaded.resources, options: manifests.compileOptions)
        let objects = world.status.objects
        switch output {
        case .json: Terminal.out(Value.array(objects).toJSON(sortedKeys: false))
        case .yaml: Terminal.out(objects.map { "---\n" + $0.toYAML() }.joined())
        }
        if loaded.hasErrors { throw Exit.badInput }
    }
}
