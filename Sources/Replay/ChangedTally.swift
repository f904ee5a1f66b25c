import EventLog
import RoutingCore

/// The changed requests of one chunk, counted by the pattern the report groups
/// them in (PatternKey), and turned into patterns once per chunk (`add(to:memo:)`).
///
/// A changed request whose verdict pair the memo compared is counted by its memo
/// position and the bytes of its method, report Host (ReportBuilder.normalizeHost)
/// and path template (PathTemplate): the rest of its pattern (both outcomes, the
/// categories, the detail) is its pair's. Building each such request's record
/// and a PatternKey of Strings, and hashing that in a Dictionary, cost some
/// 15,000 instructions, more than a third of replaying the seed canary, where a
/// quarter of the requests change. Here a request costs its key's bytes, a
/// word-at-a-time hash and a compare (about 1,200 instructions); its id is made
/// only while its key still wants examples. Requests compared one by one bring
/// their own PatternKey (`countDirect`).
///
/// Every example keeps its place among the chunk's changed requests, so a pattern
/// reached both ways lists its first examples in log order.
struct ChangedTally {
    private struct Example {
        var order: Int
        var id: String
    }

    private struct Counted {
        var count = 0
        var examples: [Example] = []

        mutating func add(order: Int, id: () -> String) {
            count += 1
            if examples.count < Aggregate.maxExamples { examples.append(Example(order: order, id: id())) }
        }
    }

    private struct Entry {
        var position: Int
        /// In `keys`: the method's and the Host's lengths (four bytes each), the
        /// method, the Host, then the template.
        var key: Range<Int>
        var counted = Counted()
    }

    private var slots = EntrySlots()
    private var entries: [Entry] = []
    private var keys: [UInt8] = []
    private var scratch: [UInt8] = []
    private var direct: [PatternKey: (counted: Counted, detail: String?)] = [:]
    /// Changed requests counted so far.
    private var changed = 0

    /// Counts a changed request of the memo pair at `position`; `id` gives its id.
    mutating func count(position: Int, method: UnsafeBufferPointer<UInt8>, host: UnsafeBufferPointer<UInt8>,
                        path: UnsafeBufferPointer<UInt8>, id: () -> String) {
        scratch.removeAll(keepingCapacity: true)
        Self.appendLength(method.count, to: &scratch)
        Self.appendLength(0, to: &scratch)
        scratch.append(contentsOf: method)
        let hostStart = scratch.count
        ReportBuilder.appendNormalizedHost(host, to: &scratch)
        Self.setLength(scratch.count - hostStart, at: 4, in: &scratch)
        PathTemplate.append(path, to: &scratch)
        let hash = scratch.withUnsafeBufferPointer { ByteHash.spread(ByteHash.host($0) &+ UInt64(position)) }
        let (found, slot) = slots.find(hash) { entries[$0].position == position && sameKey(entries[$0].key) }
        changed += 1
        if let found {
            entries[found].counted.add(order: changed, id: id)
            return
        }
        entries.append(Entry(position: position, key: keys.count..<(keys.count + scratch.count)))
        keys.append(contentsOf: scratch)
        entries[entries.count - 1].counted.add(order: changed, id: id)
        slots.add(hash: hash, at: slot)
    }

    /// Counts a changed request compared from its own decisions; `detail` is made
    /// for the first of its pattern.
    mutating func countDirect(_ pattern: PatternKey, detail: () -> String?, id: String) {
        changed += 1
        if direct[pattern] == nil { direct[pattern] = (Counted(), detail()) }
        direct[pattern]!.counted.add(order: changed) { id }
    }

    /// Adds the chunk's patterns and categories to `agg`, whose patterns hold
    /// none of this chunk yet; `memo` holds the pairs the positions name.
    func add(to agg: inout Aggregate, memo: PairMemo) {
        var patterns = direct
        for entry in entries {
            let pair = memo.pairs[entry.position]
            let bytes = keys[entry.key]
            let methodCount = Self.length(bytes, at: 0), hostCount = Self.length(bytes, at: 4)
            let method = bytes.dropFirst(8).prefix(methodCount)
            let host = bytes.dropFirst(8 + methodCount).prefix(hostCount)
            let template = bytes.dropFirst(8 + methodCount + hostCount)
            let key = ChunkProcessor.pattern(method: String(decoding: method, as: UTF8.self), host: String(decoding: host, as: UTF8.self),
                                             template: String(decoding: template, as: UTF8.self), pair.comparison)
            if var known = patterns[key] {
                let first = known.counted.examples.first.map { $0.order < entry.counted.examples[0].order } ?? true
                known.counted.count += entry.counted.count
                known.counted.examples = Array((known.counted.examples + entry.counted.examples).sorted { $0.order < $1.order }
                    .prefix(Aggregate.maxExamples))
                if !first { known.detail = ChunkProcessor.detail(pair.comparison.categories, pair.before, pair.after) }
                patterns[key] = known
            } else {
                patterns[key] = (entry.counted, ChunkProcessor.detail(pair.comparison.categories, pair.before, pair.after))
            }
        }
        for (key, value) in patterns {
            for (i, category) in ChangeCategory.allCases.enumerated() where key.categories.contains(category) {
                agg.categories[i] += value.counted.count
            }
            agg.patterns[key] = PatternValue(count: value.counted.count, examples: value.counted.examples.map(\.id), detail: value.detail)
        }
    }

    private func sameKey(_ key: Range<Int>) -> Bool {
        keys.withUnsafeBufferPointer { keys in scratch.withUnsafeBufferPointer { Bytes.equal(UnsafeBufferPointer(rebasing: keys[key]), $0) } }
    }

    private static func appendLength(_ length: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: length >> shift)) }
    }

    private static func setLength(_ length: Int, at offset: Int, in bytes: inout [UInt8]) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: length >> (8 * i)) }
    }

    private static func length(_ bytes: ArraySlice<UInt8>, at offset: Int) -> Int {
        (0..<4).reduce(0) { $0 | Int(bytes[bytes.startIndex + offset + $1]) << (8 * $1) }
    }
}
