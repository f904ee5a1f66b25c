/// One `String` per distinct byte sequence, for values that recur line after line.
///
/// Why: in a trace the same hosts, methods and header values appear on almost every
/// request line. Creating them afresh costs an allocation each (Swift keeps strings of
/// at most 15 UTF-8 bytes inline, longer ones on the heap); handing out the string made
/// the first time costs a hash, a compare and a retain. The table is bounded
/// (`Limits.internedStrings`): once full, new values are simply created, so a trace of
/// unique values costs only the failed lookups.
struct StringInterner {
    private struct Entry {
        var hash: Int
        var bytes: Int
        var string: String
    }

    private var slots: [Entry?]
    private var used = 0
    private let mask: Int

    init() {
        slots = Array(repeating: nil, count: Limits.internedStrings * 2)
        mask = slots.count - 1
    }

    /// The string of `raw`, which must be valid UTF-8.
    mutating func string(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        // Inline strings need no allocation: nothing to save.
        if raw.count <= 15 { return String(decoding: raw, as: UTF8.self) }
        let hash = Self.hash(raw)
        var i = hash & mask
        while let entry = slots[i] {
            if entry.hash == hash, entry.bytes == raw.count, Self.equal(entry.string, raw) { return entry.string }
            i = (i + 1) & mask
        }
        let made = String(decoding: raw, as: UTF8.self)
        if used < Limits.internedStrings {
            slots[i] = Entry(hash: hash, bytes: raw.count, string: made)
            used += 1
        }
        return made
    }

    private static func equal(_ string: String, _ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        var s = string
        return s.withUTF8 { Bytes.equal($0, raw) }
    }

    private static func hash(_ raw: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(raw))
        return hasher.finalize()
    }
}
