import Foundation
import GatewayAPI
import RoutingCore
import Testing

/// Golden cases: `Golden/<case>/input.yaml` (manifests) and `requests.yaml` (a list
/// of requests, written in the JSON subset of YAML) give the expected
/// `status.yaml` (every `StatusReport.objects` entry as YAML, each after `---`)
/// and `decisions.json` (one `Decision.jsonValue` per request, sorted keys, one
/// per line). With `GWSIM_UPDATE_GOLDEN=1` the expected files are rewritten.
///
/// A request is an object with: `method` (GET), `url` (`http://host[:port]/path?query`)
/// or `host` + `path`, `scheme` (from the url, else http), `port` (from the url,
/// else 80/443), `headers` (object), `sni`, `key` (the weighted-choice key,
/// default `k`), `gateway` (`ns/name`). With `connection` (`TLS`, `TCP`, `UDP`) it
/// is a layer-4 connection routed with `routeConnection` (uses port, sni, key).
@Suite struct GoldenTests {
    static let directory: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast()
        return parts.joined(separator: "/") + "/Golden"
    }()

    static let updating = ProcessInfo.processInfo.environment["GWSIM_UPDATE_GOLDEN"] == "1"
    static let inputs: Set<String> = ["input.yaml", "requests.yaml"]
    static let outputs: Set<String> = ["status.yaml", "decisions.json"]

    static func cases() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: "\(directory)/\($0)/input.yaml") }.sorted()
    }

    @Test func goldenCasesExist() {
        #expect(Self.cases().count >= 8, "golden cases in \(Self.directory)")
        if Self.updating { Self.deleteStale() }
    }

    @Test(arguments: GoldenTests.cases())
    func golden(_ name: String) throws {
        let dir = "\(Self.directory)/\(name)"
        let loaded = Loader.load(paths: ["\(dir)/input.yaml"])
        let errors = loaded.diagnostics.filter { $0.severity == .error }.map(\.description)
        #expect(errors.isEmpty, "\(name): \(errors)")
        let world = Compiler.compile(loaded.resources)

        let status = world.status.objects.map { "---\n" + $0.toYAML() }.joined()
        var decisions = "[]\n"
        let requestsPath = "\(dir)/requests.yaml"
        if FileManager.default.fileExists(atPath: requestsPath) {
            let text = try String(contentsOfFile: requestsPath, encoding: .utf8)
            let list = try Value.parseJSON(text).arrayValue ?? []
            let lines = try list.enumerated().map { index, item in
                try Self.decide(item, index: index, table: world.table).jsonValue.toJSON(sortedKeys: true)
            }
            decisions = lines.isEmpty ? "[]\n" : "[\n" + lines.map { "  " + $0 }.joined(separator: ",\n") + "\n]\n"
        }
        Self.check(name, file: "status.yaml", actual: status)
        Self.check(name, file: "decisions.json", actual: decisions)
    }

    // MARK: Requests

    struct BadRequest: Error, CustomStringConvertible { let description: String }

    static func decide(_ item: Value, index: Int, table: RoutingTable) throws -> Decision {
        let key = item["key"]?.stringValue ?? "k"
        var gateway: ObjectKey?
        if let name = item["gateway"]?.stringValue {
            let parts = name.split(separator: "/").map(String.init)
            guard parts.count == 2 else { throw BadRequest(description: "request \(index): gateway must be ns/name") }
            gateway = ObjectKey(kind: "Gateway", namespace: parts[0], name: parts[1])
        }
        if let proto = item["connection"]?.stringValue {
            guard let port = item["port"]?.intValue else { throw BadRequest(description: "request \(index): connection needs a port") }
            return table.routeConnection(ConnectionRequest(gateway: gateway, port: port, protocol: ListenerProtocol(proto),
                                                           sni: item["sni"]?.stringValue), key: key)
        }
        var scheme = item["scheme"]?.stringValue ?? "http"
        var host = item["host"]?.stringValue ?? ""
        var path = item["path"]?.stringValue ?? "/"
        var port = item["port"]?.intValue
        if let url = item["url"]?.stringValue {
            guard let schemeEnd = url.range(of: "://") else { throw BadRequest(description: "request \(index): bad url \(url)") }
            scheme = String(url[..<schemeEnd.lowerBound])
            let rest = url[schemeEnd.upperBound...]
            let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            host = String(rest[..<slash])
            path = String(rest[slash...])
            if path.isEmpty { path = "/" } else if path.hasPrefix("?") { path = "/" + path }
            if port == nil, let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") { port = Int(host[host.index(after: colon)...]) }
        }
        let headers: [HTTPHeader] = (item["headers"]?.objectValue ?? []).map { HTTPHeader(name: $0.0, value: $0.1.stringValue ?? "") }
        let request = RouteRequest(gateway: gateway, port: port ?? (scheme == "https" ? 443 : 80), scheme: scheme,
                                   method: item["method"]?.stringValue ?? "GET", host: host, path: path,
                                   headers: headers, sni: item["sni"]?.stringValue)
        return table.route(request, key: key)
    }

    // MARK: Compare or update

    static func check(_ name: String, file: String, actual: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let path = "\(directory)/\(name)/\(file)"
        if updating {
            do { try actual.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                Issue.record("cannot write \(path): \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            Issue.record("\(name)/\(file) is missing; run with GWSIM_UPDATE_GOLDEN=1 to create it", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            Issue.record("\(name)/\(file) differs from the golden file (GWSIM_UPDATE_GOLDEN=1 rewrites it):\n\(diff(expected, actual))",
                         sourceLocation: sourceLocation)
        }
    }

    /// The first differing lines with a little context, in unified-diff style.
    static func diff(_ expected: String, _ actual: String, context: Int = 2, maxLines: Int = 12) -> String {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var first = 0
        while first < a.count, first < b.count, a[first] == b[first] { first += 1 }
        var lastA = a.count - 1, lastB = b.count - 1
        while lastA >= first, lastB >= first, a[lastA] == b[lastB] { lastA -= 1; lastB -= 1 }
        let start = max(0, first - context)
        var out = ["--- expected", "+++ actual", "@@ line \(first + 1) @@"]
        for line in a[start..<first] { out.append("  " + line) }
        for line in a[first..<min(lastA + 1, first + maxLines)] where first <= lastA { out.append("- " + line) }
        if lastA + 1 - first > maxLines { out.append("- ... (\(lastA + 1 - first - maxLines) more)") }
        for line in b[first..<min(lastB + 1, first + maxLines)] where first <= lastB { out.append("+ " + line) }
        if lastB + 1 - first > maxLines { out.append("+ ... (\(lastB + 1 - first - maxLines) more)") }
        return out.joined(separator: "\n")
    }

    /// Update mode: removes outputs that no longer belong to a case (files of a
    /// folder without input.yaml, and unknown files in a case folder).
    static func deleteStale() {
        let fm = FileManager.default
        for folder in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] {
            let dir = "\(directory)/\(folder)"
            let files = (try? fm.contentsOfDirectory(atPath: dir)) ?? []
            let isCase = files.contains("input.yaml")
            for file in files where !inputs.contains(file) {
                let stale = !isCase || !outputs.contains(file)
                if stale { try? fm.removeItem(atPath: "\(dir)/\(file)") }
            }
            if !isCase, ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).isEmpty { try? fm.removeItem(atPath: dir) }
        }
    }
}
