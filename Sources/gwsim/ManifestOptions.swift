import ArgumentParser
import Foundation
import GatewayAPI
import RoutingCore

/// `-f PATH ...` and `--controller NAME`, shared by every command that reads manifests.
struct ManifestOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("filename")], help: "A manifest file or directory (YAML or JSON; repeatable).")
    var paths: [String] = []

    @Option(help: "Act only as the controller of GatewayClasses with this controllerName (default: every GatewayClass).")
    var controller: String?

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one manifest with -f PATH") }
    }

    /// Loads the manifests, printing every diagnostic to stderr.
    func load() -> LoadResult {
        let result = Loader.load(paths: paths)
        for diagnostic in result.diagnostics { Terminal.error(diagnostic.description) }
        return result
    }

    var compileOptions: CompileOptions { CompileOptions(controllerName: controller) }
}

/// Writing to the terminal's two streams.
enum Terminal {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}

/// Exit codes: 0 success, 1 a check failed (conformance, replay gates), 2 bad input.
enum Exit {
    static let checkFailed = ExitCode(1)
    static let badInput = ExitCode(2)
}
