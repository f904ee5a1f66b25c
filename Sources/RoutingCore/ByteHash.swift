/// Allocation-free keys for the hot path. Virtual hosts and paths are looked up
/// by a 64-bit FNV-1a hash of their bytes (hostnames lower-cased) instead of by
/// `String`, so a lookup never builds a string; every hit is then verified
/// against the real value, so a hash collision can never change a decision.
enum ByteHash {
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
