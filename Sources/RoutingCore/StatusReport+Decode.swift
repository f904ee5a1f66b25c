import GatewayAPI

/// The inverse of `StatusReport.objects`: a report read back from Kubernetes-shaped status
/// objects, e.g. the admin API's `GET /status` answer, so that a client (the live
/// conformance runner) can check what a running proxy computed with the same code that
/// checks the in-process compiler. Objects of other kinds, and fields that are missing,
/// are skipped rather than rejected: a report with less in it fails the check that needed it.
extension StatusReport {
    public init(objects: [Value]) {
        self.init()
        for object in objects {
            let metadata = object["metadata"]
            let key = ObjectKey(kind: object["kind"]?.stringValue ?? "", namespace: metadata?["namespace"]?.stringValue ?? "",
                                name: metadata?["name"]?.stringValue ?? "")
            let status = object["status"]
            let conditions = Self.decodeConditions(status?["conditions"])
            switch key.kind {
            case "GatewayClass":
                gatewayClasses.append(GatewayClassStatus(key: key, conditions: conditions))
            case "Gateway":
                let addresses = (status?["addresses"]?.arrayValue ?? []).map {
                    GatewayAddress(type: $0["type"]?.stringValue ?? "IPAddress", value: $0["value"]?.stringValue ?? "")
                }
                gateways.append(GatewayStatus(key: key, addresses: addresses, conditions: conditions,
                                              listeners: Self.decodeListeners(status?["listeners"]),
                                              attachedListenerSets: status?["attachedListenerSets"]?.intValue ?? 0))
            case "ListenerSet":
                listenerSets.append(ListenerSetStatus(key: key, conditions: conditions, listeners: Self.decodeListeners(status?["listeners"])))
            case "BackendTLSPolicy":
                policies.append(PolicyStatus(key: key, ancestors: (status?["ancestors"]?.arrayValue ?? []).map {
                    PolicyAncestorStatus(ancestorRef: Self.decodeParentRef($0["ancestorRef"]),
                                         controllerName: $0["controllerName"]?.stringValue ?? "",
                                         conditions: Self.decodeConditions($0["conditions"]))
                }))
            case "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute":
                routes.append(RouteStatus(key: key, parents: (status?["parents"]?.arrayValue ?? []).map {
                    RouteParentStatus(parentRef: Self.decodeParentRef($0["parentRef"]),
                                      controllerName: $0["controllerName"]?.stringValue ?? "",
                                      conditions: Self.decodeConditions($0["conditions"]))
                }))
            default:
                continue
            }
        }
    }

    static func decodeConditions(_ value: Value?) -> [Condition] {
        (value?.arrayValue ?? []).map {
            var condition = Condition($0["type"]?.stringValue ?? "", false, reason: $0["reason"]?.stringValue ?? "",
                                      message: $0["message"]?.stringValue ?? "", observedGeneration: $0["observedGeneration"]?.intValue ?? 0)
            condition.status = $0["status"]?.stringValue ?? "Unknown"
            return condition
        }
    }

    static func decodeListeners(_ value: Value?) -> [ListenerStatus] {
        (value?.arrayValue ?? []).map {
            ListenerStatus(name: $0["name"]?.stringValue ?? "",
                           supportedKinds: ($0["supportedKinds"]?.arrayValue ?? []).map {
                               RouteGroupKind(group: $0["group"]?.stringValue ?? gatewayGroup, kind: $0["kind"]?.stringValue ?? "")
                           },
                           attachedRoutes: $0["attachedRoutes"]?.intValue ?? 0,
                           conditions: decodeConditions($0["conditions"]))
        }
    }

    static func decodeParentRef(_ value: Value?) -> ParentReference {
        ParentReference(group: value?["group"]?.stringValue ?? gatewayGroup, kind: value?["kind"]?.stringValue ?? "Gateway",
                        namespace: value?["namespace"]?.stringValue, name: value?["name"]?.stringValue ?? "",
                        sectionName: value?["sectionName"]?.stringValue, port: value?["port"]?.intValue)
    }
}
