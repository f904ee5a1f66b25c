#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic weighted choice among a rule's backendRefs, by key (a request
/// id): an exponential race. Every backendRef `i` of positive weight `w_i`
/// draws `u_i` in (0, 1) from the key's hash and a seed of its own, and runs
/// the time `-ln(u_i) / w_i`; the first to arrive wins (on an exact tie, the
/// earlier ref). For one key the times are independent exponential variables
/// of rates `w_i`, so ref `i` wins for the share `w_i / Σw` of keys.
///
/// The seed comes from the backend's identity (group, kind, namespace, name,
/// port) and from how many refs of the rule before it have that identity, not
/// from its position: a key draws the same `u_i` for a backend in any world
/// where the rule lists it. Comparing two worlds key by key, then:
/// - reordering the backendRefs moves no key;
/// - a ref going to weight 0, or removed, moves only the keys it had, and they
///   spread over the others in proportion to their weights;
/// - a ref added takes keys only into itself (its share, from each other ref
///   in proportion to that ref's share);
/// - with two refs, a weight change moves exactly the difference of shares,
///   from the one that loses share to the one that gains;
/// - in general a key moves from ref a to ref b only if b's weight grew
///   relative to a's (`w_b / w_a` increased); a change moves at least the
///   total change of shares, and with three or more refs it can move more
///   (50/30/20 -> 20/30/50 moves about 37 % of keys; 30 % is the minimum).
/// Two refs with the same identity count as two backends (occurrences 0 and
/// 1): swapping two such refs that differ in weight or filters moves keys
/// between them. Seeds are 32 bits (the flat index keeps two in its 64-byte
/// match record): two refs of one rule whose seeds collide draw the same
/// numbers for every key and no longer split keys by weight, a chance of
/// about 3 in 10^8 for a rule with 16 refs.
///
/// The choice reads the key only when two or more refs have positive weight: a
/// rule with one positive weight picks it without hashing. Mirrors
/// (`point(for:salt:)`) draw independently of the race.
enum WeightedChoice {
    /// FNV-1a over the key's UTF-8 bytes, then the SplitMix64 finalizer to spread
    /// short, similar keys (`req-1`, `req-2`, ...) over the whole range.
    static func point(for key: String, salt: UInt64 = 0) -> Double {
        Double(ByteHash.spread(hash(key, from: ByteHash.seed ^ salt)) >> 11) / Double(UInt64(1) << 53)
    }

    /// The hash a key races with: FNV-1a of its UTF-8 bytes (each draw
    /// spreads it with the ref's seed).
    static func keyHash(_ key: String) -> UInt64 {
        hash(key, from: ByteHash.seed)
    }

    /// FNV-1a of the key's UTF-8 bytes from `start`, over its contiguous bytes when the
    /// string has them (native and small strings do).
    private static func hash(_ key: String, from start: UInt64) -> UInt64 {
        key.utf8.withContiguousStorageIfAvailable { $0.reduce(start, ByteHash.mix) } ?? key.utf8.reduce(start, ByteHash.mix)
    }

    /// The same for a key given as its UTF-8 bytes.
    static func keyHash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        key.reduce(ByteHash.seed, ByteHash.mix)
    }

    /// Each ref's seed: its identity and its occurrence number among the refs
    /// before it with the same identity. The core group is spelled "".
    static func seeds(for refs: [BackendRef]) -> [UInt32] {
        // At most 16 refs per rule (the CRD): counting the earlier equal ones beats a
        // dictionary per rule, which compiling 50,000 rules felt.
        let identities = refs.map { ref in
            var identity = ref
            if identity.group == "core" { identity.group = "" }
            return identity
        }
        return identities.indices.map { index in
            seed(identities[index], occurrence: identities[..<index].reduce(0) { $0 + ($1 == identities[index] ? 1 : 0) })
        }
    }

    /// The fields' UTF-8 bytes, each followed by a 0 (the port and the occurrence as
    /// decimal digits, an absent port as `-`), hashed without building strings.
    static func seed(_ ref: BackendRef, occurrence: Int) -> UInt32 {
        var hash = ByteHash.seed
        func field(_ text: String) {
            for byte in text.utf8 { hash = ByteHash.mix(hash, byte) }
            hash = ByteHash.mix(hash, 0)
        }
        func decimal(_ value: Int) {
            if value < 0 { hash = ByteHash.mix(hash, UInt8(ascii: "-")) }
            var rest = value.magnitude, divisor: UInt = 1
            while rest / divisor >= 10 { divisor *= 10 }
            while divisor > 0 {
                hash = ByteHash.mix(hash, UInt8(48 + rest / divisor))
                rest %= divisor
                divisor /= 10
            }
            hash = ByteHash.mix(hash, 0)
        }
        field(ref.group)
        field(ref.kind)
        field(ref.namespace)
        field(ref.name)
        if let port = ref.port { decimal(port) } else { field("-") }
        decimal(occurrence)
        return UInt32(truncatingIfNeeded: ByteHash.spread(hash) >> 32)
    }

    /// The draw `u` in (0, 1) of the ref with `seed` for the key with `keyHash`:
    /// 53 bits of a SplitMix64 step, centred in their interval (never 0 or 1).
    @inline(__always)
    static func draw(_ keyHash: UInt64, _ seed: UInt32) -> Double {
        let bits = ByteHash.spread(keyHash &+ UInt64(seed) &* 0x9e37_79b9_7f4a_7c15) >> 11
        return (Double(bits) + 0.5) * 0x1p-53
    }

    /// The offset of the winning ref, or nil when no weight is positive.
    /// `weight(i)` and `seed(i)` describe ref `i` of `count`; `keyHash` is
    /// asked at most once, and only when two refs have positive weight.
    ///
    /// Ref `i` (time `-ln(u_i)/w_i`) beats the best so far `b` when
    /// `ln(u_i)·w_b > ln(u_b)·w_i`, a product instead of two divisions; when
    /// the weights are equal, when `u_i > u_b` (no logarithm). The products are
    /// first compared with `roughLog` in place of `ln`: its error bound says
    /// when that settles the comparison, as it does for all but about one pair
    /// in ten thousand; the others take `ln` itself. Every caller (flat
    /// verdicts, full decisions, layer-4 routes) goes through here, so they
    /// agree to the last bit.
    @inline(__always)
    static func pick(count: Int, weight: (Int) -> Int, seed: (Int) -> UInt32, keyHash: () -> UInt64) -> Int? {
        var best = -1
        var bestWeight = 0
        var index = 0
        while index < count {
            let w = weight(index)
            if w > 0 {
                if best >= 0 {
                    return race(from: index, count: count, best: best, bestWeight: bestWeight, weight: weight, seed: seed, hash: keyHash())
                }
                best = index
                bestWeight = w
            }
            index += 1
        }
        return best >= 0 ? best : nil
    }

    /// The race proper, from the second positive weight (at `from`) on.
    @inline(__always)
    private static func race(from start: Int, count: Int, best first: Int, bestWeight firstWeight: Int,
                             weight: (Int) -> Int, seed: (Int) -> UInt32, hash: UInt64) -> Int {
        var best = first
        var bestWeight = firstWeight
        var bestDraw = draw(hash, seed(first))
        var bestRough = Double.nan
        var index = start
        while index < count {
            let w = weight(index)
            if w > 0 {
                let u = draw(hash, seed(index))
                if w == bestWeight {
                    if u > bestDraw {
                        best = index
                        bestDraw = u
                        bestRough = .nan
                    }
                } else {
                    if bestRough.isNaN { bestRough = roughLog(bestDraw) }
                    let rough = roughLog(u)
                    let (wb, wi) = (Double(bestWeight), Double(w))
                    let difference = rough * wb - bestRough * wi
                    let margin = roughLogError * (wb + wi)
                    let wins = difference > margin ? true
                        : difference < -margin ? false
                        : log(u) * wb > log(bestDraw) * wi
                    if wins {
                        best = index
                        bestWeight = w
                        bestDraw = u
                        bestRough = rough
                    }
                }
            }
            index += 1
        }
        return best
    }

    /// A bound on `|roughLog(u) - ln(u)|` for u in (0, 1) (the measured
    /// maximum is 8.3e-5; WeightedChoiceTests checks it), with room for the
    /// rounding of the products it is compared with.
    static let roughLogError = 1.25e-4

    /// `ln(u)` to within `roughLogError`, without a call: the binary exponent
    /// times ln 2, plus a quartic in the mantissa's fraction (a least-squares
    /// fit of ln(1 + t) on [0, 1)).
    @inline(__always)
    static func roughLog(_ u: Double) -> Double {
        let bits = u.bitPattern
        let exponent = Double(Int((bits >> 52) & 0x7ff) - 1023)
        let t = Double(bitPattern: bits & 0x000f_ffff_ffff_ffff | 0x3ff0_0000_0000_0000) - 1
        let fraction = t * (0.9971878914943529 + t * (-0.4697758343655778 + t * (0.22311001131290453 + t * -0.05743465936460739)))
        return exponent * 0.6931471805599453 + fraction
    }
}
