import ArgumentParser
import Foundation
import RoutingCore

/// `gwsim bench routing`: compile time, peak memory and decisions per second on
/// a synthetic cluster. A benchmark, not a test: run it from a release build
/// (benchmarks/routing.sh does).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the routing core on synthetic routes (use a release build).",
        subcommands: [RoutingBench.self]
    )
}

struct RoutingBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "routing", abstract: "Compile N HTTPRoutes, then route M requests on one core.")

    @Option(help: "Number of HTTPRoutes.") var routes = 10_000
    @Option(help: "Rules per HTTPRoute.") var rulesPerRoute = 5
    @Option(help: "Distinct hostnames the routes spread over.") var hostnames = 1_000
    @Option(help: "Requests to route.") var requests = 1_000_000
    @Option(help: "Distinct requests, cycled until --requests are routed (isolates routing from building request objects).")
    var distinct = 65_536
    @Option(name: .customLong("repeat"), help: "Repetitions (the median is reported).") var repetitions = 3

    func validate() throws {
        // Rules per route: the Gateway API allows 16 (httproute_types.go, MaxItems on rules).
        let ranges: [(String, Int, ClosedRange<Int>)] = [
            ("--routes", routes, 1...1_000_000), ("--rules-per-route", rulesPerRoute, 1...16), ("--hostnames", hostnames, 1...1_000_000),
            ("--requests", requests, 1...1_000_000_000), ("--distinct", distinct, 1...10_000_000), ("--repeat", repetitions, 1...100),
        ]
        for (name, value, range) in ranges where !range.contains(value) {
            throw ValidationError("\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
    }

    func run() throws {
        let synthetic = SyntheticRoutes(routes: routes, rulesPerRoute: rulesPerRoute, hostnames: hostnames)
        let resources = synthetic.resources
        var compileTimes: [Double] = []
        var world: CompiledWorld?
        for _ in 0..<max(1, repetitions) {
            world = nil // freeing the previous world is not part of compiling
            let start = Self.threadNanoseconds()
            world = Compiler.compile(resources)
            compileTimes.append(Double(Self.threadNanoseconds() - start) / 1e9)
        }
        let table = world!.table
        let batch = synthetic.requests(count: min(max(1, distinct), requests))
        let keys = (0..<1024).map { "req-\($0)" }
        // Verdicts: the routing decision itself (listener, rule match, outcome,
        // backend). Decisions: the verdict rendered in full (the request as the
        // backend receives it, filters, candidate list), what `gwsim route` prints.
        // Verdicts in place: the same requests as bytes laid out one after the other, routed
        // as replay routes a trace line (BorrowedRequest), so the request side costs what a
        // just-read line costs and what remains is the table's. Batched: the same, handed over
        // as one run (RoutingTable.verdicts), which on a table larger than the cache looks them
        // up sixteen at a time with their cache misses overlapped.
        let packed = PackedRequests(batch, keys: keys)
        var inPlaceRates: [Double] = []
        var batchedRates: [Double] = []
        var verdictRates: [Double] = []
        var rates: [Double] = []
        var forwarded = 0
        for _ in 0..<max(1, repetitions) {
            forwarded = 0
            var start = Self.threadNanoseconds()
            batch.withUnsafeBufferPointer { batch in
                for index in 0..<requests where table.verdict(batch[index % batch.count], key: keys[index & 1023]).outcome == .forward {
                    forwarded += 1
                }
            }
            verdictRates.append(Double(requests) / (Double(Self.threadNanoseconds() - start) / 1e9))
            var forwardedDecisions = 0
            start = Self.threadNanoseconds()
            batch.withUnsafeBufferPointer { batch in
                for index in 0..<requests where table.route(batch[index % batch.count], key: keys[index & 1023]).outcome == .forward {
                    forwardedDecisions += 1
                }
            }
            rates.append(Double(requests) / (Double(Self.threadNanoseconds() - start) / 1e9))
            precondition(forwardedDecisions == forwarded, "verdicts and decisions disagree")
            var forwardedInPlace = 0
            start = Self.threadNanoseconds()
            packed.withRequests { borrowed, keys in
                for index in 0..<requests where table.verdict(borrowed[index % borrowed.count], key: keys[index & 1023]).outcome == .forward {
                    forwardedInPlace += 1
                }
            }
            inPlaceRates.append(Double(requests) / (Double(Self.threadNanoseconds() - start) / 1e9))
            precondition(forwardedInPlace == forwarded, "verdicts in place and verdicts disagree")
            var forwardedBatched = 0
            start = Self.threadNanoseconds()
            packed.withRequests { borrowed, keys in
                var done = 0
                while done < requests {
                    let first = done % borrowed.count
                    let count = min(borrowed.count - first, requests - done)
                    table.verdicts(UnsafeBufferPointer(rebasing: borrowed[first..<(first + count)]), key: { keys[(done + $0) & 1023] }) { _, verdict in
                        if verdict.outcome == .forward { forwardedBatched += 1 }
                    }
                    done += count
                }
            }
            batchedRates.append(Double(requests) / (Double(Self.threadNanoseconds() - start) / 1e9))
            precondition(forwardedBatched == forwarded, "batched verdicts and verdicts disagree")
        }
        let rules = routes * rulesPerRoute
        print("routes \(routes), rules \(rules), hostnames \(hostnames), requests \(requests) (\(batch.count) distinct, \(forwarded) forwarded)")
        print(String(format: "compile: median %.3f CPU s (runs: %@)", median(compileTimes), compileTimes.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
        print(String(format: "verdict: median %.0f verdicts per CPU second (runs: %@)", median(verdictRates), verdictRates.map { String(format: "%.0f", $0) }.joined(separator: ", ")))
        print(String(format: "verdict in place: median %.0f verdicts per CPU second (runs: %@)", median(inPlaceRates), inPlaceRates.map { String(format: "%.0f", $0) }.joined(separator: ", ")))
        print(String(format: "verdict in place, batched: median %.0f verdicts per CPU second (runs: %@)", median(batchedRates), batchedRates.map { String(format: "%.0f", $0) }.joined(separator: ", ")))
        print(String(format: "route:   median %.0f full decisions per CPU second (runs: %@)", median(rates), rates.map { String(format: "%.0f", $0) }.joined(separator: ", ")))
        print("peak memory (VmHWM): \(peakMemory())")
    }

    /// CPU time of the calling thread: what "per core" means on a machine that
    /// also runs other work (wall time would count the time other processes ran).
    static func threadNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    func peakMemory() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "unknown" }
        return status.split(separator: "\n").first { $0.hasPrefix("VmHWM") }.map { $0.replacingOccurrences(of: "VmHWM:", with: "").trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }
}
