import Foundation
import GatewayAPI

/// The simulated cluster of one case: every object as the loader decoded it
/// (with its raw form, so that merge patches can be applied and decoded again),
/// plus the raw documents of kinds the loader does not model (Deployments,
/// ListenerSets, ...) which the runner still needs to read: Deployments tell
/// which pods a Service selects, and upstream names backends by pod.
package struct World {
    package private(set) var objects: [ObjectKey: LoadedObject] = [:]
    package private(set) var others: [ObjectKey: Value] = [:]
    /// Load-time diagnostics with error severity (the API server would reject them).
    package private(set) var errors: [String] = []
    private var nextLoadOrder = 0

    /// Adds (or replaces) the objects of a manifest, in document order, after
    /// everything already in the world (load order stands in for age).
    package init() {}

    package mutating func apply(text: String, file: String) {
        let text = SuiteRuntime.substitute(text)
        let documents: [Value]
        do { documents = try YAMLValue.parseAll(text) } catch {
            errors.append("\(file): \(error)")
            documents = []
        }
        let loaded = Loader.load(text: text, file: file, firstLoadOrder: nextLoadOrder)
        for diagnostic in loaded.diagnostics where diagnostic.severity == .error {
            errors.append(diagnostic.description)
        }
        var loadedKeys = Set<ObjectKey>()
        for var object in loaded.objects {
            let key = object.resource.key
            loadedKeys.insert(key)
            if let existing = objects[key] {
                // A re-applied object keeps its age, as with `kubectl apply`.
                object = Loader.decode(object.raw, location: object.location, loadOrder: existing.resource.meta.loadOrder).0 ?? object
            }
            nextLoadOrder = max(nextLoadOrder, object.resource.meta.loadOrder + 1)
            objects[key] = object
        }
        for document in documents {
            guard let key = Self.key(of: document), !loadedKeys.contains(key), objects[key] == nil else { continue }
            others[key] = document
        }
        applySuitePatches()
    }

    package mutating func apply(file path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            errors.append("\(path): cannot read file")
            return
        }
        apply(text: text, file: path)
    }

    package mutating func delete(_ ref: ObjectRef) -> Bool {
        let key = ObjectKey(kind: ref.kind, namespace: ref.namespace, name: ref.name)
        let removed = objects.removeValue(forKey: key) != nil
        return others.removeValue(forKey: key) != nil || removed
    }

    /// Applies a merge patch to a live object and decodes it again.
    package mutating func patch(_ ref: ObjectRef, with patch: Value) -> String? {
        let key = ObjectKey(kind: ref.kind, namespace: ref.namespace, name: ref.name)
        guard let existing = objects[key] else {
            if let raw = others[key] {
                others[key] = MergePatch.applyToObject(patch, to: raw)
                return nil
            }
            return "patch: no object \(key)"
        }
        let patched = MergePatch.applyToObject(patch, to: existing.raw)
        let (decoded, diagnostics) = Loader.decode(patched, location: existing.location, loadOrder: existing.resource.meta.loadOrder)
        if let decoded {
            objects[key] = decoded
            return nil
        }
        return "patch of \(key) rejected: " + diagnostics.map(\.description).joined(separator: "; ")
    }

    package var resources: ResourceSet {
        ResourceSet(objects.values.sorted { $0.resource.meta.loadOrder < $1.resource.meta.loadOrder }.map(\.resource))
    }

    /// Kinds present in the world that the loader does not model, with an
    /// example object each (for skip reasons).
    var unmodelledKinds: Set<String> { Set(others.keys.map(\.kind)) }

    package func raw(_ key: ObjectKey) -> Value? { objects[key]?.raw ?? others[key] }

    // MARK: - Backend identity

    /// The name upstream would see for a Service's backend: upstream's echo
    /// server reports its pod name, and checks compare the expected backend as a
    /// prefix of it. Pods come from the Deployment whose template labels the
    /// Service selects, or from the targetRef of the Service's EndpointSlices.
    package func podName(namespace: String, service: String) -> String {
        let key = ObjectKey(kind: "Service", namespace: namespace, name: service)
        if let selector = raw(key)?["spec"]?["selector"]?.objectValue, !selector.isEmpty {
            let wanted = selector.map { ($0.0, $0.1.scalarText ?? "") }
            for (otherKey, document) in others.sorted(by: { $0.key < $1.key })
            where otherKey.kind == "Deployment" && otherKey.namespace == namespace {
                let labels = document["spec"]?["template"]?["metadata"]?["labels"]
                if wanted.allSatisfy({ labels?[$0.0]?.scalarText == $0.1 }) { return otherKey.name + "-pod" }
            }
        } else {
            for (sliceKey, object) in objects.sorted(by: { $0.key < $1.key }) where sliceKey.kind == "EndpointSlice" && sliceKey.namespace == namespace {
                guard object.raw["metadata"]?["labels"]?["kubernetes.io/service-name"]?.scalarText == service else { continue }
                for endpoint in object.raw["endpoints"]?.arrayValue ?? [] {
                    if let pod = endpoint["targetRef"]?["name"]?.scalarText { return pod }
                }
            }
        }
        return service
    }

    /// The Secret a Service's pods serve TLS with: the first secret volume of the
    /// Deployment the Service selects (the echo backend reads its certificate there).
    package func servingSecret(namespace: String, service: String) -> String? {
        let template = podTemplate(namespace: namespace, service: service)
        for volume in template?["spec"]?["volumes"]?.arrayValue ?? [] {
            if let name = volume["secret"]?["secretName"]?.scalarText { return name }
        }
        return nil
    }

    /// The pod template of the Deployment a Service selects (first by name), if any.
    package func podTemplate(namespace: String, service: String) -> Value? {
        let key = ObjectKey(kind: "Service", namespace: namespace, name: service)
        guard let selector = raw(key)?["spec"]?["selector"]?.objectValue, !selector.isEmpty else { return nil }
        let wanted = selector.map { ($0.0, $0.1.scalarText ?? "") }
        for (otherKey, document) in others.sorted(by: { $0.key < $1.key })
        where otherKey.kind == "Deployment" && otherKey.namespace == namespace {
            let template = document["spec"]?["template"]
            if wanted.allSatisfy({ template?["metadata"]?["labels"]?[$0.0]?.scalarText == $0.1 }) { return template }
        }
        return nil
    }

    // MARK: - Private

    private static func key(of document: Value) -> ObjectKey? {
        guard let kind = document["kind"]?.scalarText, let name = document["metadata"]?["name"]?.scalarText else { return nil }
        return ObjectKey(kind: kind, namespace: document["metadata"]?["namespace"]?.scalarText ?? "", name: name)
    }

    /// Upstream patches some EndpointSlices with Pod IPs at run time (see SuiteRuntime).
    private mutating func applySuitePatches() {
        for (key, address) in SuiteRuntime.endpointPatches {
            guard let object = objects[key], (object.raw["endpoints"]?.arrayValue ?? []).isEmpty else { continue }
            _ = patch(ObjectRef(kind: key.kind, namespace: key.namespace, name: key.name), with: SuiteRuntime.endpointPatch(address: address))
        }
    }
}
