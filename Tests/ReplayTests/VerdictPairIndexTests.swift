import Testing
@testable import Replay
@testable import RoutingCore

/// The memo's own hash index must find exactly the positions a Dictionary
/// keyed by the verdict pairs finds, and two verdicts' words must be equal
/// exactly when the verdicts are, and give the verdict back.
@Suite struct VerdictPairIndexTests {
    struct Pair: Hashable {
        var before: RouteVerdict
        var after: RouteVerdict
    }

    static func verdict(_ rng: inout SystemRandomNumberGenerator) -> RouteVerdict {
        let outcomes: [Decision.Outcome] = [.forward, .redirect, .respond, .error]
        let statuses = [0, 200, 302, 404, 500, 0xFFFF, 0x10000, -1]
        return RouteVerdict(outcome: outcomes.randomElement(using: &rng)!, status: statuses.randomElement(using: &rng)!,
                            listener: Int32.random(in: -1...2, using: &rng), match: Int32.random(in: -1...3, using: &rng),
                            backend: Int32.random(in: -1...2, using: &rng), decided: nil)
    }

    @Test func findsWhatADictionaryFinds() {
        var rng = SystemRandomNumberGenerator()
        var index = VerdictPairIndex()
        var reference: [Pair: Int] = [:]
        for round in 0..<3 {
            for _ in 0..<20_000 {
                let pair = Pair(before: Self.verdict(&rng), after: Self.verdict(&rng))
                guard let key = VerdictPairIndex.Key(pair.before, pair.after) else {
                    #expect(pair.before.words == nil || pair.after.words == nil)
                    continue
                }
                #expect(index.position(of: key) == reference[pair], "round \(round): \(pair)")
                if reference[pair] == nil {
                    reference[pair] = reference.count
                    index.insert(key, position: reference[pair]!)
                }
            }
            index.removeAll()
            reference.removeAll()
        }
    }

    @Test func wordsAreEqualExactlyWhenVerdictsAre() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let a = Self.verdict(&rng), b = Self.verdict(&rng)
            guard let wa = a.words, let wb = b.words else {
                #expect(!(0...0xFFFF).contains(a.status) || !(0...0xFFFF).contains(b.status))
                continue
            }
            #expect((wa == wb) == (a == b), "\(a) \(b)")
            #expect(RouteVerdict(words: wa) == a, "\(a)")
        }
    }
}
