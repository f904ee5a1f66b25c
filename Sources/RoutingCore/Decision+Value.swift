import GatewayAPI

/// The documented JSON shape of a decision (docs/decision-json.md). Keys are
/// stable; later additions only add keys.
extension Decision {
    public var jsonValue: Value {
        var fields: [(String, Value)] = []
        fields.append(("listener", listener.map(Self.listenerValue) ?? .null))
        fields.append(("route", route.map(Self.routeValue) ?? .null))
        fields.append(("outcome", .string(outcome.rawValue)))
        fields.append(("status", status.map(Value.int) ?? .null))
        fields.append(("reason", reason.map(Value.string) ?? .null))
        fields.append(("backend", backend.map(\.jsonValue) ?? .null))
        fields.append(("backends", .array(backends.map(Self.candidateValue))))
        let requestFields: [(String, Value)] = [
            ("method", .string(request.method)), ("scheme", .string(request.scheme)), ("host", .string(request.host)),
            ("path", .string(request.path)), ("headers", Self.joinedHeaders(request.headers)),
        ]
        fields.append(("request", .object(requestFields)))
        fields.append(("redirect", redirect.map { .object([("status", .int($0.status)), ("location", .string($0.location))]) } ?? .null))
        let responseFields: [(String, Value)] = [
            ("set", Self.headerList(responseHeaders.set + (cors?.headers ?? []))),
            ("add", Self.headerList(responseHeaders.add)),
            ("remove", .array(responseHeaders.remove.map { .string($0.lowercased()) })),
        ]
        fields.append(("responseHeaders", .object(responseFields)))
        fields.append(("mirrors", .array(mirrors.map(Self.mirrorValue))))
        let timeoutFields: [(String, Value)] = [
            ("request", timeouts.request.map(Value.double) ?? .null),
            ("backendRequest", timeouts.backendRequest.map(Value.double) ?? .null),
        ]
        fields.append(("timeouts", .object(timeoutFields)))
        fields.append(("cors", cors.map { .object([("preflight", .bool($0.preflight)), ("allowed", .bool($0.allowed))]) } ?? .null))
        fields.append(("backendTLS", backendTLS.map {
            .object([("policy", .string($0.policy)), ("sni", .string($0.sni)), ("subjectAltNames", .array($0.subjectAltNames.map(Value.string))),
                     ("caCertificateRefs", .array($0.caCertificateRefs.map(Value.string)))])
        } ?? .null))
        return .object(fields)
    }

    static func listenerValue(_ ref: ListenerRef) -> Value {
        var fields: [(String, Value)] = [("gateway", .string("\(ref.gateway.namespace)/\(ref.gateway.name)")), ("name", .string(ref.name)), ("port", .int(ref.port))]
        if let set = ref.listenerSet { fields.append(("listenerSet", .string(set))) }
        return .object(fields)
    }

    static func routeValue(_ ref: RuleRef) -> Value {
        var fields: [(String, Value)] = [("kind", .string(ref.kind)), ("namespace", .string(ref.namespace)), ("name", .string(ref.name))]
        fields.append(("rule", .int(ref.rule)))
        fields.append(("ruleName", ref.ruleName.map(Value.string) ?? .null))
        fields.append(("match", ref.match.map(Value.int) ?? .null))
        fields.append(("id", .string(ref.description)))
        return .object(fields)
    }

    static func candidateValue(_ candidate: WeightedBackend) -> Value {
        var fields = candidate.backend.jsonFields
        fields.append(("weight", .int(candidate.weight)))
        fields.append(("share", .double(candidate.share)))
        fields.append(("valid", .bool(candidate.valid)))
        if let reason = candidate.invalidReason { fields.append(("invalidReason", .string(reason))) }
        return .object(fields)
    }

    static func mirrorValue(_ mirror: Mirror) -> Value {
        var fields = mirror.backend.jsonFields
        fields.append(("share", .double(mirror.share)))
        fields.append(("selected", .bool(mirror.selected)))
        fields.append(("valid", .bool(mirror.valid)))
        return .object(fields)
    }

    /// Lower-cased names; repeated names joined with ", " in order of appearance.
    static func joinedHeaders(_ headers: [HTTPHeader]) -> Value {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for header in headers {
            let name = header.name.lowercased()
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(header.value)
        }
        // Joined with "," as a RequestHeaderModifier `add` appends (httproute_types.go: foo + bar,baz -> foo,bar,baz).
        return .object(order.map { ($0, .string(values[$0]!.joined(separator: ","))) })
    }

    static func headerList(_ headers: [HTTPHeader]) -> Value {
        .object(headers.map { ($0.name.lowercased(), .string($0.value)) })
    }
}

extension BackendRef {
    var jsonFields: [(String, Value)] {
        [("kind", .string(kind)), ("namespace", .string(namespace)), ("name", .string(name)), ("port", port.map(Value.int) ?? .null)]
    }
    public var jsonValue: Value { .object(jsonFields) }
}
