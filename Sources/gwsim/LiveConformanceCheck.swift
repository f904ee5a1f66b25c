import Conformance
import Foundation
import GatewayAPI

/// What a client and the echo backend observed for one live request.
struct LiveObservation {
    var status = 0
    var error: String?
    var echo: WhoamiEcho?
    /// Service that answered (from the echo), nil when the gateway answered itself.
    var service: ObjectKey?
    var pod: String?
    var location: String?
    var responseHeaders: [(String, String)] = []

    init(error: String) { self.error = error }

    init(response: LiveHTTPClient.Response) {
        status = response.status
        responseHeaders = response.headers
        location = response.header("location")
        if (200..<300).contains(status), response.header("content-type")?.contains("application/json") == true,
           response.header("x-whoami-name") != nil {
            echo = WhoamiEcho(json: response.body)
        }
    }

    var isSuccess: Bool { error == nil && (200..<300).contains(status) }
    var isRedirect: Bool { error == nil && (300..<400).contains(status) }
}

/// The in-process check (Conformance.RequestCheck.compare and its helpers), rewritten
/// against live observations: status first; on a 2xx the backend (pod-name prefix),
/// namespace and the request as the echo saw it; on a 3xx the Location; response headers.
enum LiveCheck {
    static func compare(_ r: RequestCase, observed o: LiveObservation) -> [String] {
        if r.expectFailure { return o.isSuccess ? ["expected a failure, got \(o.status)"] : [] }
        guard let e = r.expect else { return o.status == 200 ? [] : ["expected status 200, got \(o.status)"] }
        let codes = e.statusCodes.flatMap { $0.isEmpty ? nil : $0 } ?? [200]
        guard codes.contains(o.status) || (!Set(codes).isDisjoint(with: [408, 504]) && [408, 504].contains(o.status)) else {
            return ["expected status \(codes.map(String.init).joined(separator: " or ")), got \(o.status)"]
        }
        let method = r.request.method ?? "GET"
        let path = r.request.path ?? "/"
        var out: [String] = []
        if o.isSuccess { out += backend(r, e, method: method, path: path, observed: o) }
        if o.isRedirect, let redirect = e.redirect { out += self.redirect(redirect, scheme: r.scheme, path: path, location: o.location) }
        if let response = e.response { out += self.response(response, headers: o.responseHeaders) }
        return out
    }

    static func backend(_ r: RequestCase, _ e: Expectation, method requestMethod: String, path requestPath: String, observed o: LiveObservation) -> [String] {
        var out: [String] = []
        let got = o.service.map(\.name) ?? "none (answered by the gateway)"
        if let want = e.backend {
            if want.isEmpty {
                if o.service != nil { out.append("expected no backend (gateway answers), got backend \(got)") }
            } else if !(o.pod ?? "").hasPrefix(want) {
                out.append("expected backend \(want), got \(got)")
            }
        }
        if let want = e.namespace, want != (o.service?.namespace ?? "") {
            out.append("expected namespace \(want.isEmpty ? "none" : want), got \(o.service?.namespace ?? "none")")
        }
        guard let seen = o.echo, e.backend != "" else { return out }
        let expected = e.request
        if let host = expected?.host, !host.isEmpty, host.lowercased() != seen.host.lowercased() {
            out.append("expected backend to see host \(host), got \(seen.host)")
        }
        let method = expected?.method.flatMap { $0.isEmpty ? nil : $0 } ?? requestMethod
        if method != seen.method { out.append("expected backend to see method \(method), got \(seen.method)") }
        let path = expected?.path.flatMap { $0.isEmpty ? nil : $0 } ?? requestPath
        if path != seen.path { out.append("expected backend to see path \(path), got \(seen.path)") }
        let headers = expected?.headers ?? r.request.headers
        for (name, wanted) in headers {
            guard let actual = value(of: name, in: seen.headers) else {
                out.append("expected backend to see header \(name): \(wanted), missing")
                continue
            }
            if normalize(actual) != normalize(wanted) { out.append("expected backend to see header \(name): \(wanted), got \(actual)") }
        }
        for name in expected?.absentHeaders ?? [] {
            if let actual = value(of: name, in: seen.headers) { out.append("expected backend not to see header \(name), got \(actual)") }
        }
        return out
    }

    static func redirect(_ want: ExpectedRedirect, scheme requestScheme: String, path requestPath: String, location: String?) -> [String] {
        guard let location else { return ["expected a redirect, got no Location"] }
        let got = Location(location)
        var out: [String] = []
        if let host = want.host, host.lowercased() != got.host.lowercased() {
            out.append("expected redirect host \(host), got \(got.host) (Location \(location))")
        }
        let scheme = want.scheme ?? requestScheme
        if scheme.lowercased() != got.scheme.lowercased() {
            out.append("expected redirect scheme \(scheme), got \(got.scheme.isEmpty ? "none" : got.scheme) (Location \(location))")
        }
        if let port = want.port {
            if port != got.port { out.append("expected redirect port \(port), got \(got.port.isEmpty ? "none" : got.port) (Location \(location))") }
        } else {
            let defaultPort = got.scheme.lowercased() == "https" ? "443" : "80"
            if !got.port.isEmpty && got.port != defaultPort {
                out.append("expected redirect port empty or \(defaultPort), got \(got.port) (Location \(location))")
            }
        }
        let path = want.path ?? Location.pathOnly(requestPath)
        if path != got.path { out.append("expected redirect path \(path), got \(got.path) (Location \(location))") }
        return out
    }

    struct Location {
        var scheme = "", host = "", port = "", path = ""
        init(_ text: String) {
            var rest = Substring(text)
            if let range = rest.range(of: "://") {
                scheme = String(rest[..<range.lowerBound])
                rest = rest[range.upperBound...]
                let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
                let authority = rest[..<authorityEnd]
                rest = rest[authorityEnd...]
                if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
                    host = String(authority[..<colon])
                    port = String(authority[authority.index(after: colon)...])
                } else {
                    host = String(authority)
                }
            }
            path = Location.pathOnly(String(rest))
        }
        static func pathOnly(_ path: String) -> String { String(path.prefix { $0 != "?" }) }
    }

    static func response(_ want: ExpectedResponse, headers: [(String, String)]) -> [String] {
        var out: [String] = []
        for (name, expected) in want.headers {
            guard let actual = value(of: name, in: headers) else {
                out.append("expected response header \(name): \(expected), missing")
                continue
            }
            if normalize(actual) != normalize(expected) { out.append("expected response header \(name): \(expected), got \(actual)") }
        }
        for name in want.absentHeaders {
            if let actual = value(of: name, in: headers) { out.append("expected no response header \(name), got \(actual)") }
        }
        for (name, values) in want.validHeaderValues {
            let actual = value(of: name, in: headers)
            guard let actual, values.contains(where: { normalize($0) == normalize(actual) }) else {
                out.append("expected response header \(name) one of [\(values.joined(separator: " | "))], got \(actual ?? "none")")
                continue
            }
        }
        return out
    }

    static func value(of name: String, in headers: [(String, String)]) -> String? {
        let lower = name.lowercased()
        let values = headers.filter { $0.0.lowercased() == lower }.map(\.1)
        return values.isEmpty ? nil : values.joined(separator: ",")
    }

    static func normalize(_ value: String) -> String {
        value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ",")
    }
}

/// The outcome of one live case (Conformance.CaseResult has no public initializer).
struct LiveCaseResult {
    enum Outcome: Equatable {
        case passed
        case failed([String])
        case skipped(String)
    }
    var name: String
    var profile: String
    var level: String
    var outcome: Outcome
    var resultName: String {
        switch outcome {
        case .passed: "pass"
        case .failed: "fail"
        case .skipped: "skip"
        }
    }
}

/// The same text and JSON renderings as `ConformanceReport`.
struct LiveConformanceReport {
    var cases: [LiveCaseResult]
    var errors: [String]

    var passed: Int { cases.filter { $0.resultName == "pass" }.count }
    var failed: Int { cases.filter { $0.resultName == "fail" }.count + errors.count }
    var skipped: Int { cases.filter { $0.resultName == "skip" }.count }
    var summaryLine: String { "\(passed) passed, \(failed) failed, \(skipped) skipped" }

    var groups: [(profile: String, level: String, passed: Int, failed: Int, skipped: Int)] {
        let keys = Set(cases.map { "\($0.profile)\u{0}\($0.level)" }).sorted()
        return keys.map { key in
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            let group = cases.filter { $0.profile == parts[0] && $0.level == parts[1] }
            return (parts[0], parts[1], group.filter { $0.resultName == "pass" }.count,
                    group.filter { $0.resultName == "fail" }.count, group.filter { $0.resultName == "skip" }.count)
        }
    }

    var text: String {
        var lines: [String] = []
        for c in cases {
            switch c.outcome {
            case .passed: lines.append("PASS  \(c.name)")
            case .failed(let differences):
                lines.append("FAIL  \(c.name)")
                lines += differences.map { "      \($0)" }
            case .skipped(let reason): lines.append("SKIP  \(c.name): \(reason)")
            }
        }
        lines += errors.map { "ERROR \($0)" }
        lines.append("")
        for g in groups { lines.append("\(g.profile) \(g.level): \(g.passed) passed, \(g.failed) failed, \(g.skipped) skipped") }
        lines.append(summaryLine)
        return lines.joined(separator: "\n") + "\n"
    }

    var json: String {
        let caseValues: [Value] = cases.map { c in
            var pairs: [(String, Value)] = [("name", .string(c.name)), ("profile", .string(c.profile)),
                                            ("level", .string(c.level)), ("result", .string(c.resultName))]
            switch c.outcome {
            case .passed: break
            case .failed(let differences): pairs.append(("differences", .array(differences.map(Value.string))))
            case .skipped(let reason): pairs.append(("reasons", .array([.string(reason)])))
            }
            return .object(pairs)
        }
        let groupValues: [Value] = groups.map { g in
            .object([("profile", .string(g.profile)), ("level", .string(g.level)), ("passed", .int(g.passed)),
                     ("failed", .int(g.failed)), ("skipped", .int(g.skipped))])
        }
        let summary: Value = .object([("passed", .int(passed)), ("failed", .int(failed)), ("skipped", .int(skipped)),
                                      ("groups", .array(groupValues))])
        return Value.object([("mode", .string("live")), ("cases", .array(caseValues)), ("errors", .array(errors.map(Value.string))),
                             ("summary", summary)]).toJSON() + "\n"
    }
}
