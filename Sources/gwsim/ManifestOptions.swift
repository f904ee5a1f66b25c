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

    @OptionGroup var addresses: AddressPoolOptions

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one manifest with -f PATH") }
    }

    /// Loads the manifests, printing every diagnostic to stderr.
    func load() -> LoadResult {
        let result = Loader.load(paths: paths)
        for diagnostic in result.diagnostics { Terminal.error(diagnostic.description) }
        return result
    }

    var compileOptions: CompileOptions { CompileOptions(controllerName: controller, addressPool: addresses.pool) }
}

/// Writing to the terminal's two streams.
enum Terminal {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func out(_ text: String) {
        write(Array((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// Writes `bytes` to standard output whole. A full disk or a reader that went away
    /// (with SIGPIPE ignored, as some CI runners have it) ends the command with a message
    /// and exit 2; `FileHandle.write` would trap instead.
    static func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                let reason = written < 0 ? String(cString: strerror(errno)) : "nothing written"
                error("error: standard output: write failed: \(reason)")
                exit(Exit.badInput.rawValue)
            }
        }
    }
}

/// Exit codes: 0 success, 1 a check failed (conformance, replay gates), 2 bad input.
enum Exit {
    static let checkFailed = ExitCode(1)
    static let badInput = ExitCode(2)
}
