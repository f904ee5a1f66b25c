import GatewayAPI
import RoutingCore
import Testing

/// No manifest crashes gwsim, and every load error says where it is. The
/// FlatIndexTests world (several listeners, every match kind, filters, weights)
/// is written as one YAML stream and mutated line by line with a seeded
/// generator: lines dropped, repeated, cut, or given a hostile value. Each
/// variant is loaded, compiled (status and table) and routed.
@Suite struct ManifestMutationTests {
    static let hostile = ["", "-1", "0", "99999999999999999999", "1e308", "-9223372036854775808", "null", "~", "[]", "{}",
                          "\"\\u0000\"", "é中", "*", "*.", "/", "//", "%2F", "\"", "'", ":", "- ", "&a", "*a", "!!binary",
                          "<<: *a", "true", "RegularExpression", "(", "[", "\\", "\t", String(repeating: "x", count: 300), "65536", "0.5"]

    @Test func mutatedManifestsLoadCompileAndRouteWithoutCrashing() {
        let text = ([Fixture.gatewayClass, Fixture.gateway(listeners: FlatIndexTests.listeners)] + Fixture.services + FlatIndexTests.routes)
            .joined(separator: "\n---\n")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var random = SplitMix(seed: 0x6777_7369_6d21)
        var rejected = 0
        for variant in 0..<600 {
            var mutated = lines
            for _ in 0...random.below(3) { mutate(&mutated, &random) }
            let loaded = Loader.load(text: mutated.joined(separator: "\n"), file: "variant-\(variant).yaml", firstLoadOrder: 0)
            for diagnostic in loaded.diagnostics where diagnostic.severity == .error {
                #expect(diagnostic.location.file == "variant-\(variant).yaml" && diagnostic.location.line > 0,
                        "variant \(variant): an error without its line: \(diagnostic)")
            }
            if loaded.hasErrors { rejected += 1 }
            let world = Compiler.compile(loaded.resources)
            _ = world.status
            for host in ["example.com", "a.wild.test", "split.test", "x"] {
                for path in ["/", "/api/v2", "/re/42", "/q?v=1"] {
                    _ = world.table.route(get(path, host: host), key: "k\(variant)")
                    _ = world.table.verdict(get(path, host: host, port: 8080), key: "k\(variant)")
                }
            }
        }
        // Both kinds are exercised: variants the loader rejects (546 of 600 when
        // written) and odd ones it accepts, which then compile and route.
        #expect(rejected > 300 && rejected < 590, "\(rejected) of 600 variants were rejected")
    }

    private func mutate(_ lines: inout [String], _ random: inout SplitMix) {
        let index = random.below(lines.count)
        switch random.below(5) {
        case 0: lines.remove(at: index)
        case 1: lines.insert(lines[random.below(lines.count)], at: index)
        case 2: lines[index] = String(lines[index].prefix(random.below(lines[index].count + 1)))
        case 3:
            guard let colon = lines[index].firstIndex(of: ":") else { fallthrough }
            lines[index] = lines[index][...colon] + " " + Self.hostile[random.below(Self.hostile.count)]
        default:
            let line = Array(lines[index])
            let at = random.below(line.count + 1)
            lines[index] = String(line[..<at]) + Self.hostile[random.below(Self.hostile.count)] + String(line[at...])
        }
        if lines.isEmpty { lines = [""] }
    }
}

/// SplitMix64: a small seeded generator, so every run mutates the same way.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        return ByteHash.spread(state)
    }
    mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
}
