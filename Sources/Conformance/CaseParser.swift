import Foundation
import GatewayAPI

/// Reads `cases/*.yaml` (FORMAT.md) into `CaseFile`. Lenient on purpose:
/// omitted keys stay nil/empty ("upstream does not check this"), and unknown
/// keys are ignored so that a newer transcription still loads; only a missing
/// `name` or a malformed document is an error.
public enum CaseParser {
    public struct ParseError: Error, CustomStringConvertible {
        public var file: String
        public var message: String
        public var description: String { "\(file): \(message)" }
    }

    public static func parse(file path: String) throws -> CaseFile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ParseError(file: path, message: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text: text, file: path)
    }

    public static func parse(text: String, file: String = "<memory>") throws -> CaseFile {
        let root: Value
        do { root = try YAMLValue.parse(text) } catch { throw ParseError(file: file, message: "\(error)") }
        guard root.objectValue != nil else { throw ParseError(file: file, message: "not a mapping") }
        guard let name = root["name"]?.scalarText, !name.isEmpty else { throw ParseError(file: file, message: "missing name") }
        var c = CaseFile(name: name, file: file)
        c.upstream = root["upstream"]?.scalarText ?? ""
        c.description = root["description"]?.scalarText ?? ""
        c.features = strings(root["features"])
        c.profile = root["profile"]?.scalarText ?? ""
        c.level = root["level"]?.scalarText ?? ""
        c.provisional = root["provisional"]?.boolValue ?? false
        c.captured = root["captured"]?.scalarText ?? "full"
        c.notes = root["notes"]?.scalarText ?? ""
        c.manifests = strings(root["manifests"])
        c.steps = (root["steps"]?.arrayValue ?? []).map(step)
        return c
    }

    // MARK: - Steps

    static func step(_ v: Value) -> CaseStep {
        var s = CaseStep()
        s.apply = strings(v["apply"])
        s.delete = list(v["delete"]).map(objectRef)
        s.patch = list(v["patch"]).map { PatchSpec(target: objectRef($0), yaml: $0["yaml"]?.scalarText ?? "") }
        s.status = list(v["status"]).map(statusExpectation)
        s.requests = list(v["requests"]).map(requestCase)
        s.distributions = list(v["distributions"]).map(distribution)
        return s
    }

    static func objectRef(_ v: Value) -> ObjectRef {
        ObjectRef(kind: v["kind"]?.scalarText ?? "", namespace: v["namespace"]?.scalarText ?? "", name: v["name"]?.scalarText ?? "")
    }

    // MARK: - Status

    static func statusExpectation(_ v: Value) -> StatusExpectation {
        var s = StatusExpectation(kind: v["kind"]?.scalarText ?? "", namespace: v["namespace"]?.scalarText ?? "",
                                  name: v["name"]?.scalarText ?? "")
        s.conditions = list(v["conditions"]).map(condition)
        s.listeners = list(v["listeners"]).map { l in
            ListenerExpectation(
                name: l["name"]?.scalarText ?? "",
                attachedRoutes: l["attachedRoutes"]?.intLike,
                supportedKinds: l["supportedKinds"].flatMap { $0.isNull ? nil : list($0) }.map { kinds in
                    kinds.map { KindExpectation(group: $0["group"]?.scalarText ?? gatewayGroup, kind: $0["kind"]?.scalarText ?? "") }
                },
                conditions: list(l["conditions"]).map(condition))
        }
        s.parents = list(v["parents"]).map { p in
            ParentExpectation(parentRef: parentRef(p["parentRef"] ?? .null), conditions: list(p["conditions"]).map(condition))
        }
        s.absentParents = list(v["absentParents"]).map { parentRef($0["parentRef"] ?? $0) }
        s.attachedListenerSets = v["attachedListenerSets"]?.intLike
        s.ancestors = list(v["ancestors"]).map { p in
            ParentExpectation(parentRef: parentRef(p["ancestorRef"] ?? .null), conditions: list(p["conditions"]).map(condition))
        }
        return s
    }

    static func condition(_ v: Value) -> ConditionExpectation {
        ConditionExpectation(type: v["type"]?.scalarText ?? "", status: nonEmpty(v["status"]), reason: nonEmpty(v["reason"]))
    }

    static func parentRef(_ v: Value) -> ParentRefExpectation {
        ParentRefExpectation(group: v["group"]?.scalarText, kind: v["kind"]?.scalarText, namespace: v["namespace"]?.scalarText,
                             name: v["name"]?.scalarText ?? "", sectionName: nonEmpty(v["sectionName"]), port: v["port"]?.intLike)
    }

    // MARK: - Requests

    static func requestCase(_ v: Value) -> RequestCase {
        RequestCase(gateway: gatewayRef(v["gateway"]), port: v["port"]?.intLike ?? 80, scheme: v["scheme"]?.scalarText ?? "http",
                    request: requestSpec(v["request"] ?? .object([])), expect: v["expect"].flatMap { $0.isNull ? nil : expectation($0) },
                    expectFailure: v["expectFailure"]?.boolValue ?? false)
    }

    static func gatewayRef(_ v: Value?) -> ObjectRef {
        ObjectRef(kind: "Gateway", namespace: v?["namespace"]?.scalarText ?? "", name: v?["name"]?.scalarText ?? "")
    }

    static func requestSpec(_ v: Value) -> RequestSpec {
        RequestSpec(method: nonEmpty(v["method"]), host: v["host"]?.scalarText, path: v["path"]?.scalarText,
                    headers: pairs(v["headers"]), sni: nonEmpty(v["sni"]), protocol: nonEmpty(v["protocol"]), body: v["body"]?.scalarText)
    }

    static func expectation(_ v: Value) -> Expectation {
        var e = Expectation()
        e.statusCodes = v["statusCodes"].map { list($0).compactMap(\.intLike) }
        e.backend = v["backend"]?.scalarText
        e.namespace = v["namespace"]?.scalarText
        if let r = v["request"], !r.isNull {
            e.request = ExpectedRequest(host: r["host"]?.scalarText, method: r["method"]?.scalarText, path: r["path"]?.scalarText,
                                        headers: pairs(r["headers"]), absentHeaders: strings(r["absentHeaders"]), sni: nonEmpty(r["sni"]))
        }
        if let r = v["redirect"], !r.isNull {
            e.redirect = ExpectedRedirect(scheme: nonEmpty(r["scheme"]), host: nonEmpty(r["host"]), port: nonEmpty(r["port"]),
                                          path: nonEmpty(r["path"]))
        }
        if let r = v["response"], !r.isNull {
            e.response = ExpectedResponse(headers: pairs(r["headers"]), absentHeaders: strings(r["absentHeaders"]),
                                          validHeaderValues: (r["validHeaderValues"]?.objectValue ?? []).map { ($0.0, strings($0.1)) })
        }
        e.backendSetResponseHeaders = pairs(v["backendSetResponseHeaders"])
        e.mirroredTo = list(v["mirroredTo"]).map {
            MirrorExpectation(name: $0["name"]?.scalarText ?? "", namespace: $0["namespace"]?.scalarText ?? "", percent: $0["percent"]?.doubleValue)
        }
        return e
    }

    static func distribution(_ v: Value) -> DistributionCase {
        DistributionCase(gateway: gatewayRef(v["gateway"]), port: v["port"]?.intLike ?? 80, scheme: v["scheme"]?.scalarText ?? "http",
                         request: requestSpec(v["request"] ?? .object([])), samples: v["samples"]?.intLike ?? 500,
                         expected: (v["expected"]?.objectValue ?? []).map { ($0.0, $0.1.doubleValue ?? 0) },
                         tolerance: v["tolerance"]?.doubleValue ?? 0.05)
    }

    // MARK: - Helpers

    static func list(_ v: Value?) -> [Value] { v?.arrayValue ?? [] }

    static func strings(_ v: Value?) -> [String] {
        if let s = v?.scalarText { return [s] }
        return list(v).compactMap(\.scalarText)
    }

    static func pairs(_ v: Value?) -> [(String, String)] {
        (v?.objectValue ?? []).map { ($0.0, $0.1.scalarText ?? "") }
    }

    /// nil for absent, null and "" (the format writes "" for "not set").
    static func nonEmpty(_ v: Value?) -> String? {
        guard let s = v?.scalarText, !s.isEmpty else { return nil }
        return s
    }
}
