import Foundation

/// One accepted object: its v1 model, the object as written (without `status` and
/// `metadata.managedFields`, which describe the cluster rather than the intent)
/// and where it was read.
public struct LoadedObject: Sendable {
    public var resource: Resource
    public var raw: Value
    public var location: SourceLocation
    public init(resource: Resource, raw: Value, location: SourceLocation) {
        self.resource = resource
        self.raw = raw
        self.location = location
    }
}

/// What a load produced: the accepted objects and every diagnostic.
public struct LoadResult: Sendable {
    /// Accepted objects, in load order.
    public var objects: [LoadedObject]
    /// Errors (rejected objects), warnings (conversions), notes (skipped kinds).
    public var diagnostics: [Diagnostic]

    public init(objects: [LoadedObject] = [], diagnostics: [Diagnostic] = []) {
        self.objects = objects
        self.diagnostics = diagnostics
    }

    /// Every object whose key an earlier object already has, with where that one was.
    public var repeatedObjects: [(key: ObjectKey, location: SourceLocation, first: SourceLocation)] {
        var first: [ObjectKey: SourceLocation] = [:]
        var repeated: [(key: ObjectKey, location: SourceLocation, first: SourceLocation)] = []
        for object in objects {
            let key = object.resource.key
            if let earlier = first[key] { repeated.append((key, object.location, earlier)) } else { first[key] = object.location }
        }
        return repeated
    }

    /// The objects applied in order: a later object with the same key replaces an earlier one.
    public var resources: ResourceSet {
        var set = ResourceSet()
        for o in objects { set.apply(o.resource) }
        return set
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    mutating func append(_ other: LoadResult) {
        objects += other.objects
        diagnostics += other.diagnostics
    }
}

/// Reads Kubernetes manifests into the v1 model, applying the API server's
/// defaulting and validation (the CRD schemas and CEL rules of apis/v1).
public enum Loader {
    static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// Files or directories (recursive; *.yaml, *.yml, *.json; sorted by path).
    /// A missing or unreadable path is an error diagnostic.
    public static func load(paths: [String]) -> LoadResult {
        var result = LoadResult()
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                result.diagnostics.append(Diagnostic(.error, at: SourceLocation(file: path, line: 0), "no such file or directory"))
                continue
            }
            var files: [String] = []
            if isDir.boolValue {
                let enumerator = fm.enumerator(atPath: path)
                while let rel = enumerator?.nextObject() as? String {
                    let ext = (rel as NSString).pathExtension.lowercased()
                    guard extensions.contains(ext) else { continue }
                    let full = (path as NSString).appendingPathComponent(rel)
                    var sub: ObjCBool = false
                    if fm.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue { files.append(full) }
                }
                files.sort()
            } else {
                files = [path]
            }
            for file in files {
                guard let data = fm.contents(atPath: file) else {
                    result.diagnostics.append(Diagnostic(.error, at: SourceLocation(file: file, line: 0), "cannot read file"))
                    continue
                }
                let text = String(decoding: data, as: UTF8.self)
                result.append(load(text: text, file: file, firstLoadOrder: result.objects.count))
            }
        }
        // One object given twice (versions of a route in one directory, say): the later
        // replaces the earlier, which is worth saying.
        for again in result.repeatedObjects {
            result.diagnostics.append(Diagnostic(.warning, at: again.location, "\(again.key) is given again (first at \(again.first)): this one replaces it"))
        }
        return result
    }

    /// One YAML/JSON text, possibly a multi-document stream or a `kind: List`.
    public static func load(text: String, file: String, firstLoadOrder: Int = 0) -> LoadResult {
        var result = LoadResult()
        var order = firstLoadOrder
        for document in YAMLReader.read(text) {
            switch document {
            case .failure(let failure):
                // JSON is read as the YAML it is a subset of; a .json file's reader expects JSON.
                var message = failure.message
                if file.lowercased().hasSuffix(".json"), message.hasPrefix("invalid YAML") {
                    message = "invalid JSON" + message.dropFirst("invalid YAML".count)
                }
                result.diagnostics.append(Diagnostic(.error, at: SourceLocation(file: file, line: failure.line), message))
            case .success(let doc):
                for (value, lines, line) in expandList(doc, file: file, into: &result) {
                    let (object, diagnostics) = decode(value, lines: lines, file: file, line: line, loadOrder: order)
                    result.diagnostics += diagnostics
                    if let object {
                        result.objects.append(object)
                        order += 1
                    }
                }
            }
        }
        return result
    }

    /// One already-parsed object (merge-patched objects, events read back from a log).
    /// Field lines are unknown, so every diagnostic points at `location`.
    public static func decode(_ object: Value, location: SourceLocation, loadOrder: Int) -> (LoadedObject?, [Diagnostic]) {
        decode(object, lines: LineMap(), file: location.file, line: location.line, loadOrder: loadOrder)
    }

    /// `kind: List` (and `*List`, as `kubectl get -o yaml` writes) becomes its items,
    /// each with the lines of its own subtree. The items of a typed list (`HTTPRouteList`,
    /// as the API server itself answers) may leave out their kind and apiVersion: they are
    /// the list's kind without `List` and the list's apiVersion.
    static func expandList(_ doc: ParsedDocument, file: String, into result: inout LoadResult) -> [(Value, LineMap, Int)] {
        guard case .object = doc.value, let kind = doc.value["kind"]?.stringValue, kind.hasSuffix("List"),
              let items = doc.value["items"] else {
            return [(doc.value, doc.lines, doc.line)]
        }
        guard case .array(let list) = items else {
            result.diagnostics.append(Diagnostic(.error, at: SourceLocation(file: file, line: doc.lines["items"] ?? doc.line), field: "items", "Invalid type: expected array, got \(items.typeName)"))
            return []
        }
        let itemKind = kind == "List" ? nil : String(kind.dropLast(4))
        let apiVersion = doc.value["apiVersion"]
        return list.enumerated().map { index, listed in
            var item = listed
            if let itemKind, case .object(var pairs) = listed {
                if listed["kind"] == nil { pairs.insert(("kind", .string(itemKind)), at: 0) }
                if listed["apiVersion"] == nil, let apiVersion { pairs.insert(("apiVersion", apiVersion), at: 0) }
                item = .object(pairs)
            }
            let prefix = "items[\(index)]"
            var sub: [String: Int] = [:]
            for (path, line) in doc.lines.lines where path.hasPrefix(prefix) {
                let rest = path.dropFirst(prefix.count)
                if rest.isEmpty { sub[""] = line } else if rest.hasPrefix(".") { sub[String(rest.dropFirst())] = line }
            }
            return (item, LineMap(lines: sub), sub[""] ?? doc.line)
        }
    }

    static func decode(_ object: Value, lines: LineMap, file: String, line: Int, loadOrder: Int) -> (LoadedObject?, [Diagnostic]) {
        let location = SourceLocation(file: file, line: line)
        guard case .object = object else {
            return (nil, [Diagnostic(.error, at: location, "Invalid type: expected an object, got \(object.typeName)")])
        }
        let ctx = DecodeContext(file: file, objectLine: line, lines: lines)
        let root = Field(value: object, path: "", ctx: ctx)
        guard let apiVersion = root["apiVersion"].string, !apiVersion.isEmpty else {
            if !root["apiVersion"].exists { ctx.error("apiVersion", "Required value: apiVersion must be set") }
            return (nil, ctx.diagnostics)
        }
        guard let kind = root["kind"].string, !kind.isEmpty else {
            if !root["kind"].exists { ctx.error("kind", "Required value: kind must be set") }
            return (nil, ctx.diagnostics)
        }
        let group = apiVersion.contains("/") ? String(apiVersion[..<(apiVersion.firstIndex(of: "/") ?? apiVersion.endIndex)]) : ""
        let version = apiVersion.contains("/") ? String(apiVersion[apiVersion.index(after: apiVersion.firstIndex(of: "/") ?? apiVersion.startIndex)...]) : apiVersion

        guard let resource = KindRegistry.decode(root, group: group, version: version, kind: kind, loadOrder: loadOrder) else {
            if !ctx.hasErrors, group == gatewayGroup, let served = KindRegistry.servedVersions[kind] {
                // kubectl apply: "no matches for kind ... in version ...".
                ctx.error("apiVersion", "no \(kind) in \(apiVersion) (\(group) serves \(kind) as \(served.sorted().joined(separator: ", ")))")
            } else if !ctx.hasErrors {
                let meta = object["metadata"]
                let name = meta?["name"]?.stringValue ?? "<unnamed>"
                let ns = meta?["namespace"]?.stringValue
                let who = ns.map { "\($0)/\(name)" } ?? name
                let why = KindRegistry.isGatewayKind(group: group, kind: kind) ? "version not simulated" : "kind not simulated"
                ctx.diagnostics.append(Diagnostic(.note, at: location, "skipped \(apiVersion) \(kind) \(who): \(why)"))
            }
            return (nil, ctx.diagnostics)
        }
        guard !ctx.hasErrors else { return (nil, ctx.diagnostics) }
        var raw = object.removing("status")
        if let meta = raw["metadata"] { raw = raw.setting("metadata", to: meta.removing("managedFields")) }
        return (LoadedObject(resource: resource, raw: raw, location: location), ctx.diagnostics)
    }
}
