/// Byte-run comparisons for the read paths (the scanner's fixed keys, interned strings,
/// implied request ids, replay's Host tally).
public enum Bytes {
    /// Whether `a` and `b` hold the same bytes. `elementsEqual` between two collections
    /// walks them as generic sequences, byte by byte.
    @inlinable
    public static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && (a.count == 0 || equal(UnsafeRawPointer(a.baseAddress!), UnsafeRawPointer(b.baseAddress!), count: a.count))
    }

    /// Whether the `count` bytes at `a` and at `b` are the same, eight at a time, the
    /// last eight overlapping the ones before (no byte-by-byte tail). The runs
    /// compared here are short (keys, hostnames, ids), where a call to `memcmp` cost more
    /// than the comparison: it was 4 % of a replay's samples, most of them for the keys
    /// of each trace line.
    @inlinable @inline(__always)
    public static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
        if count >= 8 {
            var index = 0
            while index + 8 < count {
                if a.loadUnaligned(fromByteOffset: index, as: UInt64.self) != b.loadUnaligned(fromByteOffset: index, as: UInt64.self) { return false }
                index += 8
            }
            return a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        if count >= 4 {
            return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
                && a.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        }
        var index = 0
        while index < count {
            if a.load(fromByteOffset: index, as: UInt8.self) != b.load(fromByteOffset: index, as: UInt8.self) { return false }
            index += 1
        }
        return true
    }
}
