/// Allocation-free keys for the hot path. Virtual hosts and paths are looked up
/// by a 64-bit FNV-1a hash of their bytes (hostnames lower-cased) instead of by
/// `String`, so a lookup never builds a string; every hit is then verified
/// against the real value, so a hash collision can never change a decision.
public enum ByteHash {
    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    @inline(__always)
    static func mix(_ hash: UInt64, _ byte: UInt8) -> UInt64 { (hash ^ UInt64(byte)) &* prime }

    static func of<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var hash = seed
        for byte in bytes { hash = mix(hash, byte) }
        return hash
    }

    static func of(_ text: String) -> UInt64 { of(text.utf8) }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte | 0x20 : byte }

    /// The SplitMix64 finalizer: spreads close inputs (FNV hashes of similar
    /// keys, small indices) over all 64 bits.
    @inline(__always)
    public static func spread(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 30
        x &*= 0xbf58_476d_1ce4_e5b9
        x ^= x >> 27
        x &*= 0x94d0_49bb_1331_11eb
        x ^= x >> 31
        return x
    }
}

extension StringProtocol {
    /// ASCII case-insensitive equality without allocating (header and host names are ASCII).
    @inline(__always)
    func asciiEqualsIgnoringCase<Other: StringProtocol>(_ other: Other) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        var i = a.startIndex, j = b.startIndex
        while i != a.endIndex {
            if ByteHash.lower(a[i]) != ByteHash.lower(b[j]) { return false }
            a.formIndex(after: &i)
            b.formIndex(after: &j)
        }
        return true
    }
}

extension ByteHash {
    /// A hostname's hash, case-insensitive, eight bytes at a time: hostnames
    /// are hashed on every request and the byte-at-a-time FNV chain (a
    /// multiply per byte) was the largest item of a flat lookup. Only the flat
    /// index uses it, with its own keys, and every hit is verified.
    public static func host(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash = seed ^ UInt64(bytes.count)
        var index = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= bytes.count {
                hash = mixWord(hash, lowerWord(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
                index += 8
            }
        }
        if index < bytes.count {
            hash = mixWord(hash, lowerWord(tailWord(bytes, from: index)))
        }
        return hash
    }

    /// The bytes from `index` to the end (fewer than eight) packed into a word,
    /// the first in the low byte. With eight bytes or more in all, one load of
    /// the last eight, shifted: a byte loop was half of hashing a hostname.
    @inline(__always)
    private static func tailWord(_ bytes: UnsafeBufferPointer<UInt8>, from index: Int) -> UInt64 {
        let rest = bytes.count - index
        if bytes.count >= 8, let base = bytes.baseAddress {
            let last = UnsafeRawPointer(base).loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
            return last >> UInt64(8 * (8 - rest))
        }
        var tail: UInt64 = 0
        for offset in 0..<rest { tail |= UInt64(bytes[index + offset]) << UInt64(8 * offset) }
        return tail
    }

    static func host(_ text: String) -> UInt64 {
        var text = text
        return text.withUTF8 { host($0) }
    }

    @inline(__always)
    static func mixWord(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = (hash ^ word) &* 0x9e37_79b9_7f4a_7c15
        return (mixed << 31) | (mixed >> 33)
    }

    /// ASCII `A`-`Z` lower-cased in each byte of a little-endian word; other bytes unchanged.
    @inline(__always)
    static func lowerWord(_ word: UInt64) -> UInt64 {
        let low7 = word & 0x7f7f_7f7f_7f7f_7f7f
        let atLeastA = low7 &+ 0x3f3f_3f3f_3f3f_3f3f // high bit set where the byte is >= 0x41
        let pastZ = low7 &+ 0x2525_2525_2525_2525 // high bit set where the byte is >= 0x5b
        let upper = atLeastA & ~pastZ & ~word & 0x8080_8080_8080_8080
        return word | (upper >> 2)
    }
}
