import EventLog
import Foundation
import GatewayAPI

/// Draws the requests of a traffic model. Request `index` depends only on (seed, index), not on
/// the requests before it, so a longer trace starts with the same requests as a shorter one.
public struct RequestSampler: Sendable {
    public let seed: UInt64
    let traffic: TrafficModel
    let hosts: WeightedPicker<String>
    let paths: WeightedPicker<Template>
    let methods: WeightedPicker<String>
    let headerValues: [WeightedPicker<Template>]
    let queries: WeightedPicker<QuerySpec>?
    let clients: ClientConnections

    /// Stream ids keep the request draws and the arrival-time draws independent.
    static let requestStream: UInt64 = 1
    static let arrivalStream: UInt64 = 2

    public init(traffic: TrafficModel, seed: UInt64) {
        self.seed = seed
        self.traffic = traffic
        hosts = WeightedPicker(traffic.hosts)
        paths = WeightedPicker(traffic.paths)
        methods = WeightedPicker(traffic.methods)
        headerValues = traffic.headers.map { WeightedPicker($0.values) }
        queries = traffic.queries.isEmpty ? nil : WeightedPicker(traffic.queries.map { Weighted($0, weight: $0.weight) })
        clients = ClientConnections(traffic: traffic, seed: seed)
    }

    /// Request `index`, recorded under `id`.
    public func request(_ index: Int, id: String) -> RequestRecord {
        var rng = SplitMix64(seed: seed, stream: Self.requestStream, index: UInt64(index))
        let host = hosts.pick(&rng)
        var path = paths.pick(&rng).expand(rng: &rng)
        let method = methods.pick(&rng)
        if let queries {
            let q = queries.pick(&rng)
            if rng.chance(q.probability) {
                let text = q.query.expand(rng: &rng)
                if !text.isEmpty { path += (path.contains("?") ? "&" : "?") + text }
            }
        }
        var headers: [HeaderField] = []
        for (spec, picker) in zip(traffic.headers, headerValues) where rng.chance(spec.probability) {
            headers.append(HeaderField(spec.name, picker.pick(&rng).expand(rng: &rng)))
        }
        return RequestRecord(id: id, client: clients.address(ofRequest: index), port: traffic.port,
                             scheme: traffic.scheme, method: method, host: host, path: path, headers: headers,
                             gateway: traffic.gateway, sni: traffic.scheme == "https" ? ServerName.forAuthority(host) : nil)
    }
}

/// Arrival times: a Poisson process, i.e. exponential gaps with mean `1/rate`, in whole
/// microseconds (integers, so the sum cannot drift between platforms).
public struct ArrivalClock: Sendable {
    private var rng: SplitMix64
    private let meanMicros: Double
    public private(set) var nowMicros: Int64

    public init(traffic: TrafficModel, seed: UInt64) {
        rng = SplitMix64(seed: seed, stream: RequestSampler.arrivalStream, index: 0)
        meanMicros = 1_000_000 / traffic.rate
        nowMicros = traffic.startMicros
    }

    public mutating func next() -> Int64 {
        let u = 1 - rng.unit()  // (0, 1]: log never sees 0
        // libm `log` differs between platforms by at most an ulp; rounding to whole
        // microseconds hides that for any sane rate.
        let gap = (-log(u) * meanMicros).rounded()
        // Held just past the latest event time, where ScenarioEvents stops: the sum of
        // gaps at an absurdly low rate would otherwise overflow Int64.
        nowMicros = min(nowMicros + Int64(min(gap, 1e15)), Limits.maxTimeMicros + 1)
        return nowMicros
    }
}
