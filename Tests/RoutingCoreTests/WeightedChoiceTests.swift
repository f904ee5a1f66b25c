import Foundation
@testable import RoutingCore
import Testing

/// The weighted choice is an exponential race seeded by each backend's
/// identity: shares follow the weights, and comparing two worlds key by key a
/// reorder moves nothing, a weight change moves what it must and little more.
@Suite struct WeightedChoiceTests {
    static let keys = (0..<20_000).map { "req-\($0)" }

    static func ref(_ name: String, port: Int? = 80) -> BackendRef {
        BackendRef(namespace: "app", name: name, port: port)
    }

    /// Each key's pick among `backends`, as a backend name ("" when none).
    static func picks(_ backends: [(String, Int)]) -> [String] {
        let refs = backends.map { ref($0.0) }
        let weights = backends.map(\.1)
        let seeds = WeightedChoice.seeds(for: refs)
        return keys.map { key in
            WeightedChoice.pick(count: refs.count, weight: { weights[$0] }, seed: { seeds[$0] },
                                keyHash: { WeightedChoice.keyHash(key) }).map { backends[$0].0 } ?? ""
        }
    }

    static func moved(_ before: [String], _ after: [String]) -> [(String, String)] {
        zip(before, after).filter { $0 != $1 }
    }

    static func share(_ picks: [String], _ name: String) -> Double {
        Double(picks.lazy.filter { $0 == name }.count) / Double(picks.count)
    }

    @Test func sharesFollowTheWeights() {
        for weights in [[50, 30, 20], [3, 1, 0], [1, 1, 1], [1, 1000, 10], [7, 2, 1]] {
            let picks = Self.picks(zip(["a", "b", "c"], weights).map { ($0, $1) })
            let total = Double(weights.reduce(0, +))
            for (name, weight) in zip(["a", "b", "c"], weights) {
                let share = Self.share(picks, name)
                #expect(abs(share - Double(weight) / total) < 0.01, "\(weights): \(name) has \(share)")
                if weight == 0 { #expect(share == 0) }
            }
        }
        // Sixteen backends (the most a rule has), unequal weights.
        let many = (0..<16).map { ("s\($0)", $0 + 1) }
        let picks = Self.picks(many)
        for (name, weight) in many {
            #expect(abs(Self.share(picks, name) - Double(weight) / 136) < 0.006, "\(name)")
        }
    }

    @Test func reorderMovesNothing() {
        let abc = [("a", 50), ("b", 30), ("c", 20)]
        let before = Self.picks(abc)
        for order in [[2, 1, 0], [1, 0, 2], [0, 2, 1], [2, 0, 1]] {
            #expect(Self.picks(order.map { abc[$0] }) == before, "\(order)")
        }
        let pair = Self.picks([("a", 3), ("b", 1)])
        #expect(Self.picks([("b", 1), ("a", 3)]) == pair)
    }

    @Test func twoBackendsMoveExactlyTheDifference() {
        let before = Self.picks([("a", 3), ("b", 1)])
        let after = Self.picks([("a", 1), ("b", 1)])
        let moved = Self.moved(before, after)
        // 75 % -> 50 %: a quarter of the keys, every one of them from a to b.
        #expect(abs(Double(moved.count) / Double(Self.keys.count) - 0.25) < 0.01, "\(moved.count)")
        #expect(moved.allSatisfy { $0 == ("a", "b") })
        // By steps, 3:1 -> 3:2 -> 3:3: each step moves the change of share, from a to b.
        var previous = before
        var previousShare = 0.75
        for weight in [2, 3] {
            let next = Self.picks([("a", 3), ("b", weight)])
            let share = 3.0 / Double(3 + weight)
            let step = Self.moved(previous, next)
            #expect(step.allSatisfy { $0 == ("a", "b") })
            #expect(abs(Double(step.count) / Double(Self.keys.count) - (previousShare - share)) < 0.01, "3:\(weight)")
            previous = next
            previousShare = share
        }
    }

    @Test func zeroWeightOrRemovalMovesOnlyItsOwnKeys() {
        let before = Self.picks([("a", 50), ("b", 30), ("c", 20)])
        let zero = Self.picks([("a", 50), ("b", 30), ("c", 0)])
        let removed = Self.picks([("a", 50), ("b", 30)])
        #expect(zero == removed)
        let moved = Self.moved(before, zero)
        #expect(moved.count == before.filter { $0 == "c" }.count)
        #expect(moved.allSatisfy { $0.0 == "c" && $0.1 != "c" })
        // c's keys spread over a and b as 50:30.
        let toA = Double(moved.filter { $0.1 == "a" }.count) / Double(moved.count)
        #expect(abs(toA - 0.625) < 0.03, "\(toA)")
    }

    @Test func addingABackendTakesKeysOnlyIntoIt() {
        let before = Self.picks([("a", 50), ("b", 30)])
        let after = Self.picks([("a", 50), ("b", 30), ("c", 20)])
        let moved = Self.moved(before, after)
        #expect(moved.allSatisfy { $0.1 == "c" })
        #expect(moved.count == after.filter { $0 == "c" }.count)
        #expect(abs(Double(moved.count) / Double(Self.keys.count) - 0.2) < 0.01)
    }

    @Test func threeWayRebalanceMovesOnlyTowardRelativeGains() {
        let before = Self.picks([("a", 50), ("b", 30), ("c", 20)])
        let after = Self.picks([("a", 20), ("b", 30), ("c", 50)])
        let moved = Self.moved(before, after)
        // c gained relative to a and b, b relative to a: nothing leaves c, nothing joins a.
        #expect(moved.allSatisfy { $0.0 != "c" && $0.1 != "a" })
        // At least the 30 % the shares change; about 37 % for the race (60 % with cumulative intervals).
        let fraction = Double(moved.count) / Double(Self.keys.count)
        #expect(fraction > 0.30 && fraction < 0.40, "\(fraction)")
    }

    @Test func seedsComeFromIdentityAndOccurrence() {
        let a = Self.ref("a"), b = Self.ref("b")
        let seeds = WeightedChoice.seeds(for: [a, b, a])
        #expect(Set(seeds).count == 3)
        #expect(WeightedChoice.seeds(for: [b, a]) == [seeds[1], seeds[0]])
        #expect(WeightedChoice.seeds(for: [a, a]) == [seeds[0], seeds[2]])
        // Port, namespace, kind and group are part of the identity; "core" is the core group.
        #expect(WeightedChoice.seeds(for: [Self.ref("a", port: 81)]) != [seeds[0]])
        #expect(WeightedChoice.seeds(for: [Self.ref("a", port: nil)]) != [seeds[0]])
        #expect(WeightedChoice.seeds(for: [BackendRef(namespace: "other", name: "a", port: 80)]) != [seeds[0]])
        #expect(WeightedChoice.seeds(for: [BackendRef(group: "core", namespace: "app", name: "a", port: 80)]) == [seeds[0]])
        #expect(WeightedChoice.seeds(for: [BackendRef(group: "x.io", kind: "Thing", namespace: "app", name: "a", port: 80)]) != [seeds[0]])
        // Two refs to one Service share the keys by weight.
        let picks = Self.keys.map { key in
            WeightedChoice.pick(count: 2, weight: { $0 == 0 ? 1 : 3 }, seed: { seeds[[0, 2][$0]] }, keyHash: { WeightedChoice.keyHash(key) })!
        }
        #expect(abs(Double(picks.filter { $0 == 1 }.count) / Double(picks.count) - 0.75) < 0.01)
    }

    @Test func onePositiveWeightNeedsNoHash() {
        for weights in [[5], [0, 2], [2, 0], [0, 0, 7, 0]] {
            let pick = WeightedChoice.pick(count: weights.count, weight: { weights[$0] }, seed: { UInt32($0) },
                                           keyHash: { Issue.record("hashed \(weights)"); return 0 })
            #expect(pick == weights.firstIndex { $0 > 0 })
        }
        #expect(WeightedChoice.pick(count: 2, weight: { _ in 0 }, seed: { _ in 0 }, keyHash: { 0 }) == nil)
        #expect(WeightedChoice.pick(count: 0, weight: { _ in 1 }, seed: { _ in 0 }, keyHash: { 0 }) == nil)
    }

    @Test func keyHashOfBytesMatchesString() {
        for key in ["", "req-1", "a-rather-longer-request-id-0123456789", "ünïcode"] {
            var copy = key
            #expect(copy.withUTF8 { WeightedChoice.keyHash($0) } == WeightedChoice.keyHash(key))
        }
    }

    /// The pick is the least -ln(u)/w, computed plainly (ties aside, which 20,000 keys do not meet).
    @Test func pickIsTheLeastTime() {
        let refs = (0..<6).map { Self.ref("s\($0)") }
        let seeds = WeightedChoice.seeds(for: refs)
        for weights in [[3, 1, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6], [1_000_000, 1, 999_999, 2, 500_000, 0], [7, 7, 1, 7, 2, 7]] {
            for key in Self.keys {
                let hash = WeightedChoice.keyHash(key)
                let times = (0..<6).map { weights[$0] > 0 ? -log(WeightedChoice.draw(hash, seeds[$0])) / Double(weights[$0]) : .infinity }
                let expected = times.indices.min { times[$0] < times[$1] }!
                let pick = WeightedChoice.pick(count: 6, weight: { weights[$0] }, seed: { seeds[$0] }, keyHash: { hash })
                #expect(pick == expected, "\(weights) \(key)")
            }
        }
    }

    /// The race settles most comparisons with roughLog: its error must stay
    /// within the bound the race relies on, over every mantissa and exponent a draw has.
    @Test func roughLogStaysWithinItsBound() {
        var worst = 0.0
        var state: UInt64 = 1
        for index in 0..<1_000_000 {
            state = ByteHash.spread(state &+ 0x9e37_79b9_7f4a_7c15)
            let mantissa = index < 2 ? [UInt64(0), (UInt64(1) << 52) - 1][index] : state >> 12
            for exponent: UInt64 in [1022, 1021, 1000, 969] {
                let u = Double(bitPattern: exponent << 52 | mantissa)
                worst = max(worst, abs(WeightedChoice.roughLog(u) - log(u)))
            }
        }
        let smallest = 0.5 * 0x1p-53, largest = (Double(UInt64(1) << 53 - 1) + 0.5) * 0x1p-53
        for u in [smallest, largest, WeightedChoice.draw(0, 0), 0.5, 0.75] {
            worst = max(worst, abs(WeightedChoice.roughLog(u) - log(u)))
        }
        #expect(worst < 0.9e-4 && worst < WeightedChoice.roughLogError, "\(worst)")
    }

    /// The hot-path record stays one cache line with the seeds inside.
    @Test func flatMatchIsOneCacheLine() {
        #expect(MemoryLayout<FlatTable.Match>.stride == 64)
        #expect(MemoryLayout<FlatTable.Match>.size <= 64)
    }
}
