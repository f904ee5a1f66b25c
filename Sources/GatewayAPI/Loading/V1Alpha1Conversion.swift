/// The original `networking.x-k8s.io/v1alpha1` shapes (the seed article's
/// manifests), converted to the v1 model. Each conversion is reported as a warning.
///
/// v1alpha1 routes had no parentRefs: a listener chose routes by a label selector
/// (`listeners[].routes.selector`). The converted route gets empty parentRefs and the
/// annotation `gwsim.dev/converted-from`, and the listener keeps the selector in
/// `AllowedRoutes.routeSelector` so that the routing core attaches by labels.
enum V1Alpha1 {
    static let group = "networking.x-k8s.io"
    static let annotation = "gwsim.dev/converted-from"
    static let origin = "networking.x-k8s.io/v1alpha1"

    static func gatewayClass(_ o: Field, loadOrder: Int) -> GatewayClass {
        let meta = MetaDecoder.decode(o, kind: "GatewayClass", namespaced: false, nameRule: .preciseHostname, loadOrder: loadOrder)
        let spec = o["spec"]
        spec["controller"].require()
        let controller = spec["controller"].string(minLength: 1, maxLength: 253, rule: .controllerName) ?? ""
        o.ctx.warning(nil, "converted \(origin) GatewayClass to \(gatewayGroup)/v1 (controller -> controllerName)")
        return GatewayClass(meta: meta, controllerName: controller)
    }

    static func gateway(_ o: Field, loadOrder: Int) -> Gateway {
        let meta = MetaDecoder.decode(o, kind: "Gateway", namespaced: true, nameRule: .preciseHostname, loadOrder: loadOrder)
        let spec = o["spec"]
        spec["gatewayClassName"].require()
        let className = spec["gatewayClassName"].string(minLength: 1, maxLength: 253) ?? ""
        let listeners = spec["listeners"].items(min: 1, max: 64).enumerated().map { index, l -> Listener in
            l["port"].require()
            l["protocol"].require()
            let port = l["port"].int(in: 1...65535) ?? 0
            let proto = l["protocol"].string(minLength: 1, maxLength: 255, rule: .protocolType) ?? ""
            let hostname = l["hostname"].exists ? l["hostname"].string(minLength: 1, maxLength: 253, rule: .hostname) : nil
            var tls: ListenerTLS? = nil
            let t = l["tls"]
            if t.exists {
                let mode = t["mode"].exists ? (t["mode"].oneOf(["Terminate", "Passthrough"]).flatMap(ListenerTLS.Mode.init(rawValue:)) ?? .terminate) : .terminate
                // v1alpha1 had a single `certificateRef` (with `certificateRefs` accepted too).
                var refs = t["certificateRefs"].items(max: 64).map(RefDecoder.secretRef)
                if t["certificateRef"].exists { refs.insert(RefDecoder.secretRef(t["certificateRef"]), at: 0) }
                tls = ListenerTLS(mode: mode, certificateRefs: refs, options: t["options"].stringMap)
            }
            let routes = l["routes"]
            routes["kind"].require()
            let kind = routes["kind"].string(minLength: 1, maxLength: 63, rule: .kind) ?? ""
            let ns = routes["namespaces"]
            let fromName = ns["from"].exists ? (ns["from"].oneOf(["All", "Same", "Selector"]) ?? "Same") : "Same"
            let from: AllowedRoutes.From
            switch fromName {
            case "All": from = .all
            case "Selector": from = .selector(RefDecoder.labelSelector(ns["selector"]))
            default: from = .same
            }
            let selector = routes["selector"].exists ? RefDecoder.labelSelector(routes["selector"]) : LabelSelector()
            return Listener(name: "listener-\(index)", hostname: hostname, port: port, protocol: ListenerProtocol(proto), tls: tls,
                            allowedRoutes: AllowedRoutes(from: from, kinds: kind.isEmpty ? [] : [RouteGroupKind(group: gatewayGroup, kind: kind)],
                                                         routeSelector: selector))
        }
        o.ctx.warning(nil, "converted \(origin) Gateway to \(gatewayGroup)/v1 (listeners named listener-<index>; routes -> allowedRoutes with the route label selector)")
        // v1alpha1 GatewayAddress has the shape v1's GatewaySpecAddress kept (type IPAddress or NamedAddress, value).
        return Gateway(meta: meta, gatewayClassName: className, listeners: listeners, addresses: GatewayDecoder.addresses(spec["addresses"]))
    }

    static func httpRoute(_ o: Field, loadOrder: Int) -> HTTPRoute {
        var meta = MetaDecoder.decode(o, kind: "HTTPRoute", namespaced: true, nameRule: .preciseHostname, loadOrder: loadOrder)
        meta.annotations[annotation] = origin
        let spec = o["spec"]
        let hostnames = RouteCommon.hostnames(spec["hostnames"], max: 16)
        var rules = spec["rules"].items(max: 16).map { r -> HTTPRouteRule in
            var matches = r["matches"].items(max: 64).map { HTTPRouteDecoder.match(V1Alpha1Shapes.match($0)) }
            if !r["matches"].exists { matches = [HTTPRouteMatch()] }
            let backends = r["forwardTo"].items(max: 16).map { f -> HTTPBackendRef in
                f["serviceName"].require()
                let name = f["serviceName"].string(minLength: 1, maxLength: 253) ?? ""
                return HTTPBackendRef(ref: BackendObjectReference(name: name, port: RefDecoder.port(f["port"])),
                                      weight: RefDecoder.weight(f["weight"]),
                                      filters: FilterDecoder.list(V1Alpha1Shapes.filters(f["filters"]), grpc: false))
            }
            return HTTPRouteRule(matches: matches, filters: FilterDecoder.list(V1Alpha1Shapes.filters(r["filters"]), grpc: false),
                                 backendRefs: backends)
        }
        if !spec["rules"].exists { rules = [HTTPRouteRule()] }
        o.ctx.warning(nil, "converted \(origin) HTTPRoute to \(gatewayGroup)/v1 (forwardTo -> backendRefs, Prefix -> PathPrefix, header/query/filter maps -> lists; attachment by the Gateway's route label selector)")
        return HTTPRoute(meta: meta, parentRefs: [], hostnames: hostnames, rules: rules)
    }
}
