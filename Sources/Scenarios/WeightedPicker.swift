/// Picks one of several alternatives by weight with one uniform draw and a binary search over
/// the cumulative weights: O(log n) per pick, so a scenario with thousands of paths stays fast.
public struct WeightedPicker<T: Sendable>: Sendable {
    public let values: [T]
    let cumulative: [Double]

    /// `items` must be non-empty with a positive total weight (the parser checks this).
    public init(_ items: [Weighted<T>]) {
        values = items.map(\.value)
        var sum = 0.0
        cumulative = items.map { sum += max(0, $0.weight); return sum }
    }

    public var isEmpty: Bool { values.isEmpty }

    public func pick(_ rng: inout SplitMix64) -> T {
        if values.count == 1 { return values[0] }
        let target = rng.unit() * (cumulative.last ?? 0)
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > target { hi = mid } else { lo = mid + 1 }
        }
        return values[lo]
    }
}
