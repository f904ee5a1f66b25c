/// The parts of a `networking.x-k8s.io/v1alpha1` HTTPRoute rule whose shape changed on
/// the way to v1, rewritten into the v1 shape so that the v1 decoders (and their
/// validation) read them. The field paths stay those of the written object, so messages
/// still point at the user's lines.
///
/// - a path match: type `Prefix` became `PathPrefix`; the default was `Prefix` `/`;
/// - header and query-param matches: `{type, values: {name: value, ...}}` became one
///   `{type, name, value}` entry per name;
/// - `RequestHeaderModifier`: `set` and `add` were maps of name to value;
/// - `RequestMirror`: `serviceName` and `port` became `backendRef: {name, port}`.
enum V1Alpha1Shapes {
    static func match(_ m: Field) -> Field {
        guard case .object(var pairs)? = m.value else { return m }
        let path = m.value?["path"] ?? .object([])
        if case .object(var p) = path {
            let type = path["type"]?.stringValue ?? "Prefix"
            set(&p, "type", .string(type == "Prefix" ? "PathPrefix" : type))
            if path["value"] == nil { set(&p, "value", .string("/")) }
            set(&pairs, "path", .object(p))
        }
        for key in ["headers", "queryParams"] {
            guard let matches = m.value?[key], case .object = matches else { continue }
            let type = matches["type"] ?? .string("Exact")
            let values = matches["values"]?.objectValue ?? []
            set(&pairs, key, .array(values.map { .object([("type", type), ("name", .string($0.0)), ("value", $0.1)]) }))
        }
        return Field(value: .object(pairs), path: m.path, ctx: m.ctx)
    }

    static func filters(_ list: Field) -> Field {
        guard case .array(let items)? = list.value else { return list }
        let converted = items.map { item -> Value in
            guard case .object(var pairs) = item else { return item }
            if case .object(var modifier)? = item["requestHeaderModifier"] {
                for key in ["set", "add"] {
                    guard let map = item["requestHeaderModifier"]?[key]?.objectValue else { continue }
                    set(&modifier, key, .array(map.map { .object([("name", .string($0.0)), ("value", $0.1)]) }))
                }
                set(&pairs, "requestHeaderModifier", .object(modifier))
            }
            if let mirror = item["requestMirror"], mirror["serviceName"] != nil {
                var ref: [(String, Value)] = [("name", mirror["serviceName"]!)]
                if let port = mirror["port"] { ref.append(("port", port)) }
                set(&pairs, "requestMirror", .object([("backendRef", .object(ref))]))
            }
            return .object(pairs)
        }
        return Field(value: .array(converted), path: list.path, ctx: list.ctx)
    }

    private static func set(_ pairs: inout [(String, Value)], _ key: String, _ value: Value) {
        if let index = pairs.firstIndex(where: { $0.0 == key }) { pairs[index].1 = value } else { pairs.append((key, value)) }
    }
}
