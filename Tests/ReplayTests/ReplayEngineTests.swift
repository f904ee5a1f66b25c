@testable import EventLog
import Foundation
import GatewayAPI
@testable import Replay
import RoutingCore
import Testing

@Suite struct ReplayEngineTests {
    @Test func weightChangeMovesAQuarterFromWhoamiToNginx() throws {
        let count = 20_000
        var rows: [ChangedRequestRow] = []
        let result = try replay(TraceFixture.events(requests: count), change: ReplayChange(objects: TraceFixture.objects(TraceFixture.even)),
                                onChanged: { rows.append($0) })
        let r = result.report
        #expect(r.requests == count)
        #expect(r.input.warning == nil)
        // 3:1 -> 1:1 moves 0.75 - 0.5 = 25% of requests, all of them whoami -> nginx.
        #expect((0.235...0.265).contains(r.changedFraction), "changed \(r.changedFraction)")
        #expect(rows.count == r.changed)
        #expect(rows.allSatisfy { $0.before.backend == "app/whoami:80" && $0.after.backend == "app/nginx:80" && $0.categories == [.backend] })
        #expect(r.categories[.backend] == r.changed)
        #expect(r.newlyFailing == 0 && r.newlySucceeding == 0)
        #expect(r.statusTransitions.isEmpty)
        #expect(r.patterns.count == 1)
        let pattern = try #require(r.patterns.first)
        #expect(pattern.method == "GET" && pattern.host == "whoami" && pattern.pathTemplate == "/")
        #expect(pattern.before == "app/whoami:80" && pattern.after == "app/nginx:80" && pattern.count == r.changed)
        #expect(r.patterns.first?.examples == Array(rows.prefix(3).map(\.id)))
        #expect(r.byRule.map(\.key) == ["httproute/app/web/rule/0"])
        #expect(r.byRoute.first?.requests == count)
        #expect(r.byHostname.first?.key == "whoami")

        let shares = try #require(r.rules.first)
        #expect(r.rules.count == 1)
        #expect(shares.rule == "httproute/app/web/rule/0")
        #expect(shares.before.map(\.backend) == ["app/whoami:80", "app/nginx:80"])
        #expect(shares.before.map(\.configured) == [0.75, 0.25])
        #expect(shares.after.map(\.configured) == [0.5, 0.5])
        #expect(abs(shares.before[0].observed - 0.75) < 0.015)
        #expect(abs(shares.after[0].observed - 0.5) < 0.015)
        #expect(shares.before[0].requests - shares.after[0].requests == r.changed)
        #expect(r.timeline.count == 50)
        #expect(r.timeline.reduce(0) { $0 + $1.requests } == count)
        #expect(r.timeline.reduce(0) { $0 + $1.changed } == r.changed)
        #expect(r.unreachedRules.isEmpty)
        #expect(r.statusChanges.isEmpty)
    }

    @Test func reorderingBackendRefsChangesNothing() throws {
        let reordered = TraceFixture.route(backends: [("nginx", 1), ("whoami", 3)])
        for threads in [1, 2] {
            let r = try replay(TraceFixture.events(requests: 5_000), change: ReplayChange(objects: TraceFixture.objects(reordered)),
                               threads: threads).report
            #expect(r.requests == 5_000)
            #expect(r.changed == 0, "threads \(threads)")
            #expect(r.categories.isEmpty || r.categories.values.allSatisfy { $0 == 0 })
            let shares = try #require(r.rules.first)
            // The shares are listed in each world's order; the same backend has the same requests.
            let before = Dictionary(uniqueKeysWithValues: shares.before.map { ($0.backend, $0.requests) })
            let after = Dictionary(uniqueKeysWithValues: shares.after.map { ($0.backend, $0.requests) })
            #expect(before == after)
        }
    }

    @Test func weightZeroMovesOnlyThatBackendsRequests() throws {
        var rows: [ChangedRequestRow] = []
        let zero = TraceFixture.route(backends: [("whoami", 3), ("nginx", 0)])
        let r = try replay(TraceFixture.events(requests: 10_000), change: ReplayChange(objects: TraceFixture.objects(zero)),
                           onChanged: { rows.append($0) }).report
        let shares = try #require(r.rules.first)
        let nginx = try #require(shares.before.first { $0.backend == "app/nginx:80" })
        #expect(r.changed == nginx.requests)
        #expect(rows.count == r.changed && rows.allSatisfy { $0.before.backend == "app/nginx:80" && $0.after.backend == "app/whoami:80" })
    }

    @Test func exactFooMakesEveryRootRequestNewlyFailing() throws {
        let r = try replay(TraceFixture.events(requests: 500), change: ReplayChange(objects: TraceFixture.objects(TraceFixture.exactFoo))).report
        #expect(r.changed == 500)
        #expect(r.newlyFailing == 500)
        #expect(r.statusTransitions == [Transition(from: "forward", to: "404", count: 500)])
        #expect(r.categories[.newlyUnrouted] == 500)
        #expect(r.categories[.status] == 500)
        #expect(r.patterns.first?.after == "404")
        // A pattern per baseline backend; each lists its first three requests, so the first three of all are among them.
        #expect(r.patterns.allSatisfy { $0.examples.count == 3 && $0.examples == $0.examples.sorted { Int($0.dropFirst(4))! < Int($1.dropFirst(4))! } })
        #expect(Set(r.patterns.flatMap(\.examples)).isSuperset(of: ["req-0", "req-1", "req-2"]))
        #expect(r.byRule.first?.newlyFailing == 500)
        // The candidate's only rule matches /foo, which nobody asked for: a rule of the change.
        #expect(r.unreachedRules == ["httproute/app/web/rule/0"])
        #expect(r.unreachedChangedRules == ["httproute/app/web/rule/0"])
        #expect(try FailOnExpression(parsing: "unreached-changed-rules>0").trips(r))
        #expect(r.unmatchedBaseline == 0)
    }

    @Test func atAppliesTheChangeFromThatTimeOn() throws {
        let events = TraceFixture.events(requests: 1_000)
        // Request i is at t0 + 1 s + i ms: the change applies from request 600 on.
        let at = TraceFixture.t0 + TraceFixture.second + 600 * 1_000
        var first: String?
        let r = try replay(events, change: ReplayChange(objects: TraceFixture.objects(TraceFixture.exactFoo), atMicros: at),
                           onChanged: { if first == nil { first = $0.id } }).report
        #expect(r.changed == 400)
        #expect(r.newlyFailing == 400)
        #expect(first == "req-600")
        #expect(r.input.atMicros == at)
        let early = r.timeline.filter { $0.startMicros + 1 < at - 20_000 }
        #expect(!early.isEmpty && early.allSatisfy { $0.changed == 0 })
    }

    @Test func laterRecordedChangesToAReplacedObjectAreOverridden() throws {
        var events = TraceFixture.events(requests: 1_000)
        // The recorded cluster switched the route to Exact /foo half way: the baseline fails from then on.
        events.insert(TraceFixture.resource(TraceFixture.exactFoo, at: TraceFixture.t0 + TraceFixture.second + 500 * 1_000), at: 5 + 500)
        let r = try replay(events, change: ReplayChange(objects: TraceFixture.objects(TraceFixture.canary))).report
        // The candidate keeps the canary route: the second half succeeds there.
        #expect(r.changed == 500)
        #expect(r.newlySucceeding == 500)
        #expect(r.newlyFailing == 0)
        #expect(r.unmatchedBaseline == 500)
        #expect(r.statusTransitions == [Transition(from: "404", to: "forward", count: 500)])
        #expect(r.categories[.newlyRouted] == 500)
        let shares = try #require(r.rules.first)
        #expect(shares.after.map(\.configured) == [0.75, 0.25])
    }

    /// An update keeps the creation time, so a change's object has the age of the
    /// recorded object it replaces, whenever the log creates that one (with or without
    /// `--at`): a byte-identical copy changes nothing, even where the two routes tie on
    /// everything but age.
    @Test func aReplacementKeepsTheAgeOfTheObjectItReplaces() throws {
        let zeta = TraceFixture.route(name: "zeta", backends: [("whoami", 1)])
        let alpha = TraceFixture.route(name: "alpha", backends: [("nginx", 1)])
        var events = TraceFixture.events(route: zeta, requests: 200)
        events.insert(TraceFixture.resource(alpha, at: TraceFixture.t0), at: 5)
        for change in [ReplayChange(objects: TraceFixture.objects(zeta)), ReplayChange(objects: TraceFixture.objects(alpha)),
                       ReplayChange(objects: TraceFixture.objects(alpha), atMicros: TraceFixture.t0)] {
            let r = try replay(events, change: change).report
            #expect(r.requests == 200 && r.changed == 0, "\(change.objects.map(\.resource.key))")
        }
        // The older zeta keeps winning the tie; an edit of it is seen.
        let edited = TraceFixture.route(name: "zeta", backends: [("nginx", 1)])
        #expect(try replay(events, change: ReplayChange(objects: TraceFixture.objects(edited))).report.changed == 200)
    }

    /// Requests the gateway refused before routing would be refused in either world.
    @Test func refusedRequestsAreNeitherRoutedNorCompared() throws {
        var events = TraceFixture.events(requests: 100)
        for (i, status) in [400, 408, 413, 431, 404].enumerated() {
            events.append(TraceFixture.request(100 + i, at: TraceFixture.t0 + 2 * TraceFixture.second, observed: ObservedOutcome(status: status)))
        }
        let r = try replay(events, change: ReplayChange(objects: TraceFixture.objects(TraceFixture.exactFoo)), verify: true).report
        #expect(r.refusedBeforeRouting == 4)
        // The recorded 404 was routed (nothing matched): it is compared and verified.
        #expect(r.requests == 101 && r.changed == 101)
        #expect(r.verification?.observed == 1 && r.verification?.agreed == 0)
        #expect(ImpactReportRenderer.text(r).contains("4 more recorded requests were refused by the gateway before routing"))
    }

    @Test func withoutRemovesTheObject() throws {
        let r = try replay(TraceFixture.events(requests: 300),
                           change: ReplayChange(removals: [ObjectKey(kind: "HTTPRoute", namespace: "app", name: "web")])).report
        #expect(r.newlyFailing == 300)
        #expect(r.categories[.newlyUnrouted] == 300)
        #expect(r.statusChanges.contains { $0.object == "HTTPRoute/app/web" && $0.condition == "Accepted" && $0.after == "absent" })
        #expect(r.statusChanges.contains { $0.object == "Gateway/infra/gw" && $0.condition == "attachedRoutes" && $0.before == "1" && $0.after == "0" })
        #expect(r.unreachedRules.isEmpty)
    }

    /// A pattern whose targets read the same says what changed, and groups hosts as routing
    /// sees them (case and port aside).
    @Test func patternsOfARewriteSayWhatChanged() throws {
        let plain = TraceFixture.route(backends: [("whoami", 1)])
        let rewrite = #"{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"web","namespace":"app"},"spec":{"parentRefs":[{"name":"gw","namespace":"infra"}],"hostnames":["whoami"],"rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/"}}],"filters":[{"type":"URLRewrite","urlRewrite":{"path":{"type":"ReplacePrefixMatch","replacePrefixMatch":"/v2"}}}],"backendRefs":[{"name":"whoami","port":80}]}]}}"#
        var events = TraceFixture.events(route: plain, requests: 0)
        for (i, host) in ["whoami", "WHOAMI:80", "whoami."].enumerated() {
            events.append(TraceFixture.request(i, at: TraceFixture.t0 + TraceFixture.second + Int64(i), path: "/a", host: host))
        }
        let r = try replay(events, change: ReplayChange(objects: TraceFixture.objects(rewrite))).report
        #expect(r.changed == 3)
        let pattern = try #require(r.patterns.first)
        #expect(r.patterns.count == 1)
        #expect(pattern.host == "whoami" && pattern.count == 3)
        #expect(pattern.categories == [.rewrite])
        #expect(pattern.detail == "forwarded as whoami/a -> whoami/v2/a")
        #expect(RenderSentences.patternAfter(pattern) == "app/whoami:80 [rewrite: forwarded as whoami/a -> whoami/v2/a]")
    }

    /// A log whose time goes back (an import after live events) is replayed in log order,
    /// and says so; jitter under a second (requests finishing out of order) is not worth it.
    @Test func timeGoingBackIsAWarning() throws {
        var events = TraceFixture.events(requests: 10)
        events.append(TraceFixture.request(10, at: TraceFixture.t0 + TraceFixture.second + 9 * 1_000 - 500_000))
        #expect(try replay(events).warnings.isEmpty)
        events.append(TraceFixture.request(11, at: TraceFixture.t0))
        let warnings = try replay(events).warnings
        #expect(warnings.count == 1 && warnings[0].hasPrefix("times go backwards in this log: event 17 is at"), "\(warnings)")
    }

    /// A change no recorded request can see is refused, not reported as "nothing changes".
    @Test func aChangeNoRequestCanSeeIsAnError() throws {
        let events = TraceFixture.events(requests: 100)
        let missing = ObjectKey(kind: "HTTPRoute", namespace: "app", name: "missing")
        #expect(throws: ReplayError.self) { try replay(events, change: ReplayChange(removals: [missing])) }
        let last = TraceFixture.t0 + TraceFixture.second + 99 * 1_000
        #expect(throws: ReplayError.self) {
            try replay(events, change: ReplayChange(objects: TraceFixture.objects(TraceFixture.exactFoo), atMicros: last + 1))
        }
        let r = try replay(events, change: ReplayChange(objects: TraceFixture.objects(TraceFixture.exactFoo), atMicros: last)).report
        #expect(r.changed == 1)
    }

    @Test func unreachedRulesListCandidateRulesNoRequestReached() throws {
        var events = TraceFixture.events(requests: 100)
        events.insert(TraceFixture.resource(TraceFixture.route(name: "api", pathType: "PathPrefix", path: "/api", backends: [("nginx", 1)]),
                                            at: TraceFixture.t0), at: 5)
        let r = try replay(events).report
        #expect(r.changed == 0)
        #expect(r.unreachedRules == ["httproute/app/api/rule/0"])
        #expect(r.unreachedChangedRules.isEmpty)  // recorded, not the change's
        #expect(r.rules.map(\.rule) == ["httproute/app/web/rule/0"])
    }

    @Test func reportIsByteIdenticalForAnyThreadCountAndChunking() throws {
        var events = TraceFixture.events(requests: 6_000) { i in i % 3 == 0 ? "/items/\(i)" : (i % 3 == 1 ? "/foo" : "/") }
        events.insert(TraceFixture.resource(TraceFixture.even, at: TraceFixture.t0 + TraceFixture.second + 2_000 * 1_000), at: 5 + 2_000)
        events.insert(TraceFixture.resource(TraceFixture.service("extra"), at: TraceFixture.t0 + TraceFixture.second + 4_000 * 1_000), at: 5 + 4_001)
        let change = ReplayChange(objects: TraceFixture.objects(TraceFixture.exactFoo),
                                  atMicros: TraceFixture.t0 + TraceFixture.second + 1_000 * 1_000)
        let dir = ReplayTempDir()
        let trace = dir.file("trace.zst")
        try TraceFixture.write(events, to: trace, frameBytes: 32 << 10)
        func run(threads: Int, chunkSize: Int, comparesPairsOnce: Bool = true) throws -> ReplayResult {
            var options = ReplayOptions(tracePath: trace, change: change, threads: threads, verify: true, chunkSize: chunkSize)
            options.comparesPairsOnce = comparesPairsOnce
            return try Replay.run(options)
        }
        let one = try run(threads: 1, chunkSize: 4096)
        let four = try run(threads: 4, chunkSize: 97)
        // Every request compared on its own: the tables change twice, and pairs
        // compared against the old tables must not be reused after.
        let tiny = try run(threads: 3, chunkSize: 1, comparesPairsOnce: false)
        #expect(one.report == four.report)
        #expect(one.report == tiny.report)
        let json = ImpactReportRenderer.json(one.report)
        #expect(json == ImpactReportRenderer.json(four.report))
        #expect(json == ImpactReportRenderer.json(tiny.report))
        #expect(one.report.changed > 0)
        #expect(one.report.patterns.contains { $0.pathTemplate == "/items/{id}" })
    }

    /// Requests compared once per verdict pair (PairMemo, kept across chunks)
    /// must count exactly as requests compared one by one, and requests through
    /// a rewrite rule, whose comparison depends on the path, are compared one by one.
    @Test func verdictPairsCountLikeRequestByRequest() throws {
        func route(rewrite: String, canary: (Int, Int)) -> String {
            #"{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"web","namespace":"app"},"spec":{"parentRefs":[{"name":"gw","namespace":"infra"}],"hostnames":["whoami"],"rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/api"}}],"filters":[{"type":"URLRewrite","urlRewrite":{"path":\#(rewrite)}}],"backendRefs":[{"name":"whoami","port":80}]},{"matches":[{"path":{"type":"PathPrefix","value":"/"}}],"backendRefs":[{"name":"whoami","port":80,"weight":\#(canary.0)},{"name":"nginx","port":80,"weight":\#(canary.1)}]}]}}"#
        }
        let events = TraceFixture.events(route: route(rewrite: #"{"type":"ReplacePrefixMatch","replacePrefixMatch":"/v1"}"#, canary: (3, 1)),
                                         requests: 3_000) { i in
            i % 3 == 0 ? "/api/items/\(i)" : (i % 3 == 1 ? "/" : "/page/\(i % 7)")
        }
        // The first request, /api/items/0, is forwarded to /v1/items/0 either way; every other /api request changes.
        let candidate = route(rewrite: #"{"type":"ReplaceFullPath","replaceFullPath":"/v1/items/0"}"#, canary: (1, 1))
        let change = ReplayChange(objects: TraceFixture.objects(candidate))
        let whole = try replay(events, change: change, chunkSize: 16_384).report
        var single = try replay(events, change: change, chunkSize: 1, comparesPairsOnce: false).report
        single.input.trace = whole.input.trace // each replay writes its own trace file
        #expect(whole == single)
        var small = try replay(events, change: change, threads: 2, chunkSize: 7).report
        small.input.trace = whole.input.trace
        #expect(whole == small)
        #expect(whole.categories[.rewrite] == 999)
        #expect(whole.changed > 999 && whole.changed < 2_000)
    }

    /// A Host with a trailing dot is routed by the object path, so its requests are
    /// compared one by one, while plain ones are counted by verdict pair; both land in
    /// one pattern, whose examples must still be its first requests in log order.
    @Test func patternsReachedBothWaysKeepTheirExamplesInLogOrder() throws {
        var events = TraceFixture.events(requests: 0)
        for i in 0..<2_000 {
            events.append(TraceFixture.request(i, at: TraceFixture.t0 + TraceFixture.second + Int64(i) * 1_000,
                                               host: i % 3 == 0 ? "whoami." : "whoami"))
        }
        let change = ReplayChange(objects: TraceFixture.objects(TraceFixture.even))
        let counted = try replay(events, change: change).report
        var single = try replay(events, change: change, chunkSize: 1, comparesPairsOnce: false).report
        single.input.trace = counted.input.trace // each replay writes its own trace file
        #expect(counted == single)
        var rows: [ChangedRequestRow] = []
        _ = try replay(events, change: change, onChanged: { rows.append($0) })
        let pattern = try #require(counted.patterns.first { $0.host == "whoami" })
        #expect(pattern.examples == Array(rows.prefix(3).map(\.id)))
        #expect(rows.prefix(3).contains { $0.host == "whoami." } && rows.prefix(3).contains { $0.host == "whoami" })
    }

    @Test func truncatedTraceReplaysItsPrefixWithAWarning() throws {
        let dir = ReplayTempDir()
        let trace = dir.file("trace.zst")
        try TraceFixture.write(TraceFixture.events(requests: 5_000), to: trace, frameBytes: 16 << 10)
        var data = try Data(contentsOf: URL(fileURLWithPath: trace))
        data.removeLast(data.count / 3)
        try data.write(to: URL(fileURLWithPath: trace))
        let result = try Replay.run(ReplayOptions(tracePath: trace, change: ReplayChange(objects: TraceFixture.objects(TraceFixture.even))))
        #expect(result.report.requests > 0 && result.report.requests < 5_000)
        #expect(result.report.input.warning?.contains("truncated") == true)
        #expect(result.warnings.contains { $0.contains("truncated") })
    }

    @Test func damagedTraceIsAnErrorNamingTheByteOffset() throws {
        let dir = ReplayTempDir()
        let trace = dir.file("trace.zst")
        try TraceFixture.write(TraceFixture.events(requests: 5_000), to: trace, frameBytes: 16 << 10)
        var data = try Data(contentsOf: URL(fileURLWithPath: trace))
        let middle = data.count / 2
        for i in middle..<(middle + 16) { data[i] ^= 0x5A }
        try data.write(to: URL(fileURLWithPath: trace))
        do {
            _ = try Replay.run(ReplayOptions(tracePath: trace, threads: 2))
            Issue.record("a damaged trace replayed")
        } catch let error as ReplayError {
            guard case .damaged(_, let atByte, _, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(atByte > 0 && atByte <= middle)
            #expect(error.description.contains("at byte \(atByte)"))
        }
    }

    /// Request lines are decoded by the workers; one that does not decode must
    /// stop the replay with the very error the trace reader gives for it.
    @Test func undecodableRequestLineFailsAsTheReaderWould() throws {
        var text: [UInt8] = []
        TraceHeader(created: "2026-11-18T00:00:00.000000Z", generator: "test").appendJSON(to: &text)
        text.append(0x0A)
        var lines = [text]
        for (index, var event) in TraceFixture.events(requests: 2_000).enumerated() {
            event.seq = Int64(index + 1)
            var line: [UInt8] = []
            event.appendJSON(to: &line)
            if index == 1_500 { line = Array(String(decoding: line, as: UTF8.self).replacingOccurrences(of: #""port":80"#, with: #""port":"eighty""#).utf8) }
            lines.append(line + [0x0A])
        }
        let dir = ReplayTempDir()
        let trace = dir.file("trace.zst")
        var compressed: [UInt8] = []
        let compressor = try ZstdFrameCompressor(level: 3)
        for start in stride(from: 0, to: lines.count, by: 100) {
            let frame = Array(lines[start..<min(start + 100, lines.count)].joined())
            try frame.withUnsafeBytes { try compressor.compressFrame($0) { compressed += $0 } }
        }
        try Data(compressed).write(to: URL(fileURLWithPath: trace))

        let (_, read) = try TraceReader.readAll(path: trace)
        guard case .damaged(let atByte, let kept, let message) = read.stopReason else { Issue.record("reader: \(read.stopReason)"); return }
        #expect(kept == 1_500 && atByte > 0 && message.hasPrefix("line 1502: "))
        for (threads, chunkSize) in [(1, 4096), (2, 7)] {
            #expect(throws: ReplayError.damaged(path: trace, atByte: atByte, eventsKept: kept, message: message)) {
                try Replay.run(ReplayOptions(tracePath: trace, threads: threads, chunkSize: chunkSize))
            }
        }
    }

    /// A foreign writer's frames may end in the middle of a line. With workers, each frame
    /// goes into a fresh line buffer (the lines of earlier ones are read where they lie),
    /// and the part of a line the last frame left goes along: the report is the one thread's.
    @Test func linesSpanningFramesReplayAlikeOnAnyThreadCount() throws {
        var text: [UInt8] = []
        TraceHeader(created: "2026-11-18T00:00:00.000000Z", generator: "test").appendJSON(to: &text)
        text.append(0x0A)
        var events = TraceFixture.events(requests: 3_000) { i in i % 2 == 0 ? "/items/\(i)" : "/" }
        events.insert(TraceFixture.resource(TraceFixture.even, at: TraceFixture.t0 + TraceFixture.second + 1_500 * 1_000), at: 5 + 1_500)
        for (index, var event) in events.enumerated() {
            event.seq = Int64(index + 1)
            event.appendJSON(to: &text)
            text.append(0x0A)
        }
        let dir = ReplayTempDir()
        let trace = dir.file("trace.zst")
        var compressed: [UInt8] = []
        let compressor = try ZstdFrameCompressor(level: 3)
        var start = 0
        for cut in [1, 97, 4_099, 30_011, 200_003] where cut > start {  // then every 65,537 bytes
            try Array(text[start..<min(cut, text.count)]).withUnsafeBytes { try compressor.compressFrame($0) { compressed += $0 } }
            start = min(cut, text.count)
        }
        while start < text.count {
            let end = min(start + 65_537, text.count)
            try Array(text[start..<end]).withUnsafeBytes { try compressor.compressFrame($0) { compressed += $0 } }
            start = end
        }
        try Data(compressed).write(to: URL(fileURLWithPath: trace))
        let change = ReplayChange(objects: TraceFixture.objects(TraceFixture.exactFoo))
        let one = try Replay.run(ReplayOptions(tracePath: trace, change: change, threads: 1, chunkSize: 4096)).report
        #expect(one.requests == 3_000)
        for (threads, chunkSize) in [(2, 4096), (3, 7)] {
            #expect(try Replay.run(ReplayOptions(tracePath: trace, change: change, threads: threads, chunkSize: chunkSize)).report == one)
        }
    }

    @Test func missingTraceIsUnreadable() {
        #expect(throws: ReplayError.self) { try Replay.run(ReplayOptions(tracePath: "/nonexistent/trace.zst")) }
        #expect(throws: ReplayError.self) { try Replay.run(ReplayOptions(tracePath: "/nonexistent/store.db")) }
    }

    @Test func undecodableRecordedObjectsAreSkippedWithAWarning() throws {
        var events = TraceFixture.events(requests: 10)
        events.insert(TraceFixture.resource(#"{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"bad","namespace":"app"},"spec":{"rules":[{"matches":[{"path":{"type":"Nope","value":"/"}}]}]}}"#, at: TraceFixture.t0), at: 5)
        events.insert(TraceFixture.resource(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"app"}}"#, at: TraceFixture.t0), at: 5)
        let result = try replay(events)
        #expect(result.report.requests == 10)
        #expect(result.warnings.count == 1)
        #expect(result.warnings.first?.contains("skipped 1 recorded object") == true)
    }

    @Test func pathTemplates() {
        #expect(PathTemplate.of("/api/items/42?page=2") == "/api/items/{id}")
        #expect(PathTemplate.of("/u/123e4567-e89b-12d3-a456-426614174000/x") == "/u/{id}/x")
        #expect(PathTemplate.of("/blob/4bf92f3577b34da6a3ce929d0e0e4736") == "/blob/{id}")
        #expect(PathTemplate.of("/") == "/")
        #expect(PathTemplate.of("/v2/deadbeef") == "/v2/deadbeef")
    }
}
