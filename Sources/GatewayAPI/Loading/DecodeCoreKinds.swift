import Foundation

/// Core v1 Namespace, Service, Secret, ConfigMap and discovery.k8s.io/v1 EndpointSlice:
/// only the fields routing depends on, with the API server's defaults.
enum CoreDecoder {
    static func namespace(_ o: Field, loadOrder: Int) -> Namespace {
        Namespace(meta: MetaDecoder.decode(o, kind: "Namespace", namespaced: false, nameRule: .dnsLabel, nameMaxLength: 63, loadOrder: loadOrder))
    }

    /// Service: names are RFC 1035 labels; ports need names when there are several.
    static func service(_ o: Field, loadOrder: Int) -> Service {
        let meta = MetaDecoder.decode(o, kind: "Service", namespaced: true, nameRule: .dns1035Label, nameMaxLength: 63, loadOrder: loadOrder)
        let spec = o["spec"]
        let type = spec["type"].exists ? (spec["type"].oneOf(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]) ?? "ClusterIP") : "ClusterIP"
        let portFields = spec["ports"].items
        var ports: [Service.Port] = []
        var names = Set<String>()
        for p in portFields {
            let port = p["port"].require() ? (p["port"].int(in: 1...65535) ?? 0) : 0
            let name = p["name"].string
            if portFields.count > 1 {
                if name == nil || name == "" { p["name"].error("Required value: port names are required when a Service has more than one port") }
                else if let name, !names.insert(name).inserted { p["name"].error("Duplicate value: \"\(name)\"") }
            }
            var target: String? = nil
            if let v = p["targetPort"].value, p["targetPort"].exists {
                switch v {
                case .int: target = p["targetPort"].int(in: 1...65535).map(String.init)
                case .string(let s): target = s
                default: p["targetPort"].error("Invalid type: expected integer or string, got \(v.typeName)")
                }
            }
            let proto = p["protocol"].exists ? (p["protocol"].oneOf(["TCP", "UDP", "SCTP"]) ?? "TCP") : "TCP"
            ports.append(Service.Port(name: name, port: port, protocol: proto, appProtocol: p["appProtocol"].string, targetPort: target))
        }
        let externalName = spec["externalName"].string
        if type == "ExternalName", externalName == nil { spec["externalName"].error("Required value") }
        return Service(meta: meta, type: type, ports: ports, externalName: externalName,
                       clusterIP: spec["clusterIP"].string, selector: spec["selector"].stringMap)
    }

    /// Secret: `data` is base64 (decoded here); `stringData` is merged over it, as
    /// the API server does on write.
    static func secret(_ o: Field, loadOrder: Int) -> Secret {
        let meta = MetaDecoder.decode(o, kind: "Secret", namespaced: true, nameRule: .preciseHostname, loadOrder: loadOrder)
        var data: [String: String] = [:]
        for (key, f) in o["data"].entries {
            guard let encoded = f.string else { continue }
            let compact = encoded.filter { !$0.isWhitespace }
            guard let bytes = Data(base64Encoded: compact) else {
                f.error("Invalid value: illegal base64 data")
                continue
            }
            data[key] = String(decoding: bytes, as: UTF8.self)
        }
        for (key, f) in o["stringData"].entries {
            if let s = f.string { data[key] = s }
        }
        let cert = data["tls.crt"] ?? ""
        let key = data["tls.key"] ?? ""
        let valid = cert.contains("-----BEGIN CERTIFICATE-----") && key.contains("-----BEGIN") && key.contains("PRIVATE KEY-----")
        return Secret(meta: meta, type: o["type"].string ?? "Opaque", dataKeys: Set(data.keys), hasValidTLSPair: valid, data: data)
    }

    static func configMap(_ o: Field, loadOrder: Int) -> ConfigMap {
        let meta = MetaDecoder.decode(o, kind: "ConfigMap", namespaced: true, nameRule: .preciseHostname, loadOrder: loadOrder)
        return ConfigMap(meta: meta, data: o["data"].stringMap)
    }

    /// EndpointSlice: the Service comes from the `kubernetes.io/service-name` label;
    /// a missing `conditions.ready` counts as ready (discovery/v1 semantics).
    static func endpointSlice(_ o: Field, loadOrder: Int) -> EndpointSlice {
        let meta = MetaDecoder.decode(o, kind: "EndpointSlice", namespaced: true, nameRule: .preciseHostname, loadOrder: loadOrder)
        o["addressType"].require()
        let addressType = o["addressType"].oneOf(["IPv4", "IPv6", "FQDN"]) ?? "IPv4"
        var endpoints: [EndpointSlice.Endpoint] = []
        for e in o["endpoints"].items(max: 1000) {
            let addresses = e["addresses"].items(min: 1, max: 100).compactMap { $0.string }
            endpoints.append(.init(addresses: addresses, ready: e["conditions"]["ready"].bool ?? true))
        }
        var ports: [EndpointSlice.Port] = []
        for p in o["ports"].items(max: 20000) {
            let proto = p["protocol"].exists ? (p["protocol"].oneOf(["TCP", "UDP", "SCTP"]) ?? "TCP") : "TCP"
            ports.append(.init(name: p["name"].string, port: p["port"].int(in: 0...65535), protocol: proto, appProtocol: p["appProtocol"].string))
        }
        return EndpointSlice(meta: meta, serviceName: meta.labels["kubernetes.io/service-name"], addressType: addressType,
                             endpoints: endpoints, ports: ports)
    }
}
