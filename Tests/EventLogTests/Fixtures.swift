import Foundation
import XCTest
@testable import EventLog

/// Deterministic sample events and temp-dir helpers shared by the tests.
enum Fixtures {
    static let baseTime = 1_795_000_000.0  // 2026-11-18

    static func request(_ i: Int, time: Double? = nil, observed: Bool = true) -> Event {
        let o = observed ? ObservedOutcome(route: "HTTPRoute/shop/web-\(i % 7)", rule: i % 3, backend: "shop/web-v\(i % 2 + 1):8080",
                                           endpoint: "10.1.\(i % 250).\(i % 200 + 1):8080", status: i % 11 == 0 ? 503 : 200,
                                           latencyMs: Double(i % 1000) / 8 + 0.125, bytesIn: 512 + i % 100, bytesOut: 2048 + i % 4096)
                             : nil
        let r = RequestRecord(id: "req-\(String(i, radix: 16))-7f3a9c", client: "203.0.113.\(i % 254 + 1):\(40000 + i % 20000)",
                              port: i % 5 == 0 ? 443 : 80, scheme: i % 5 == 0 ? "https" : "http",
                              method: i % 4 == 0 ? "POST" : "GET", host: "shop.example.com",
                              path: "/api/v1/items/\(i)?page=\(i % 10)&q=caf\u{e9}",
                              headers: [HeaderField("user-agent", "curl/8.5.0"), HeaderField("accept", "*/*"),
                                        HeaderField("x-request-id", "req-\(i)"), HeaderField("x-tenant", i % 2 == 0 ? "blue" : "green")],
                              gateway: "infra/public-gw", sni: i % 5 == 0 ? "shop.example.com" : nil, observed: o)
        return Event(time: time ?? baseTime + Double(i) * 0.001, body: .request(r))
    }

    static func resource(_ i: Int, objects: Int = 50, time: Double? = nil, delete: Bool = false) -> Event {
        let n = i % objects
        let kinds = ["HTTPRoute", "Service", "Gateway", "GatewayClass"]
        let kind = kinds[n % kinds.count]
        let ns = kind == "GatewayClass" ? nil : "ns-\(n % 3)"
        let nsField = ns.map { ",\"namespace\":\"\($0)\"" } ?? ""
        let json = delete
            ? "{\"apiVersion\":\"v1\",\"kind\":\"\(kind)\",\"metadata\":{\"name\":\"obj-\(n)\"\(nsField)}}"
            : """
            {
              "apiVersion": "gateway.networking.k8s.io/v1", "kind": "\(kind)",
              "metadata": {"name": "obj-\(n)"\(nsField), "labels": {"gen": "\(i)"}},
              "spec": {"hostnames": ["a.example.com"], "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/v\(i)"}}], "weight": 1.5e2, "note": "quote \\" and \\u00e9"}]}
            }
            """
        let change = try! ResourceChange(action: delete ? .deleted : .applied, source: i % 3 == 0 ? .admin : .file,
                                         origin: i % 3 == 0 ? nil : "/tmp/manifests/\(n).yaml", objectJSON: json)
        return Event(time: time ?? baseTime + Double(i) * 0.001, body: .resource(change))
    }

    /// A mixed stream with seqs 1…count: mostly requests, every 5th a resource change, some deletes.
    static func mixed(_ count: Int, objects: Int = 50) -> [Event] {
        (0..<count).map { i in
            var e = i % 5 == 0 ? resource(i, objects: objects, delete: i % 35 == 0) : request(i, observed: i % 3 != 0)
            e.seq = Int64(i + 1)
            return e
        }
    }
}

/// A fresh temporary directory, removed at the end of the test.
final class TempDir {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("eventlog-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

func writeTrace(_ events: [Event], to path: String, frameBytes: Int = Limits.defaultFrameBytes) throws -> TraceWriter {
    let w = try TraceWriter(path: path, frameBytes: frameBytes, created: "2026-11-26T14:50:32.123456Z")
    for e in events { try w.write(e) }
    try w.close()
    return w
}
