/// GatewayClass and Gateway (gatewayclass_types.go, gateway_types.go; the v1beta1
/// shapes are the same), with the CRD defaults and validations.
enum GatewayDecoder {
    static func gatewayClass(_ o: Field, loadOrder: Int) -> GatewayClass {
        let meta = MetaDecoder.decode(o, kind: "GatewayClass", namespaced: false, nameRule: .preciseHostname, loadOrder: loadOrder)
        let spec = o["spec"]
        spec["controllerName"].require()
        let controller = spec["controllerName"].string(minLength: 1, maxLength: 253, rule: .controllerName) ?? ""
        _ = spec["description"].string(maxLength: 64)
        var params: ParametersReference? = nil
        let p = spec["parametersRef"]
        if p.exists {
            p["group"].require()
            p["name"].require()
            params = ParametersReference(group: RefDecoder.group(p["group"], default: ""),
                                         kind: RefDecoder.kind(p["kind"], default: nil) ?? "",
                                         name: p["name"].string(minLength: 1, maxLength: 253) ?? "",
                                         namespace: RefDecoder.namespace(p["namespace"]))
        }
        return GatewayClass(meta: meta, controllerName: controller, parametersRef: params)
    }

    static func gateway(_ o: Field, loadOrder: Int) -> Gateway {
        let meta = MetaDecoder.decode(o, kind: "Gateway", namespaced: true, nameRule: .preciseHostname, loadOrder: loadOrder)
        let spec = o["spec"]
        spec["gatewayClassName"].require()
        let className = spec["gatewayClassName"].string(minLength: 1, maxLength: 253) ?? ""
        let listenerFields = spec["listeners"].items(min: 1, max: 64)
        let listeners = listenerFields.map(listener)
        ListenerRules.check(listenerFields, listeners, spec["listeners"])
        return Gateway(meta: meta, gatewayClassName: className, listeners: listeners,
                       addresses: addresses(spec["addresses"]), infrastructure: infrastructure(spec["infrastructure"]),
                       backendClientCertificateRef: spec["tls"]["backend"]["clientCertificateRef"].exists
                           ? RefDecoder.secretRef(spec["tls"]["backend"]["clientCertificateRef"]) : nil,
                       frontendValidation: frontend(spec["tls"]["frontend"]),
                       allowedListeners: allowedListeners(spec["allowedListeners"]))
    }

    /// `AllowedListeners.namespaces.from`: None (the default), Same, All or Selector.
    static func allowedListeners(_ a: Field) -> AllowedListeners {
        let ns = a["namespaces"]
        guard ns["from"].exists else { return .none }
        switch ns["from"].oneOf(["All", "Selector", "Same", "None"]) ?? "None" {
        case "All": return .all
        case "Same": return .same
        case "Selector": return .selector(RefDecoder.labelSelector(ns["selector"]))
        default: return .none
        }
    }

    /// `ListenerSet` (listenerset_types.go): a parentRef to a Gateway and 1..64 listeners.
    static func listenerSet(_ o: Field, loadOrder: Int) -> ListenerSet {
        let meta = MetaDecoder.decode(o, kind: "ListenerSet", namespaced: true, nameRule: .preciseHostname, loadOrder: loadOrder)
        let spec = o["spec"]
        let p = spec["parentRef"]
        p["name"].require()
        let parent = ParentReference(group: RefDecoder.group(p["group"], default: gatewayGroup),
                                     kind: RefDecoder.kind(p["kind"], default: "Gateway") ?? "Gateway",
                                     namespace: RefDecoder.namespace(p["namespace"]),
                                     name: p["name"].string(minLength: 1, maxLength: 253) ?? "")
        let listenerFields = spec["listeners"].items(min: 1, max: 64)
        let listeners = listenerFields.map(listener)
        ListenerRules.check(listenerFields, listeners, spec["listeners"])
        return ListenerSet(meta: meta, parentRef: parent, listeners: listeners)
    }

    static func listener(_ l: Field) -> Listener {
        l["name"].require()
        l["port"].require()
        l["protocol"].require()
        let name = l["name"].string(minLength: 1, maxLength: 253, rule: .preciseHostname) ?? ""
        let hostname = l["hostname"].exists ? l["hostname"].string(minLength: 1, maxLength: 253, rule: .hostname) : nil
        let port = l["port"].int(in: 1...65535) ?? 0
        let proto = l["protocol"].string(minLength: 1, maxLength: 255, rule: .protocolType) ?? ""
        var tls: ListenerTLS? = nil
        let t = l["tls"]
        if t.exists {
            let mode = t["mode"].exists ? (t["mode"].oneOf(["Terminate", "Passthrough"]).flatMap(ListenerTLS.Mode.init(rawValue:)) ?? .terminate) : .terminate
            let refs = t["certificateRefs"].items(max: 64).map(RefDecoder.secretRef)
            if t["options"].entries.count > 16 { t["options"].error("Too many: \(t["options"].entries.count): must have at most 16 items") }
            for (k, v) in t["options"].entries {
                if !StringRule.labelKey.check(k) { v.error("Invalid value: \"\(k)\": \(StringRule.labelKey.message)") }
                _ = v.string(maxLength: 4096)
            }
            // gateway_types.go ListenerTLSConfig CEL.
            if mode == .terminate, refs.isEmpty, t["options"].entries.isEmpty {
                t.error("certificateRefs or options must be specified when mode is Terminate")
            }
            tls = ListenerTLS(mode: mode, certificateRefs: refs, options: t["options"].stringMap)
        }
        return Listener(name: name, hostname: hostname, port: port, protocol: ListenerProtocol(proto), tls: tls,
                        allowedRoutes: allowedRoutes(l["allowedRoutes"]))
    }

    /// `AllowedRoutes`: namespaces.from defaults to Same; kinds' group to the Gateway API group.
    static func allowedRoutes(_ a: Field) -> AllowedRoutes {
        let ns = a["namespaces"]
        let fromName = ns["from"].exists ? (ns["from"].oneOf(["All", "Selector", "Same"]) ?? "Same") : "Same"
        let from: AllowedRoutes.From
        switch fromName {
        case "All": from = .all
        case "Selector": from = .selector(RefDecoder.labelSelector(ns["selector"]))
        default: from = .same
        }
        let kinds = a["kinds"].items(max: 8).map { k in
            RouteGroupKind(group: RefDecoder.group(k["group"], default: gatewayGroup), kind: RefDecoder.kind(k["kind"], default: nil) ?? "")
        }
        return AllowedRoutes(from: from, kinds: kinds)
    }

    static func addresses(_ f: Field) -> [GatewayAddress] {
        var seen = Set<GatewayAddress>()
        return f.items(max: 16).map { a in
            // An invalid type rejects the Gateway; "" keeps its value from being judged as an IP.
            let type = a["type"].exists ? (a["type"].string(minLength: 1, maxLength: 253, rule: .addressType) ?? "") : "IPAddress"
            let value = a["value"].string(maxLength: 253) ?? ""
            // gateway_types.go GatewaySpecAddress schema: an IPAddress value is `format: ipv4` or `ipv6`.
            if type == "IPAddress", !value.isEmpty, IPAddress(value) == nil {
                a["value"].error("Invalid value: \"\(value)\": must be an IPv4 or IPv6 address when type is IPAddress")
            }
            // gateway_types.go GatewaySpecAddress CEL: Hostname values are hostnames.
            if type == "Hostname", a["value"].exists, !StringRule.hostname.check(value) {
                a["value"].error("Hostname value must be empty or contain only valid characters (matching ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)")
            }
            let address = GatewayAddress(type: type, value: value)
            if (type == "IPAddress" || type == "Hostname"), !value.isEmpty, !seen.insert(address).inserted {
                f.error("\(type) values must be unique")
            }
            return address
        }
    }

    static func infrastructure(_ f: Field) -> GatewayInfrastructure? {
        guard f.exists else { return nil }
        if f["labels"].entries.count > 8 { f["labels"].error("Too many: \(f["labels"].entries.count): must have at most 8 items") }
        if f["annotations"].entries.count > 16 { f["annotations"].error("Too many: \(f["annotations"].entries.count): must have at most 16 items") }
        for (k, v) in f["labels"].entries + f["annotations"].entries where !StringRule.labelKey.check(k) {
            v.error("Invalid value: \"\(k)\": keys \(StringRule.labelKey.message)")
        }
        var params: LocalObjectReference? = nil
        if f["parametersRef"].exists { params = RefDecoder.localRef(f["parametersRef"]) }
        return GatewayInfrastructure(labels: f["labels"].stringMap, annotations: f["annotations"].stringMap, parametersRef: params)
    }

    /// `spec.tls.frontend`: the default validation (port nil) then the per-port ones.
    static func frontend(_ f: Field) -> [FrontendValidation] {
        guard f.exists else { return [] }
        var out: [FrontendValidation] = []
        func validation(_ v: Field, port: Int?) {
            guard v.exists else { return }
            let refs = v["caCertificateRefs"].items(min: 1, max: 16).map { r -> BackendObjectReference in
                r["group"].require()
                return BackendObjectReference(group: RefDecoder.group(r["group"], default: ""), kind: RefDecoder.kind(r["kind"], default: nil) ?? "",
                                              name: RefDecoder.name(r["name"]), namespace: RefDecoder.namespace(r["namespace"]))
            }
            let mode = v["mode"].exists ? (v["mode"].oneOf(["AllowValidOnly", "AllowInsecureFallback"]) ?? "AllowValidOnly") : "AllowValidOnly"
            out.append(FrontendValidation(port: port, caCertificateRefs: refs, mode: mode))
        }
        validation(f["default"]["validation"], port: nil)
        var ports = Set<Int>()
        for p in f["perPort"].items(max: 64) {
            p["port"].require()
            let port = p["port"].int(in: 1...65535)
            if let port, !ports.insert(port).inserted { f["perPort"].error("Port for TLS configuration must be unique within the Gateway") }
            validation(p["tls"]["validation"], port: port)
        }
        return out
    }
}

/// gateway_types.go: the CEL rules on `spec.listeners` as a whole.
enum ListenerRules {
    static func check(_ fields: [Field], _ listeners: [Listener], _ list: Field) {
        var names: [String: Int] = [:]
        var combos = Set<String>()
        for (f, l) in zip(fields, listeners) {
            let proto = l.protocol.description
            if ["HTTP", "TCP", "UDP"].contains(proto), f["tls"].exists {
                f["tls"].error("tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']")
            }
            if proto == "HTTPS", let tls = l.tls, tls.mode != .terminate {
                f["tls"]["mode"].error("tls mode must be Terminate for protocol HTTPS")
            }
            if proto == "TLS", !f["tls"].exists {
                f.error("tls mode must be set for protocol TLS")
            }
            if ["TCP", "UDP"].contains(proto), let h = l.hostname, !h.isEmpty {
                f["hostname"].error("hostname must not be specified for protocols ['TCP', 'UDP']")
            }
            names[l.name, default: 0] += 1
            if names[l.name] == 2 { f["name"].error("Listener name must be unique within the Gateway") }
            let combo = "\(l.port)|\(proto)|\(l.hostname ?? "\u{0}")"
            if !combos.insert(combo).inserted {
                f.error("Combination of port, protocol and hostname must be unique for each listener")
            }
        }
    }
}
