import ArgumentParser
import EventLog
import Foundation
import GatewayAPI
import Replay
import RoutingCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gwsim replay`: what a change would have done to recorded traffic.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recorded trace against the current resources and a candidate change, and report what changes.",
        discussion: """
            The baseline routes every recorded request against the resources recorded before it; the candidate does
            the same with the change applied (--with files replace or add objects, --without removes them) from --at
            on. Exit status: 0, or 1 when a --fail-on expression trips, 2 for bad input. See docs/replay.md.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown, html }

    @Argument(help: "The trace (.zst) or event store (.db) to replay.")
    var trace: String

    @Option(name: .customLong("with"), help: "A manifest file or directory whose objects replace or add to the recorded ones (repeatable).")
    var with: [String] = []

    @Option(name: .customLong("without"), help: "Remove an object, KIND/NS/NAME (or KIND/NAME) (repeatable).")
    var without: [String] = []

    @Option(parsing: .unconditional, help: "Apply the change from this time on (RFC 3339, or seconds since the epoch); default: from the start.")
    var at: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text, json, markdown or html.")
    var output: Format = .text

    @Option(name: .customLong("fail-on"), help: "Exit 1 when this holds, e.g. 'changed>1%', 'newly-failing>0' (repeatable).")
    var failOn: [String] = []

    @Option(help: "Also write the changed requests, rule shares and JSON summary into this directory.")
    var export: String?

    @Option(help: "Worker threads (default: the number of cores). The report does not depend on it.")
    var threads: Int?

    @Flag(help: "Compare the baseline with the outcomes recorded in the trace.")
    var verify = false

    @Option(help: "Act only as the controller of GatewayClasses with this controllerName (default: every GatewayClass).")
    var controller: String?

    @OptionGroup var addresses: AddressPoolOptions

    @Flag(name: .customLong("no-progress"), help: "Never draw a progress bar on stderr.")
    var noProgress = false

    func run() throws {
        // Everything that can be wrong with the input is checked before the trace is read.
        var gates: [FailOnExpression] = []
        for text in failOn {
            do { gates.append(try FailOnExpression(parsing: text)) } catch {
                Terminal.error("gwsim replay: \(error)")
                throw Exit.badInput
            }
        }
        if let threads, !ReplayOptions.threadLimit.contains(threads) {
            Terminal.error("gwsim replay: --threads must be between \(ReplayOptions.threadLimit.lowerBound) and \(ReplayOptions.threadLimit.upperBound), got \(threads)")
            throw Exit.badInput
        }
        var atMicros: Int64?
        if let at {
            guard let parsed = EventTime.parse(rfc3339OrSeconds: at) else {
                Terminal.error("gwsim replay: --at \(at): \(EventLogSupport.timeRule)")
                throw Exit.badInput
            }
            atMicros = parsed
        }
        var removals: [ObjectKey] = []
        for text in without {
            switch ResourceKinds.parseKey(text) {
            case .success(let key): removals.append(key)
            case .failure(let error):
                Terminal.error("gwsim replay: --without \(text): \(error)")
                throw Exit.badInput
            }
        }
        var objects: [LoadedObject] = []
        if !with.isEmpty {
            let loaded = Loader.load(paths: with)
            for diagnostic in loaded.diagnostics where diagnostic.severity != .note { Terminal.error(diagnostic.description) }
            if loaded.hasErrors { throw Exit.badInput }
            objects = loaded.objects
            if let problem = Self.changeProblem(objects: objects, removals: removals) {
                Terminal.error("gwsim replay: \(problem)")
                throw Exit.badInput
            }
        }
        let verifyAll = verify || gates.contains { $0.metric == .disagreement }
        // Without a change every request is "unchanged" and every gate passes.
        if with.isEmpty && without.isEmpty && !verifyAll {
            Terminal.error("gwsim replay: no change to replay: give the candidate with --with FILE (a scenario lists its own under "
                + "candidate:) or --without KIND/NAMESPACE/NAME; --verify alone checks the recorded outcomes")
            throw Exit.badInput
        }
        let options = ReplayOptions(tracePath: trace, withPaths: with, withoutKeys: without,
                                    change: ReplayChange(objects: objects, removals: removals, atMicros: atMicros),
                                    threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, verify: verifyAll,
                                    compileOptions: CompileOptions(controllerName: controller, addressPool: addresses.pool))

        var session: ExportSession?
        if let export {
            do { session = try ExportWriter.begin(directory: export) } catch {
                Terminal.error("gwsim replay: --export: \(error)")
                throw Exit.badInput
            }
        }
        var exportError: Error?
        let bar = ProgressBar(enabled: !noProgress && isatty(2) == 1)
        let result: ReplayResult
        do {
            result = try Replay.run(options, onChanged: session.map { session in
                { row in
                    guard exportError == nil else { return }
                    do { try session.add(row) } catch { exportError = error }
                }
            }, progress: bar.enabled ? { bar.update($0) } : nil)
        } catch {
            bar.clear()
            Terminal.error("gwsim replay: \(error)")
            throw Exit.badInput
        }
        bar.clear()
        for warning in result.warnings { Terminal.error("warning: \(warning)") }

        var report = result.report
        // A gate on requests that had nothing to count would pass whatever the change does.
        if let gate = gates.first(where: { $0.metric.countsRequests && report.requests == 0 }) {
            Terminal.error("gwsim replay: --fail-on \(gate.text): \(trace) holds no request to compare, so this gate cannot say anything")
            throw Exit.badInput
        }
        if let gate = gates.first(where: { $0.metric == .disagreement && (report.verification?.observed ?? 0) == 0 }) {
            Terminal.error("gwsim replay: --fail-on \(gate.text): \(trace) records no observed outcome to verify the baseline against")
            throw Exit.badInput
        }
        report.gates = gates.map { $0.result(report) }
        if let session {
            do {
                if let exportError { throw exportError }
                try session.finish(report: report)
            } catch {
                Terminal.error("gwsim replay: --export \(export ?? ""): \(error)")
                throw Exit.badInput
            }
        }

        switch output {
        case .text:
            var text = ImpactReportRenderer.text(report, color: isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
            if let v = report.verification { text += (text.hasSuffix("\n") ? "\n" : "\n\n") + v.text }
            Terminal.out(text)
        case .markdown:
            var text = ImpactReportRenderer.markdown(report)
            if let v = report.verification { text += (text.hasSuffix("\n") ? "\n" : "\n\n") + v.markdown }
            Terminal.out(text)
        case .html:
            Terminal.out(ImpactReportRenderer.html(report))
            if let v = report.verification { Terminal.error(v.text) }
        case .json:
            Terminal.out(ImpactReportRenderer.json(report))
        }

        let tripped = gates.filter { $0.trips(report) }
        for gate in tripped { Terminal.error("gwsim replay: \(gate.explain(report))") }
        if !tripped.isEmpty { throw Exit.checkFailed }
    }
}

extension ReplayCommand {
    /// What makes a `--with` / `--without` change ambiguous or empty, if anything: no
    /// object to apply, one object given twice (which version would the reviewer be
    /// looking at?), or an object both applied and removed.
    static func changeProblem(objects: [LoadedObject], removals: [ObjectKey]) -> String? {
        if objects.isEmpty { return "--with: no object of a kind gwsim simulates, so there is no change to replay" }
        if let again = LoadResult(objects: objects).repeatedObjects.first {
            return "--with: \(again.key) is given twice, at \(again.first) and at \(again.location): keep one"
        }
        for key in removals {
            if let applied = objects.first(where: { $0.resource.key == key }) {
                return "\(key) is both applied (--with, \(applied.location)) and removed (--without)"
            }
        }
        return nil
    }
}

/// A one-line progress bar on stderr, redrawn at most a few times a second.
private final class ProgressBar {
    let enabled: Bool
    private var lastDraw = 0.0
    private var drawn = false
    private let started = Date().timeIntervalSince1970

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ p: ReplayProgress) {
        let now = Date().timeIntervalSince1970
        guard enabled, now - lastDraw >= 0.2, now - started >= 0.5 else { return }
        lastDraw = now
        let fraction = p.totalBytes > 0 ? min(1, Double(p.bytesRead) / Double(p.totalBytes)) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let rate = Double(p.requests) / max(0.001, now - started)
        let line = "\r[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] "
            + String(Int(fraction * 100)) + "%  \(p.requests) requests  \(Int(rate))/s"
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func clear() {
        guard drawn else { return }
        FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: 79) + "\r").utf8))
        drawn = false
    }
}
