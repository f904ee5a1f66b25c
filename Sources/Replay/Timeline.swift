/// Requests and changed requests over time, in constant memory: fine buckets of one
/// width on either side of `origin` (the first request's time; a log whose time goes
/// backwards, as imported or merged ones may, has requests before it), a fixed number on
/// each side, whose width doubles (merging pairs) whenever a time falls past either end.
/// The width only depends on the largest distance from `origin` seen, so histograms of
/// different chunks merge exactly, in any grouping, and the final buckets are exact sums
/// of fine buckets.
struct TimeHistogram: Sendable {
    static let size = 1024
    let origin: Int64
    /// The fine width in micros, always a power of two: kept as its exponent, so that a
    /// request's cell is a shift rather than two 64-bit divisions.
    private var widthShift: Int64 = 0
    var width: Int64 { 1 << widthShift }
    /// Cell k covers [origin + k·width, origin + (k+1)·width).
    private var after = Side()
    /// Cell k covers [origin − (k+1)·width, origin − k·width).
    private var before = Side()

    /// One side's cells, and the farthest distance (in micros, from the side's edge) seen.
    private struct Side: Sendable {
        var requests: [Int] = []
        var changed: [Int] = []
        var farthest: Int64 = -1

        @inline(__always)
        mutating func add(_ distance: Int64, widthShift: Int64, changed isChanged: Bool) {
            if requests.isEmpty {
                requests = [Int](repeating: 0, count: TimeHistogram.size)
                changed = [Int](repeating: 0, count: TimeHistogram.size)
            }
            if distance > farthest { farthest = distance }
            let index = Int(distance >> widthShift)
            requests[index] += 1
            if isChanged { changed[index] += 1 }
        }

        mutating func halve() {
            guard !requests.isEmpty else { return }
            for i in 0..<(TimeHistogram.size / 2) {
                requests[i] = requests[2 * i] + requests[2 * i + 1]
                changed[i] = changed[2 * i] + changed[2 * i + 1]
            }
            for i in (TimeHistogram.size / 2)..<TimeHistogram.size {
                requests[i] = 0
                changed[i] = 0
            }
        }

        mutating func add(_ other: Side) {
            guard !other.requests.isEmpty else { return }
            if requests.isEmpty {
                self = other
                return
            }
            for i in 0..<TimeHistogram.size {
                requests[i] += other.requests[i]
                changed[i] += other.changed[i]
            }
            farthest = max(farthest, other.farthest)
        }

        /// Cells in use: up to and including the farthest one.
        func cells(width: Int64) -> Int64 { farthest < 0 ? 0 : farthest / width + 1 }
    }

    init(origin: Int64) {
        self.origin = origin
    }

    /// Inlined: replay adds every request.
    @inline(__always)
    mutating func add(timeMicros: Int64, changed isChanged: Bool) {
        if timeMicros >= origin {
            let distance = timeMicros &- origin
            while distance >> widthShift >= Int64(Self.size) { coarsen() }
            after.add(distance, widthShift: widthShift, changed: isChanged)
        } else {
            let distance = origin &- timeMicros &- 1
            while distance >> widthShift >= Int64(Self.size) { coarsen() }
            before.add(distance, widthShift: widthShift, changed: isChanged)
        }
    }

    private mutating func coarsen() {
        widthShift += 1
        after.halve()
        before.halve()
    }

    mutating func merge(_ other: TimeHistogram) {
        var other = other
        while width < other.width { coarsen() }
        while other.width < width { other.coarsen() }
        after.add(other.after)
        before.add(other.before)
    }

    /// `count` buckets of equal width (a multiple of the fine width) covering every time
    /// seen, from the earliest.
    func buckets(_ count: Int) -> [TimeBucket] {
        let early = before.cells(width: width), late = after.cells(width: width)
        guard early + late > 0 else { return [] }
        let perBucket = max(1, (early + late + Int64(count) - 1) / Int64(count))
        var result: [TimeBucket] = []
        result.reserveCapacity(count)
        for b in 0..<Int64(count) {
            let first = -early + b * perBucket
            var r = 0, c = 0
            for cell in first..<(first + perBucket) {
                if cell >= 0, cell < Int64(Self.size), !after.requests.isEmpty {
                    r += after.requests[Int(cell)]
                    c += after.changed[Int(cell)]
                } else if cell < 0, -cell - 1 < Int64(Self.size), !before.requests.isEmpty {
                    r += before.requests[Int(-cell - 1)]
                    c += before.changed[Int(-cell - 1)]
                }
            }
            result.append(TimeBucket(startMicros: origin + first * width, requests: r, changed: c))
        }
        return result
    }
}
