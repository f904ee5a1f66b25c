/// Hashes of request paths for the Exact and PathPrefix indexes (VirtualHost,
/// FlatTable), eight bytes at a time. Every hit is verified against the real
/// value, so a collision can never change a decision.
///
/// The byte-at-a-time FNV chain that came before cost a dependent multiply per
/// byte, twice for a PathPrefix walk; it was the largest item of a flat lookup
/// after the hostname's. The length goes into the last word rather than the
/// seed, so the hash of a prefix that ends inside a word is the state before
/// that word plus its leading bytes: one pass yields every prefix's hash.
enum PathHash {
    /// The hash of `bytes` (case-sensitive).
    static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var state = ByteHash.seed
        var index = 0
        while index + 8 <= bytes.count {
            state = ByteHash.mixWord(state, word(bytes, at: index))
            index += 8
        }
        return finish(state, tail: index < bytes.count ? word(bytes, at: index) : 0, length: bytes.count)
    }

    static func of(_ text: Substring) -> UInt64 {
        text.utf8.withContiguousStorageIfAvailable { of($0) } ?? Array(text.utf8).withUnsafeBufferPointer { of($0) }
    }

    static func of(_ text: String) -> UInt64 { of(text[...]) }

    static let root = of("/")

    /// Every PathPrefix key `path` can match, as hashes, tried longest first
    /// until `lookup` answers: `/a/b/c`, `/a/b`, `/a`, then `/`
    /// (httproute_types.go, PathMatchPathPrefix: whole segments only). `depths`
    /// (bit n: some prefix of the virtual host has n segments; bit 63: 63 or
    /// more) skips boundaries no prefix can match; the object path passes all.
    static func firstPrefixHit<T>(_ path: UnsafeBufferPointer<UInt8>, depths: UInt64 = .max, _ lookup: (UInt64) -> T?) -> T? {
        var slashes = 0
        var index = 0
        while index < path.count {
            slashes += slashMask(word(path, at: index)).nonzeroBitCount
            index += 8
        }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: slashes + 1) { candidates -> T? in
            var count = 0
            var state = ByteHash.seed
            var segments = 0
            var tail: UInt64 = 0
            index = 0
            while index < path.count {
                let word = word(path, at: index)
                var mask = slashMask(word)
                while mask != 0 {
                    let byte = mask.trailingZeroBitCount >> 3
                    let end = index + byte
                    // A boundary before the slash: the prefix path[..<end] (not the leading `/`).
                    if end > 0, depths & (1 << UInt64(min(63, segments))) != 0 {
                        candidates[count] = finish(state, tail: word & leadingBytes(byte), length: end)
                        count += 1
                    }
                    segments += 1
                    mask &= mask - 1
                }
                if index + 8 <= path.count { state = ByteHash.mixWord(state, word) } else { tail = word }
                index += 8
            }
            if path.count > 1, path[path.count - 1] != UInt8(ascii: "/"), depths & (1 << UInt64(min(63, segments))) != 0 {
                candidates[count] = finish(state, tail: tail, length: path.count)
                count += 1
            }
            while count > 0 {
                count -= 1
                if let hit = lookup(candidates[count]) { return hit }
            }
            return depths & 1 != 0 ? lookup(root) : nil
        }
    }

    /// The little-endian word at `index`, zero past the end (never read).
    @inline(__always)
    static func word(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt64 {
        if index + 8 <= bytes.count {
            return UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(fromByteOffset: index, as: UInt64.self)
        }
        var word: UInt64 = 0
        var shift: UInt64 = 0
        for position in index..<bytes.count {
            word |= UInt64(bytes[position]) << shift
            shift += 8
        }
        return word
    }

    /// The last word holds at most seven bytes; its top byte takes the length.
    @inline(__always)
    static func finish(_ state: UInt64, tail: UInt64, length: Int) -> UInt64 {
        ByteHash.mixWord(state, tail ^ (UInt64(truncatingIfNeeded: length) << 56))
    }

    /// The high bit of every byte of `word` that is `/`, exactly (no carries between bytes).
    @inline(__always)
    static func slashMask(_ word: UInt64) -> UInt64 {
        let x = word ^ 0x2f2f_2f2f_2f2f_2f2f
        return ~(((x & 0x7f7f_7f7f_7f7f_7f7f) &+ 0x7f7f_7f7f_7f7f_7f7f) | x) & 0x8080_8080_8080_8080
    }

    /// A mask of the first `count` bytes (0...7) of a word.
    @inline(__always)
    static func leadingBytes(_ count: Int) -> UInt64 {
        count == 0 ? 0 : UInt64.max >> UInt64(64 - 8 * count)
    }
}
