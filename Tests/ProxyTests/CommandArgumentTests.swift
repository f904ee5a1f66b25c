import EventLog
import Foundation
import Testing

/// Arguments checked through the built binary: refused with the rule (exit 2, as all bad
/// input), never a crash.
@Suite struct CommandArgumentTests {
    /// `gwsim route`: a method, header name or port that HTTP cannot carry.
    @Test func argumentsHTTPCannotCarryAreRefused() throws {
        guard LiveConformanceTests.gwsimBinary != nil else { return }
        let seed = TraceLevelCommandTests.repository.appendingPathComponent("scenarios/seed").path
        let refused: [(arguments: [String], message: String)] = [
            (["-X", "G ET"], "-X G ET: a method is a token"),
            (["-H", "a b: c"], "the name a b is not a token"),
            (["--port", "70000"], "--port 70000 is not a port number (1-65535)"),
            (["--port", "0"], "--port 0 is not a port number (1-65535)"),
        ]
        for (arguments, message) in refused {
            let (status, output) = try LiveConformanceTests.run(["route", "-f", seed] + arguments + ["http://whoami/"])
            #expect(status == 2, "\(arguments): \(output)")
            #expect(output.contains(message), "\(arguments): \(output)")
        }
        let (status, output) = try LiveConformanceTests.run(["route", "-f", seed, "-X", "PURGE", "-H", "X-Debug_1: on", "http://whoami/"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("forward to kube-system/"), "\(output)")
    }

    /// `--address-pool`: a Gateway's requested address outside the pool leaves it unprogrammed
    /// (and `route` says why nothing listens), one inside is listed in its status; an entry
    /// that is no address is refused.
    @Test func statusJudgesRequestedAddressesAgainstThePool() throws {
        guard LiveConformanceTests.gwsimBinary != nil else { return }
        let seed = TraceLevelCommandTests.repository.appendingPathComponent("scenarios/seed/00-traefik-gateway.yaml").path
        let manifest = FileManager.default.temporaryDirectory.appendingPathComponent("gwsim-addresses-\(UUID().uuidString).yaml").path
        let gateway = try String(contentsOfFile: seed, encoding: .utf8)
        try gateway.replacingOccurrences(of: "  listeners:", with: "  addresses: [{value: 10.0.0.7}]\n  listeners:")
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: manifest) }
        let (inside, listed) = try LiveConformanceTests.run(["status", "-f", manifest, "--address-pool", "10.0.0.0/24"])
        #expect(inside == 0 && listed.contains("value: 10.0.0.7") && !listed.contains("AddressNotUsable"), "\(listed)")
        let (outside, refused) = try LiveConformanceTests.run(["status", "-f", manifest, "--address-pool", "192.0.2.0/24"])
        #expect(outside == 0 && refused.contains("reason: AddressNotUsable"), "\(refused)")
        let (_, routed) = try LiveConformanceTests.run(["route", "-f", manifest, "--address-pool", "192.0.2.0/24", "http://whoami:8000/"])
        #expect(routed.contains("Gateway kube-system/traefik-gateway has a listener on port 8000 but is not programmed (AddressNotUsable"), "\(routed)")
        let (bad, message) = try LiveConformanceTests.run(["status", "-f", manifest, "--address-pool", "10.0.0.0/40"])
        #expect(bad == 2 && message.contains("\"10.0.0.0/40\" is not an IP address, a CIDR range"), "\(message)")
    }

    /// `gwsim route` reads its URL and Host as curl does: -H Host is the Host routed on (the
    /// seed article's `curl -H "Host: whoami" http://192.168.31.108`), the fragment and
    /// userinfo never reach the backend, and a malformed host or an unknown --gateway is an error.
    @Test func routeReadsTheURLAndHostAsCurlDoes() throws {
        guard LiveConformanceTests.gwsimBinary != nil else { return }
        let repository = TraceLevelCommandTests.repository
        let seed = ["00-traefik-gateway.yaml", "01-whoami.yaml", "02-whoami-httproute.yaml"]
            .flatMap { ["-f", repository.appendingPathComponent("scenarios/seed/\($0)").path] }
        let (status, text) = try LiveConformanceTests.run(["route"] + seed + ["-o", "json", "-H", "Host: whoami", "http://192.168.31.108/"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("\"outcome\":\"forward\"") && text.contains("\"host\":\"whoami\""), "\(text)")
        let (_, json) = try LiveConformanceTests.run(["route"] + seed + ["-o", "json", "http://u:p@whoami/a?x=1#frag"])
        #expect(json.contains("\"path\":\"/a?x=1\"") && json.contains("\"host\":\"whoami\""), "\(json)")
        let refused: [(arguments: [String], message: String)] = [
            (["http://[::1/t"], "has no closing ]"),
            (["http://:80/"], "has a port but no host name"),
            (["-H", "Host: a", "-H", "host: b", "http://whoami/"], "-H Host is given 2 times"),
            (["--gateway", "nope/x", "http://whoami/"], "--gateway nope/x: no such Gateway in the manifests; they hold kube-system/traefik-gateway"),
        ]
        for (arguments, message) in refused {
            let (status, text) = try LiveConformanceTests.run(["route"] + seed + arguments)
            #expect(status == 2, "\(arguments): \(text)")
            #expect(text.contains(message), "\(arguments): \(text)")
        }
    }

    /// `gwsim route tls://HOST:PORT` (and tcp://, udp://) shows a connection's decision: the
    /// SNI picks the TLSRoute, as the proxy would route it; so does an https:// request there.
    @Test func routeShowsConnectionDecisions() throws {
        guard LiveConformanceTests.gwsimBinary != nil else { return }
        let input = TraceLevelCommandTests.repository.appendingPathComponent("Tests/RoutingCoreTests/Golden/tlsroute-sni/input.yaml").path
        let (status, json) = try LiveConformanceTests.run(["route", "-f", input, "-o", "json", "tls://db.example.com:443"])
        #expect(status == 0, "\(json)")
        #expect(json.contains("\"id\":\"tlsroute/default/exact/rule/0\"") && json.contains("\"outcome\":\"forward\""), "\(json)")
        let (_, wildcard) = try LiveConformanceTests.run(["route", "-f", input, "tls://other.example.com"])
        #expect(wildcard.contains("using the only TLS listener's, port 443") && wildcard.contains("forward to default/two:443"), "\(wildcard)")
        let (_, tcp) = try LiveConformanceTests.run(["route", "-f", input, "tcp://x:443"])
        #expect(tcp.contains("connection refused: no TCP listener on port 443"), "\(tcp)")
        // An HTTPS client's ClientHello reaches the TLS listener, which passes it through.
        let (_, https) = try LiveConformanceTests.run(["route", "-f", input, "https://db.example.com/"])
        #expect(https.contains("route      tlsroute/default/exact/rule/0") && https.contains("note: SNI db.example.com selects TLS listener tls"), "\(https)")
        let (_, http) = try LiveConformanceTests.run(["route", "-f", input, "http://db.example.com:443/"])
        #expect(http.contains("route a connection to it with tls://HOST:443"), "\(http)")
        let (refused, text) = try LiveConformanceTests.run(["route", "-f", input, "tls://x:443/path"])
        #expect(refused == 2 && text.contains("a tls:// connection has no path"), "\(text)")
    }

    /// `gwsim bench routing`: sizes it cannot build (zero routes divided by zero).
    @Test func benchSizesAreChecked() throws {
        guard LiveConformanceTests.gwsimBinary != nil else { return }
        for (option, value, message) in [("--routes", "0", "--routes must be between 1 and 1000000, got 0"),
                                         ("--rules-per-route", "17", "--rules-per-route must be between 1 and 16, got 17"),
                                         ("--hostnames", "0", "--hostnames must be between 1 and 1000000, got 0")] {
            let (status, output) = try LiveConformanceTests.run(["bench", "routing", option, value])
            #expect(status == 2, "\(option) \(value): \(output)")
            #expect(output.contains(message), "\(output)")
        }
    }

    /// Counts past what a command can sensibly do are refused, not attempted.
    @Test func countsAreBounded() throws {
        guard LiveConformanceTests.gwsimBinary != nil else { return }
        let repository = TraceLevelCommandTests.repository
        let trace = repository.appendingPathComponent("traces/seed-canary.zst").path
        let scenario = repository.appendingPathComponent("scenarios/seed-canary.yaml").path
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("gwsim-bounded-\(UUID().uuidString).zst").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let refused: [(arguments: [String], status: Int32, message: String)] = [
            (["replay", trace, "--threads", "100000", "--no-progress"], 2, "--threads must be between 1 and 256, got 100000"),
            (["generate", scenario, "-o", output, "--requests", "2000000000"], 2, "--requests must be between 0 and 1000000000"),
            (["inspect", trace, "--hosts=-1"], 2, "--hosts must be >= 0, got -1"),
            (["inspect", trace, "--hosts", "-1"], 2, "--hosts must be >= 0, got -1"),
            (["generate", scenario, "-o", output, "--requests", "-5"], 2, "--requests must be between 0 and 1000000000, got -5"),
            (["generate", scenario, "-o", output, "--seed", "-1"], 2, "The value '-1' is invalid for '--seed <seed>'"),
            (["generate", repository.appendingPathComponent("scenarios").path, "-o", output], 2, "is a directory: give a scenario file"),
            (["generate", trace, "-o", output], 2, "is not a YAML scenario: it holds binary data (a trace?)"),
            (["delete", "GatewayClass/traefik", "--log", output + ".db"], 2, "no such file"),
        ]
        for (arguments, status, message) in refused {
            let (actual, text) = try LiveConformanceTests.run(arguments)
            #expect(actual == status, "\(arguments): \(text)")
            #expect(text.contains(message), "\(arguments): \(text)")
        }
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(!FileManager.default.fileExists(atPath: output + ".db"))
    }

    /// A replay change that cannot say what it means is refused before any report.
    @Test func ambiguousOrEmptyReplayChangesAreRefused() throws {
        guard LiveConformanceTests.gwsimBinary != nil else { return }
        let repository = TraceLevelCommandTests.repository
        let trace = repository.appendingPathComponent("traces/seed-canary.zst").path
        let seed = repository.appendingPathComponent("scenarios/seed").path
        let change = repository.appendingPathComponent("scenarios/seed-canary/new-route.yaml").path
        let deployment = FileManager.default.temporaryDirectory.appendingPathComponent("gwsim-deployment-\(UUID().uuidString).yaml").path
        try "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: app}\n".write(toFile: deployment, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: deployment) }
        let refused: [(arguments: [String], message: String)] = [
            (["--without", "HTTPRoute/kube-system/missing"], "records no such object, so removing it would change nothing"),
            (["--without", "HTTPRoute/http-app-1"], "HTTPRoute is namespaced: write HTTPRoute/NAMESPACE/http-app-1"),
            (["--without", "Deployment/a/b"], "Deployment is not a kind gwsim simulates"),
            (["--with", seed], "is given twice, at "),
            (["--with", change, "--without", "HTTPRoute/kube-system/http-app-1"], "is both applied (--with"),
            (["--with", deployment], "no object of a kind gwsim simulates"),
            (["--with", change, "--at", "2100-01-01T00:00:00Z"], "no recorded request would see the change"),
            ([], "no change to replay: give the candidate with --with FILE"),
        ]
        for (arguments, message) in refused {
            let (status, text) = try LiveConformanceTests.run(["replay", trace, "--no-progress"] + arguments)
            #expect(status == 2, "\(arguments): \(text)")
            #expect(text.contains(message), "\(arguments): \(text)")
        }
        // The kind in any case, as reports write route keys.
        let (status, text) = try LiveConformanceTests.run(["replay", trace, "--no-progress", "-o", "json", "--without", "httproute/kube-system/http-app-1"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("\"newlyFailing\""), "\(text)")
    }

    /// `gwsim cat`'s table keeps one event per line whatever the recorded text holds.
    @Test func catTableEscapesControlCharacters() throws {
        guard LiveConformanceTests.gwsimBinary != nil else { return }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gwsim-cat-\(UUID().uuidString).zst").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try TraceWriter(path: path)
        let record = RequestRecord(id: "a", client: "127.0.0.1:1", port: 80, scheme: "http", method: "GET", host: "h", path: "/a\nb\tc\u{1b}[2J")
        try writer.write(Event(time: 1_700_000_000, body: .request(record)))
        try writer.close()
        let (status, text) = try LiveConformanceTests.run(["cat", path])
        #expect(status == 0, "\(text)")
        #expect(text.split(separator: "\n").count == 2, "\(text)")
        #expect(text.contains("/a\\u{a}b\\u{9}c\\u{1b}[2J"), "\(text)")
    }

    /// `gwsim delete --log` records a deletion of a live object, and refuses one that is not.
    @Test func deleteRecordsDeletionsOfLiveObjectsOnly() throws {
        guard LiveConformanceTests.gwsimBinary != nil else { return }
        let seed = TraceLevelCommandTests.repository.appendingPathComponent("scenarios/seed").path
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("gwsim-delete-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: log + suffix) } }
        let route = seed + "/02-whoami-httproute.yaml"
        #expect(try LiveConformanceTests.run(["apply", "-f", route, "--log", log]).status == 0)
        let (status, text) = try LiveConformanceTests.run(["delete", "httproute/kube-system/http-app-1", "--log", log])
        #expect(status == 0, "\(text)")
        #expect(text.contains("deleted\tHTTPRoute/kube-system/http-app-1"), "\(text)")
        let (_, state) = try LiveConformanceTests.run(["state", log])
        #expect(!state.contains("http-app-1"), "\(state)")
        let (again, message) = try LiveConformanceTests.run(["delete", "HTTPRoute/kube-system/http-app-1", "--log", log])
        #expect(again == 2 && message.contains("HTTPRoute/kube-system/http-app-1 is not live"), "\(message)")
        let (bad, why) = try LiveConformanceTests.run(["delete", "Deployment/a/b", "--log", log])
        #expect(bad == 2 && why.contains("Deployment is not a kind gwsim simulates"), "\(why)")
    }

    /// Options that do not parse are bad input too: exit 2 with the usage, not 64.
    @Test func unparsableOptionsExitTwo() throws {
        guard LiveConformanceTests.gwsimBinary != nil else { return }
        let trace = TraceLevelCommandTests.repository.appendingPathComponent("traces/seed-canary.zst").path
        for arguments in [["replay", trace, "-o", "xml"], ["replay", trace, "--bogus"], ["cat", trace, "--kind", "bogus"], ["replay"]] {
            let (status, text) = try LiveConformanceTests.run(arguments)
            #expect(status == 2, "\(arguments): \(text)")
            #expect(text.contains("Usage: gwsim"), "\(arguments): \(text)")
        }
    }

    /// Standard output that cannot be written (a full disk; a closed pipe with SIGPIPE
    /// ignored) ends the command with a message and exit 2, not a trap.
    @Test func unwritableOutputIsAnErrorNotACrash() throws {
        guard LiveConformanceTests.gwsimBinary != nil, let full = FileHandle(forWritingAtPath: "/dev/full") else { return }
        let trace = TraceLevelCommandTests.repository.appendingPathComponent("traces/seed-canary.zst").path
        let change = TraceLevelCommandTests.repository.appendingPathComponent("scenarios/seed-canary/new-route.yaml").path
        for arguments in [["replay", trace, "--with", change, "-o", "json", "--no-progress"], ["cat", trace], ["inspect", trace], ["state", trace]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: LiveConformanceTests.gwsimBinary!)
            process.arguments = arguments
            let errors = Pipe()
            process.standardOutput = full
            process.standardError = errors
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 2, "\(arguments): \(text)")
            #expect(text.contains("standard output: write failed: No space left on device"), "\(arguments): \(text)")
        }
    }
}
