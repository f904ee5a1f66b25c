import Conformance
import GatewayAPI

/// What a live run needs of a case's world beyond the in-process runner's `World`.
extension World {
    /// The resources with every Gateway but `gateway` removed: the proxy routes by listener
    /// port and Host only, while a case addresses one Gateway (many share port 80).
    func resources(onlyGateway gateway: ObjectKey) -> ResourceSet {
        ResourceSet(objects.values.filter { $0.resource.key.kind != "Gateway" || $0.resource.key == gateway }
            .sorted { $0.resource.meta.loadOrder < $1.resource.meta.loadOrder }.map(\.resource))
    }

    /// Every Service of the world.
    var services: [ObjectKey] { objects.keys.filter { $0.kind == "Service" }.sorted() }

    /// Whether an object of `kind` is present (modelled or not).
    func has(kind: String) -> Bool { objects.keys.contains { $0.kind == kind } || others.keys.contains { $0.kind == kind } }
}
