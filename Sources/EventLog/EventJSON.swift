/// JSON Lines form of `Event` (one compact object per line, schema `gwsim.events/v1`).
///
/// Keys are written in a fixed order (documented in docs/events.md) so that traces are
/// byte-for-byte reproducible and easy to diff; optional fields are omitted when absent.
/// The decoder accepts keys in any order and ignores unknown keys.
extension Event {
    /// The event as one line of JSON, without the trailing newline.
    public var jsonLine: String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        appendJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the JSON object (no newline), every member explicit. A nil `seq` is
    /// written as `null`.
    public func appendJSON(to out: inout [UInt8]) {
        JSONWriter.raw("{\"seq\":", to: &out)
        if let seq { JSONWriter.int(seq, to: &out) } else { JSONWriter.raw("null", to: &out) }
        JSONWriter.raw(",\"time\":\"", to: &out)
        EventTime.append(micros: timeMicros, to: &out)
        out.append(0x22)
        appendBody(to: &out, omittingID: false)
    }

    /// Appends the event as a trace line (version 2, docs/events.md "Trace lines"), which
    /// leaves out what the line before it implies: `seq` when it is `previous.seq + 1`,
    /// `time` in favour of `dt` (microseconds since `previous`), and a request `id` equal
    /// to the decimal `seq`. With no `previous` (a frame's first line), `seq` and `time`
    /// are written, so every frame reads on its own. `seq` is the event's (the writer
    /// numbers events that have none).
    func appendTraceLine(to out: inout [UInt8], seq: Int64, after previous: EventPosition?) {
        if let previous {
            out.append(0x7B)
            if seq != previous.seq &+ 1 {
                JSONWriter.raw("\"seq\":", to: &out)
                JSONWriter.int(seq, to: &out)
                out.append(0x2C)
            }
            JSONWriter.raw("\"dt\":", to: &out)
            JSONWriter.int(timeMicros - previous.micros, to: &out)
        } else {
            JSONWriter.raw("{\"seq\":", to: &out)
            JSONWriter.int(seq, to: &out)
            JSONWriter.raw(",\"time\":\"", to: &out)
            EventTime.append(micros: timeMicros, to: &out)
            out.append(0x22)
        }
        appendBody(to: &out, omittingID: request.map { Self.isDecimal(seq, $0.id) } ?? false)
    }

    /// Whether `id` is `seq` written in decimal (no sign, no leading zero), the id a
    /// trace line may leave out.
    static func isDecimal(_ seq: Int64, _ id: String) -> Bool {
        guard seq > 0 else { return false }
        var id = id
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: JSONWriter.maxDecimalBytes) { digits in
            let start = JSONWriter.decimal(seq, atEndOf: digits)
            return id.withUTF8 { Bytes.equal($0, UnsafeBufferPointer(rebasing: digits[start...])) }
        }
    }

    /// The members after the position ones (`seq`, `time` or `dt`), and the closing brace.
    private func appendBody(to out: inout [UInt8], omittingID: Bool) {
        switch body {
        case .resource(let r):
            JSONWriter.raw(",\"type\":\"resource\",\"action\":", to: &out)
            JSONWriter.string(r.action.rawValue, to: &out)
            JSONWriter.raw(",\"source\":", to: &out)
            JSONWriter.string(r.source.rawValue, to: &out)
            if let origin = r.origin {
                JSONWriter.raw(",\"origin\":", to: &out)
                JSONWriter.string(origin, to: &out)
            }
            JSONWriter.raw(",\"object\":", to: &out)
            var object = r.objectJSON
            object.withUTF8 { out.append(contentsOf: $0) }
        case .request(let q):
            JSONWriter.raw(",\"type\":\"request\"", to: &out)
            if !omittingID {
                JSONWriter.raw(",\"id\":", to: &out)
                JSONWriter.string(q.id, to: &out)
            }
            JSONWriter.raw(",\"client\":", to: &out)
            JSONWriter.string(q.client, to: &out)
            JSONWriter.raw(",\"port\":", to: &out)
            JSONWriter.int(Int64(q.port), to: &out)
            JSONWriter.raw(",\"scheme\":", to: &out)
            JSONWriter.string(q.scheme, to: &out)
            JSONWriter.raw(",\"method\":", to: &out)
            JSONWriter.string(q.method, to: &out)
            JSONWriter.raw(",\"host\":", to: &out)
            JSONWriter.string(q.host, to: &out)
            JSONWriter.raw(",\"path\":", to: &out)
            JSONWriter.string(q.path, to: &out)
            JSONWriter.raw(",\"headers\":", to: &out)
            Self.appendHeaders(q.headers, to: &out)
            if let gateway = q.gateway {
                JSONWriter.raw(",\"gateway\":", to: &out)
                JSONWriter.string(gateway, to: &out)
            }
            if let sni = q.sni {
                JSONWriter.raw(",\"sni\":", to: &out)
                JSONWriter.string(sni, to: &out)
            }
            if let o = q.observed {
                JSONWriter.raw(",\"observed\":", to: &out)
                Self.appendObserved(o, to: &out)
            }
        }
        out.append(0x7D)
    }

    /// `[["name","value"],…]`, also the `headers_json` column of the SQLite store.
    static func appendHeaders(_ headers: [HeaderField], to out: inout [UInt8]) {
        out.append(0x5B)
        for (i, h) in headers.enumerated() {
            if i > 0 { out.append(0x2C) }
            out.append(0x5B)
            JSONWriter.string(h.name, to: &out)
            out.append(0x2C)
            JSONWriter.string(h.value, to: &out)
            out.append(0x5D)
        }
        out.append(0x5D)
    }

    static func appendObserved(_ o: ObservedOutcome, to out: inout [UInt8]) {
        out.append(0x7B)
        var first = true
        func key(_ k: StaticString) {
            if !first { out.append(0x2C) }
            first = false
            JSONWriter.raw(k, to: &out)
        }
        if let v = o.route { key("\"route\":"); JSONWriter.string(v, to: &out) }
        if let v = o.rule { key("\"rule\":"); JSONWriter.int(Int64(v), to: &out) }
        if let v = o.backend { key("\"backend\":"); JSONWriter.string(v, to: &out) }
        if let v = o.endpoint { key("\"endpoint\":"); JSONWriter.string(v, to: &out) }
        if let v = o.status { key("\"status\":"); JSONWriter.int(Int64(v), to: &out) }
        if let v = o.latencyMs, v.isFinite { key("\"latencyMs\":"); JSONWriter.double(v, to: &out) }
        if let v = o.bytesIn { key("\"bytesIn\":"); JSONWriter.int(Int64(v), to: &out) }
        if let v = o.bytesOut { key("\"bytesOut\":"); JSONWriter.int(Int64(v), to: &out) }
        out.append(0x7D)
    }

    // MARK: decoding

    /// Parses one JSON line. `seq` may be absent or null (then nil).
    public init(jsonLine: String) throws {
        var text = jsonLine
        self = try text.withUTF8 { try Event(json: $0) }
    }

    /// Parses one JSON object from raw UTF-8 bytes (the trace reader's hot path).
    ///
    /// `previous` is the event before the line in its trace. A trace line may leave
    /// out `seq` (then `previous.seq + 1`), give `dt` (microseconds after `previous`)
    /// in place of `time`, and leave out a request's `id` (then the decimal `seq`).
    /// Without `previous`, a missing `seq` stays nil and `dt` is an error.
    public init(json: UnsafeBufferPointer<UInt8>, after previous: EventPosition? = nil) throws {
        var s = JSONScanner(json)
        var seq: Int64?
        var micros: Int64?
        var dt: Int64?
        var type: String?
        // resource
        var action: String?, source: String?, origin: String?
        var object: (String, ObjectIdentity)?
        // request
        var id: String?, client: String?, port: Int?, scheme: String?, method: String?, host: String?, path: String?
        var headers: [HeaderField]?
        var gateway: String?, sni: String?
        var observed: ObservedOutcome?

        try s.beginObject()
        var first = true
        var hint = 0
        while let key = try s.nextKey(in: Self.eventKeys, hint: &hint, &first) {
            switch key {
            case 0: seq = s.readNull() ? nil : try s.readInt()
            case 1:
                if let raw = try s.readUnescapedStringBytes() {
                    micros = EventTime.parse(raw)
                } else {
                    micros = EventTime.parse(try s.readString())
                }
                if micros == nil { throw s.error("\"time\" is not RFC 3339") }
            case 2: type = try s.readString()
            case 3: action = try s.readString()
            case 4: source = try s.readString()
            case 5: origin = s.readNull() ? nil : try s.readString()
            case 6:
                let start = s.pos
                var bytes: [UInt8] = []
                try s.readCompactValue(into: &bytes)
                guard bytes.first == 0x7B else { throw EventLogError.json(message: "\"object\" must be an object", offset: start) }
                let identity = try bytes.withUnsafeBufferPointer { try ObjectIdentity.identify($0) }
                object = (String(decoding: bytes, as: UTF8.self), identity)
            case 7: id = try s.readString()
            case 8: client = try s.readString()
            case 9: port = try s.readIntAsInt()
            case 10: scheme = try s.readString()
            case 11: method = try s.readString()
            case 12: host = try s.readString()
            case 13: path = try s.readString()
            case 14: headers = try Self.readHeaders(&s)
            case 15: gateway = s.readNull() ? nil : try s.readString()
            case 16: sni = s.readNull() ? nil : try s.readString()
            case 17: observed = s.readNull() ? nil : try Self.readObserved(&s)
            case 18: dt = try s.readInt()
            default: try s.skipValue()
            }
        }
        try s.expectEnd()

        // Past Int64.max the seq wraps, and the reader reports a seq that does not increase.
        if seq == nil, let previous { seq = previous.seq &+ 1 }
        if let dt {
            guard micros == nil else { throw EventLogError.invalidEvent("both \"time\" and \"dt\" given") }
            guard let previous else { throw EventLogError.invalidEvent("\"dt\" on the first event; it needs \"time\"") }
            micros = EventPosition.time(after: previous.micros, dt: dt)
            if micros == nil { throw EventLogError.invalidEvent("\"dt\" \(dt) puts the time out of range") }
        }
        guard let micros else { throw EventLogError.invalidEvent("missing \"time\"") }
        switch type {
        case "resource":
            guard let actionText = action, let a = ResourceChange.Action(rawValue: actionText) else {
                throw EventLogError.invalidEvent("resource event needs \"action\": applied | deleted")
            }
            guard let sourceText = source, let src = ResourceChange.Source(rawValue: sourceText) else {
                throw EventLogError.invalidEvent("resource event needs \"source\": file | admin | import")
            }
            guard let (json, identity) = object else { throw EventLogError.invalidEvent("resource event needs \"object\"") }
            let change = ResourceChange(action: a, source: src, origin: origin, objectJSON: json,
                                        kind: identity.kind, namespace: identity.namespace, name: identity.name)
            self.init(seq: seq, timeMicros: micros, body: .resource(change))
        case "request":
            guard let id = id ?? seq.map(String.init), let client, let port, let scheme, let method, let host, let path else {
                throw EventLogError.invalidEvent("request event needs id (or seq), client, port, scheme, method, host, path")
            }
            guard Limits.ports.contains(Int64(port)) else { throw EventLogError.invalidEvent("\"port\" \(port) is not a port number (0-65535)") }
            let record = RequestRecord(id: id, client: client, port: port, scheme: scheme, method: method, host: host,
                                       path: path, headers: headers ?? [], gateway: gateway, sni: sni, observed: observed)
            self.init(seq: seq, timeMicros: micros, body: .request(record))
        default:
            throw EventLogError.invalidEvent("\"type\" must be \"resource\" or \"request\"")
        }
    }

    /// Member names in the writer's order (the index is the `switch` case in the decoder).
    static let eventKeys = JSONKeyTable(["seq", "time", "type", "action", "source", "origin", "object", "id", "client", "port",
                                         "scheme", "method", "host", "path", "headers", "gateway", "sni", "observed", "dt"])
    static let observedKeys = JSONKeyTable(["route", "rule", "backend", "endpoint", "status", "latencyMs", "bytesIn", "bytesOut"])

    static func readHeaders(_ s: inout JSONScanner) throws -> [HeaderField] {
        var headers: [HeaderField] = []
        try s.beginArray()
        var first = true
        while try s.nextElement(&first) {
            try s.beginArray()
            var f = true
            guard try s.nextElement(&f) else { throw s.error("header must be [name, value]") }
            let name = try s.readString()
            guard try s.nextElement(&f) else { throw s.error("header must be [name, value]") }
            let value = try s.readString()
            guard try !s.nextElement(&f) else { throw s.error("header must be [name, value]") }
            headers.append(HeaderField(name, value))
        }
        return headers
    }

    /// Parses a `headers_json` text.
    static func parseHeaders(_ text: UnsafeBufferPointer<UInt8>) throws -> [HeaderField] {
        var s = JSONScanner(text)
        let headers = try readHeaders(&s)
        try s.expectEnd()
        return headers
    }

    static func readObserved(_ s: inout JSONScanner) throws -> ObservedOutcome {
        var o = ObservedOutcome()
        try s.beginObject()
        var first = true
        var hint = 0
        while let key = try s.nextKey(in: Self.observedKeys, hint: &hint, &first) {
            if s.readNull() { continue }
            switch key {
            case 0: o.route = try s.readString()
            case 1: o.rule = try s.readIntAsInt()
            case 2: o.backend = try s.readString()
            case 3: o.endpoint = try s.readString()
            case 4: o.status = try s.readIntAsInt()
            case 5: o.latencyMs = try s.readDouble()
            case 6: o.bytesIn = try s.readIntAsInt()
            case 7: o.bytesOut = try s.readIntAsInt()
            default: try s.skipValue()
            }
        }
        return o
    }
}

/// Where an event stands in its trace: its `seq` and time. A trace line is read
/// against the position of the line before it (`Event.init(json:after:)`).
public struct EventPosition: Sendable, Equatable {
    public var seq: Int64
    public var micros: Int64

    public init(seq: Int64, micros: Int64) {
        self.seq = seq
        self.micros = micros
    }

    /// `micros + dt`, or nil when that leaves the representable range (Limits.minTimeMicros).
    static func time(after micros: Int64, dt: Int64) -> Int64? {
        let (sum, overflow) = micros.addingReportingOverflow(dt)
        guard !overflow, sum >= Limits.minTimeMicros, sum <= Limits.maxTimeMicros else { return nil }
        return sum
    }
}
