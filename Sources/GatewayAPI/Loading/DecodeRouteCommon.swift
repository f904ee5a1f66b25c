/// The parts every route kind shares (shared_types.go `CommonRouteSpec`, hostnames,
/// rule names), with their CEL rules.
enum RouteCommon {
    /// `spec.parentRefs`: at most 32, and references to the same parent must be told
    /// apart by sectionName/port (the two CommonRouteSpec CEL rules).
    static func parentRefs(_ f: Field) -> [ParentReference] {
        let items = f.items(max: 32)
        let refs = items.map(RefDecoder.parentRef)
        func sameParent(_ a: ParentReference, _ b: ParentReference) -> Bool {
            a.group == b.group && a.kind == b.kind && a.name == b.name && (a.namespace ?? "") == (b.namespace ?? "")
                && (a.namespace == nil || a.namespace == "") == (b.namespace == nil || b.namespace == "")
        }
        let section: (ParentReference) -> String = { $0.sectionName ?? "" }
        let port: (ParentReference) -> Int = { $0.port ?? 0 }
        var reportedSpecify = false
        var reportedUnique = false
        for a in refs {
            for b in refs where sameParent(a, b) {
                if !reportedSpecify, (section(a).isEmpty != section(b).isEmpty) || ((port(a) == 0) != (port(b) == 0)) {
                    f.error("sectionName or port must be specified when parentRefs includes 2 or more references to the same parent")
                    reportedSpecify = true
                }
            }
            let twins = refs.filter { sameParent(a, $0) && section(a) == section($0) && port(a) == port($0) }
            if twins.count != 1, !reportedUnique {
                f.error("sectionName or port must be unique when parentRefs includes 2 or more references to the same parent")
                reportedUnique = true
            }
        }
        return refs
    }

    /// Route `hostnames` (shared_types.go `Hostname`).
    static func hostnames(_ f: Field, max: Int, min: Int = 0, forbidIP: Bool = false) -> [String] {
        f.items(min: min, max: max).compactMap { h in
            guard let s = h.string(minLength: 1, maxLength: 253, rule: .hostname) else { return nil }
            if forbidIP, StringRule.isIP(s) { h.error("Hostnames cannot contain an IP") }
            return s
        }
    }

    /// Optional rule `name` (SectionName), unique within the route (CEL).
    static func ruleNames(_ rules: [Field], list: Field) -> [String?] {
        var seen = Set<String>()
        var reported = false
        return rules.map { r in
            guard r["name"].exists else { return nil }
            let name = r["name"].string(minLength: 1, maxLength: 253, rule: .preciseHostname)
            if let name, !seen.insert(name).inserted, !reported {
                list.error("Rule name must be unique within the route")
                reported = true
            }
            return name
        }
    }

    /// The 128-match total across rules (HTTPRoute and GRPCRoute `rules` CEL).
    static func checkMatchTotal(_ rules: [Field], list: Field) {
        let total = rules.reduce(0) { $0 + $1["matches"].items.count }
        if total > 128 {
            list.error("While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128")
        }
    }

    /// A Gateway API `Duration` field, in seconds.
    static func duration(_ f: Field) -> Double? {
        guard let s = f.string else { return nil }
        guard let d = GatewayDuration.seconds(s) else {
            f.error("Invalid value: \"\(s)\": must be a duration matching ^([0-9]{1,5}(h|m|s|ms)){1,4}$")
            return nil
        }
        return d
    }

    /// `SessionPersistence` and its CEL rules (shared_types.go).
    static func sessionPersistence(_ f: Field) -> SessionPersistence? {
        guard f.exists else { return nil }
        let name = f["sessionName"].string(maxLength: 128)
        let type = f["type"].exists ? (f["type"].oneOf(["Cookie", "Header"]) ?? "Cookie") : "Cookie"
        _ = duration(f["absoluteTimeout"])
        _ = duration(f["idleTimeout"])
        let lifetime = f["cookie"]["lifetimeType"].exists ? f["cookie"]["lifetimeType"].oneOf(["Permanent", "Session"]) : nil
        if lifetime == "Permanent", !f["absoluteTimeout"].exists {
            f.error("AbsoluteTimeout must be specified when cookie lifetimeType is Permanent")
        }
        // Accepted as the API server would, but no backend choice sticks (docs/proxy.md, Not yet):
        // say so, so that a replay's split of such a rule is read as what it is.
        f.warning("session persistence is not simulated: requests on this rule are split by weight as if it were absent")
        return SessionPersistence(sessionName: name, type: type)
    }
}
