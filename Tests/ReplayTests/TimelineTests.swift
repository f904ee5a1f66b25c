@testable import Replay
import Testing

/// The timeline of a log whose time goes backwards (imported or merged logs): requests
/// before the first one are placed at their own time, not piled into the first bucket.
@Suite struct TimelineTests {
    static let origin: Int64 = 1_700_000_000_000_000

    @Test func requestsBeforeTheFirstOneKeepTheirTime() {
        var histogram = TimeHistogram(origin: Self.origin)
        // The first request at the origin, then 100 s of requests on either side of it.
        histogram.add(timeMicros: Self.origin, changed: false)
        for second in 1...100 {
            histogram.add(timeMicros: Self.origin - Int64(second) * 1_000_000, changed: second % 2 == 0)
            histogram.add(timeMicros: Self.origin + Int64(second) * 1_000_000, changed: false)
        }
        let buckets = histogram.buckets(50)
        #expect(buckets.count == 50)
        #expect(buckets.reduce(0) { $0 + $1.requests } == 201)
        #expect(buckets.reduce(0) { $0 + $1.changed } == 50)
        #expect(buckets[0].startMicros <= Self.origin - 100_000_000)
        #expect(buckets.last!.startMicros > Self.origin)
        // No bucket holds more than its share: before the fix bucket 0 held half.
        #expect(buckets.allSatisfy { $0.requests <= 10 }, "\(buckets.map(\.requests))")
        // Changed requests are all before the origin.
        #expect(buckets.filter { $0.startMicros >= Self.origin }.allSatisfy { $0.changed == 0 })
    }

    @Test func mergingInAnyGroupingGivesTheSameBuckets() {
        let times: [Int64] = (0..<3_000).map { i in Self.origin + Int64((i * 7_919) % 6_000 - 3_000) * 1_000 }
        var whole = TimeHistogram(origin: Self.origin)
        for (i, time) in times.enumerated() { whole.add(timeMicros: time, changed: i % 3 == 0) }
        for chunk in [1, 7, 500] {
            var merged = TimeHistogram(origin: Self.origin)
            for start in stride(from: 0, to: times.count, by: chunk) {
                var part = TimeHistogram(origin: Self.origin)
                for i in start..<min(start + chunk, times.count) { part.add(timeMicros: times[i], changed: i % 3 == 0) }
                merged.merge(part)
            }
            #expect(merged.buckets(50) == whole.buckets(50), "chunk \(chunk)")
        }
    }
}
