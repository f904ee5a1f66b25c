import EventLog

/// The `traffic:` section. Defaults are fixed (not derived from the clock or the machine),
/// so the same file always means the same traffic.
enum TrafficParser {
    static let fields = ["start", "rate", "duration", "requests", "hosts", "paths", "methods", "headers", "queries",
                         "scheme", "port", "gateway", "clients", "connections", "requestsPerConnection"]

    static func parse(_ field: YAMLField) throws(ScenarioError) -> TrafficModel {
        let f = try field.mapping(allowed: fields)
        var start = TrafficModel.defaultStartMicros
        if f.has("start") {
            let text = try f["start"].string()
            guard let micros = EventTime.parse(text) else { throw f["start"].error("must be an RFC 3339 time like 2026-01-01T00:00:00Z, got \"\(text)\"") }
            start = micros
        }
        let rate: Double? = f.has("rate") ? try positive(f["rate"]) : nil
        let duration: Double? = f.has("duration") ? try parseDuration(f["duration"]) : nil
        var requests: Int? = f.has("requests") ? try f["requests"].integer(in: TrafficModel.requestLimit, default: 1) : nil
        // `requests` wins; otherwise rate x duration; otherwise the default count.
        if requests == nil, let rate, let duration {
            let product = (rate * duration).rounded()
            guard product <= Double(TrafficModel.requestLimit.upperBound) else {
                throw f["duration"].error("rate x duration is \(YAMLField.format(product)) requests, more than \(TrafficModel.requestLimit.upperBound)")
            }
            requests = max(1, Int(product))
        }
        let count = requests ?? TrafficModel.defaultRequests
        let effectiveRate = rate ?? duration.map { Double(count) / $0 } ?? TrafficModel.defaultRate

        guard f.has("hosts") else { throw f["hosts"].error("required field is missing (the Host headers to send)") }
        let hosts = try weightedList(f["hosts"], key: "host") { (item: YAMLField) throws(ScenarioError) -> String in
            let host = try item.nonEmptyString()
            guard !host.contains("/"), !host.contains(" ") else { throw item.error("must be a host name, optionally with :port") }
            return host
        }
        guard f.has("paths") else { throw f["paths"].error("required field is missing (the request paths to send)") }
        let paths = try weightedList(f["paths"], key: "path") { (item: YAMLField) throws(ScenarioError) -> Template in
            let template = try template(item)
            guard template.source.hasPrefix("/") else { throw item.error("must start with '/'") }
            return template
        }
        let methods = f.has("methods")
            ? try weightedList(f["methods"], key: "method") { (item: YAMLField) throws(ScenarioError) -> String in
                let m = try item.nonEmptyString()
                guard m.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") }) else { throw item.error("must be an HTTP method token") }
                return m.uppercased()
            }
            : [Weighted("GET", weight: 1)]
        let headers = f.has("headers") ? try parseHeaders(f["headers"]) : []
        let queries = f.has("queries") ? try parseQueries(f["queries"]) : []
        let scheme = f.has("scheme") ? try f["scheme"].string().lowercased() : "http"
        guard scheme == "http" || scheme == "https" else { throw f["scheme"].error("must be http or https, got \"\(scheme)\"") }
        let port = try f["port"].integer(in: 1...65535, default: scheme == "https" ? 443 : 80)
        var gateway: String?
        if f.has("gateway") {
            let g = try f["gateway"].string()
            let parts = g.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw f["gateway"].error("must be NAMESPACE/NAME, got \"\(g)\"") }
            gateway = g
        }
        let clients = try f["clients"].integer(in: 1...16_000_000, default: 100)
        let connections = try f["connections"].integer(in: 1...100_000, default: TrafficModel.defaultConnections)
        let perConnection = try f["requestsPerConnection"].integer(in: 1...1_000_000, default: TrafficModel.defaultRequestsPerConnection)
        return TrafficModel(startMicros: start, rate: effectiveRate, requests: count, hosts: hosts, paths: paths, methods: methods,
                            headers: headers, queries: queries, scheme: scheme, port: port, gateway: gateway, clients: clients,
                            connections: connections, requestsPerConnection: perConnection)
    }

    static func positive(_ field: YAMLField) throws(ScenarioError) -> Double {
        let d = try field.number()
        guard d > 0 else { throw field.error("must be > 0, got \(YAMLField.format(d))") }
        return d
    }

    /// Seconds as a number, or a string with a unit: `90s`, `15m`, `2h`.
    static func parseDuration(_ field: YAMLField) throws(ScenarioError) -> Double {
        if let node = field.node, case .scalar(let s) = node, let d = Double(s.string.replacingUnderscores) {
            guard d > 0, d.isFinite else { throw field.error("must be > 0 seconds") }
            return d
        }
        let text = try field.string()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (unit, scale) in units where text.hasSuffix(unit) {
            if let d = Double(text.dropLast(unit.count)), d > 0, d.isFinite {
                guard (d * scale).isFinite else { throw field.error("\(text) is too long to count in seconds") }
                return d * scale
            }
        }
        throw field.error("must be seconds (a number) or a number with a unit ms, s, m or h, like 15m; got \"\(text)\"")
    }

    static func template(_ field: YAMLField) throws(ScenarioError) -> Template {
        let text = try field.string()
        do { return try Template(text) } catch { throw field.error(error.description) }
    }

    /// `- {KEY: x, weight: w}` items, or plain `- x` (weight 1). Needs a positive total weight.
    static func weightedList<T>(_ field: YAMLField, key: String,
                                _ value: (YAMLField) throws(ScenarioError) -> T) throws(ScenarioError) -> [Weighted<T>] {
        var result: [Weighted<T>] = []
        for item in try field.sequence() {
            if let node = item.node, case .scalar = node {
                result.append(Weighted(try value(item), weight: 1))
                continue
            }
            let m = try item.mapping(allowed: [key, "weight"])
            guard m.has(key) else { throw m[key].error("required field is missing") }
            result.append(Weighted(try value(m[key]), weight: try m["weight"].number(min: 0, default: 1)))
        }
        guard !result.isEmpty else { throw field.error("must list at least one \(key)") }
        guard result.contains(where: { $0.weight > 0 }) else { throw field.error("at least one weight must be > 0") }
        return result
    }

    static func parseHeaders(_ field: YAMLField) throws(ScenarioError) -> [HeaderSpec] {
        var result: [HeaderSpec] = []
        for item in try field.sequence() {
            let m = try item.mapping(allowed: ["name", "value", "values", "probability"])
            guard m.has("name") else { throw m["name"].error("required field is missing") }
            let name = try m["name"].nonEmptyString()
            guard name.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != ":" }) else { throw m["name"].error("must be a header name token") }
            let values: [Weighted<Template>]
            switch (m.has("value"), m.has("values")) {
            case (true, false): values = [Weighted(try template(m["value"]), weight: 1)]
            case (false, true): values = try weightedList(m["values"], key: "value", template)
            default: throw item.error("give exactly one of value or values")
            }
            result.append(HeaderSpec(name: name, values: values, probability: try m["probability"].probability()))
        }
        return result
    }

    static func parseQueries(_ field: YAMLField) throws(ScenarioError) -> [QuerySpec] {
        var result: [QuerySpec] = []
        for item in try field.sequence() {
            let m = try item.mapping(allowed: ["query", "weight", "probability"])
            guard m.has("query") else { throw m["query"].error("required field is missing") }
            var template = try template(m["query"])
            if template.source.hasPrefix("?") { template = try TrafficParser.template(m["query"], dropping: 1) }
            result.append(QuerySpec(query: template, weight: try m["weight"].number(min: 0, default: 1),
                                    probability: try m["probability"].probability()))
        }
        if !result.isEmpty, !result.contains(where: { $0.weight > 0 }) { throw field.error("at least one weight must be > 0") }
        return result
    }

    static func template(_ field: YAMLField, dropping count: Int) throws(ScenarioError) -> Template {
        let text = String(try field.string().dropFirst(count))
        do { return try Template(text) } catch { throw field.error(error.description) }
    }
}
