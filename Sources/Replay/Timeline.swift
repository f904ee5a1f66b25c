/// Requests and changed requests over time, in constant memory: a fixed number
/// of fine buckets starting at `origin` whose width doubles (merging pairs)
/// whenever a time falls past the end. The width only depends on the largest
/// offset seen, so histograms of different chunks merge exactly, in any
/// grouping, and the final buckets are exact sums of fine buckets.
struct TimeHistogram: Sendable {
    static let size = 1024
    let origin: Int64
    private(set) var width: Int64 = 1
    private(set) var requests: [Int]
    private(set) var changed: [Int]
    private(set) var maxOffset: Int64 = -1

    init(origin: Int64) {
        self.origin = origin
        requests = []
        changed = []
    }

    mutating func add(timeMicros: Int64, changed isChanged: Bool) {
        if requests.isEmpty {
            requests = [Int](repeating: 0, count: Self.size)
            changed = [Int](repeating: 0, count: Self.size)
        }
        let offset = timeMicros > origin ? timeMicros &- origin : 0
        if offset > maxOffset { maxOffset = offset }
        while offset / width >= Int64(Self.size) { coarsen() }
        let index = Int(offset / width)
        requests[index] += 1
        if isChanged { changed[index] += 1 }
    }

    private mutating func coarsen() {
        width *= 2
        guard !requests.isEmpty else { return }
        for i in 0..<(Self.size / 2) {
            requests[i] = requests[2 * i] + requests[2 * i + 1]
            changed[i] = changed[2 * i] + changed[2 * i + 1]
        }
        for i in (Self.size / 2)..<Self.size {
            requests[i] = 0
            changed[i] = 0
        }
    }

    mutating func merge(_ other: TimeHistogram) {
        guard !other.requests.isEmpty else { return }
        var other = other
        if requests.isEmpty {
            let keepWidth = width
            self = other
            while width < keepWidth { coarsen() }
            return
        }
        while width < other.width { coarsen() }
        while other.width < width { other.coarsen() }
        for i in 0..<Self.size {
            requests[i] += other.requests[i]
            changed[i] += other.changed[i]
        }
        maxOffset = max(maxOffset, other.maxOffset)
    }

    /// `count` buckets of equal width (a multiple of the fine width) covering every time seen.
    func buckets(_ count: Int) -> [TimeBucket] {
        guard !requests.isEmpty, maxOffset >= 0 else { return [] }
        let range = maxOffset + 1
        let perBucket = max(1, (range + Int64(count) * width - 1) / (Int64(count) * width))
        var result: [TimeBucket] = []
        result.reserveCapacity(count)
        for b in 0..<count {
            var r = 0, c = 0
            let first = Int64(b) * perBucket
            var fine = first
            while fine < first + perBucket, fine < Int64(Self.size) {
                r += requests[Int(fine)]
                c += changed[Int(fine)]
                fine += 1
            }
            result.append(TimeBucket(startMicros: origin + Int64(b) * perBucket * width, requests: r, changed: c))
        }
        return result
    }
}
