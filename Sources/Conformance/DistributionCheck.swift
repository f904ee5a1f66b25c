import GatewayAPI
import RoutingCore

/// Upstream's weighted-distribution test: send `samples` requests, count which
/// backend served each, and require every share within `tolerance` of the
/// expected one, with zero-weight backends receiving nothing. Each sample gets
/// its own key, as distinct connections would, so the core's deterministic
/// weighted choice is exercised across keys rather than repeated for one.
package enum DistributionCheck {
    /// What one sample showed: the pod that served it (nil when it failed) with its
    /// Service, or the failure (a status code or "no response").
    package struct Sample {
        package var pod: String?
        package var service: String?
        package var failure: String
        package init(pod: String?, service: String?, failure: String) {
            self.pod = pod
            self.service = service
            self.failure = failure
        }
    }

    static func check(_ dist: DistributionCase, world: World, table: RoutingTable, keyPrefix: String) -> [String] {
        let request = RequestCheck.routeRequest(dist.request, gateway: dist.gateway, port: dist.port, scheme: dist.scheme)
        return evaluate(dist) { i in
            let observed = Observed(table.route(request, key: "\(keyPrefix)-\(i)"), world: world, backendHeaders: [])
            return Sample(pod: observed.isSuccess ? observed.pod : nil, service: observed.service?.name, failure: String(observed.status))
        }
    }

    /// Takes `dist.samples` samples and judges their spread (shared by the in-process and live runners).
    package static func evaluate(_ dist: DistributionCase, sample: (Int) -> Sample) -> [String] {
        var counts: [String: Int] = [:]
        var failures: [String: Int] = [:]
        for i in 0..<dist.samples {
            let result = sample(i)
            guard let pod = result.pod else {
                failures[result.failure, default: 0] += 1
                continue
            }
            // Name the sample by the expected backend its pod belongs to (upstream's prefix rule).
            let name = dist.expected.map(\.0).filter { pod.hasPrefix($0) }.max { $0.count < $1.count } ?? result.service ?? pod
            counts[name, default: 0] += 1
        }
        var out: [String] = []
        if !failures.isEmpty {
            let text = failures.sorted { $0.key < $1.key }.map { "\($0.value) got \($0.key)" }.joined(separator: ", ")
            out.append("\(failures.values.reduce(0, +)) of \(dist.samples) samples failed (\(text))")
        }
        let total = Double(max(dist.samples, 1))
        for (name, expected) in dist.expected {
            let count = counts[name] ?? 0
            let share = Double(count) / total
            if expected == 0, count > 0 {
                out.append("expected \(name) to receive no traffic, got \(count) of \(dist.samples)")
            } else if abs(share - expected) > dist.tolerance {
                out.append("expected \(name) share \(format(expected)) +/- \(format(dist.tolerance)), got \(format(share)) (\(count) of \(dist.samples))")
            }
        }
        let unexpected = counts.keys.filter { name in !dist.expected.contains { $0.0 == name } }.sorted()
        for name in unexpected { out.append("unexpected backend \(name) received \(counts[name]!) of \(dist.samples)") }
        return out
    }

    static func format(_ x: Double) -> String {
        let scaled = (x * 1000).rounded() / 1000
        return String(scaled)
    }
}
