import ArgumentParser
import EventLog
import Foundation
import Scenarios

/// `gwsim generate`: a scenario file -> a synthetic trace (deterministic from the seed).
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a synthetic trace from a scenario file (same scenario and seed: same bytes).",
        discussion: """
            The scenario format is described in docs/scenarios.md.

            Example:
              gwsim generate scenarios/seed-path.yaml -o seed-path.zst --requests 20000 --seed 1
            """
    )

    @Argument(help: "The scenario file (YAML).")
    var scenario: String

    @Option(name: [.customShort("o"), .customLong("output")], help: "The trace file to write (.zst).")
    var output: String

    @Option(parsing: .unconditional, help: "Number of requests (default: the scenario's traffic.requests, or rate x duration).")
    var requests: Int?

    @Option(parsing: .unconditional, help: "Seed of the random draws (0 to 18446744073709551615).")
    var seed: UInt64 = 1

    @OptionGroup var compression: CompressionOption

    func validate() throws {
        let limit = TrafficModel.requestLimit.upperBound
        if let requests, !(0...limit).contains(requests) { throw ValidationError("--requests must be between 0 and \(limit), got \(requests)") }
    }

    func run() throws {
        let parsed: Scenario
        do {
            parsed = try ScenarioParser.load(path: scenario)
        } catch {
            Terminal.error(error.description)
            throw Exit.badInput
        }
        let summary: Generator.Summary
        do {
            summary = try Generator.generate(parsed, to: output, seed: seed, requests: requests,
                                             compressionLevel: compression.level)
        } catch let error as ScenarioError {
            Terminal.error(error.description)
            throw Exit.badInput
        } catch {
            throw EventLogSupport.fail(output, error)
        }
        var span = ""
        if let first = summary.firstMicros, let last = summary.lastMicros {
            span = " \(EventTime.format(micros: first))..\(EventTime.format(micros: last)),"
        }
        Terminal.error("\(output): \(summary.events) events (\(summary.resourceEvents) resource, \(summary.requests) requests),\(span) \(summary.bytes) bytes, seed \(summary.seed)")
    }
}
