/// Byte comparisons and searches eight bytes at a time, for the flat lookup's
/// short strings (hosts, paths): a byte loop costs a compare and a branch per
/// byte, and a lookup walks several of them. Words are read only within the
/// bytes; a tail of a string of eight bytes or more is the last eight bytes
/// read again (overlapping the word before), a shorter string goes byte by byte.
enum WordBytes {
    @inline(__always)
    static func word(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt64 {
        UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(fromByteOffset: index, as: UInt64.self)
    }

    /// Some byte of `word` equals `byte` (the classic zero-byte test on word ^ byte×8).
    @inline(__always)
    static func contains(_ word: UInt64, _ byte: UInt8) -> Bool {
        let x = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0
    }

    /// Where the first word that may hold `first` or `second` starts (the
    /// caller goes on byte by byte from there); `bytes.count` rounded down to
    /// a word when none does.
    @inline(__always)
    static func skipWords(_ bytes: UnsafeBufferPointer<UInt8>, without first: UInt8, _ second: UInt8) -> Int {
        var index = 0
        while index + 8 <= bytes.count {
            let word = word(bytes, at: index)
            if contains(word, first) || contains(word, second) { break }
            index += 8
        }
        return index
    }

    /// The index of the first `byte`, or nil.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        firstIndex(of: byte, or: byte, in: bytes)
    }

    /// The index of the first byte that is `first` or `second`, or nil.
    @inline(__always)
    static func firstIndex(of first: UInt8, or second: UInt8, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = skipWords(bytes, without: first, second)
        if index + 8 > bytes.count, bytes.count >= 8 {
            // Only a tail is left (no whole word holds either byte): one overlapping word decides.
            let last = word(bytes, at: bytes.count - 8)
            if !contains(last, first), !contains(last, second) { return nil }
        }
        while index < bytes.count {
            if bytes[index] == first || bytes[index] == second { return index }
            index += 1
        }
        return nil
    }

    @inline(__always)
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        equal(a, b, lowering: false)
    }

    /// `a` with ASCII letters lower-cased equals `b` (already lower-case).
    @inline(__always)
    static func equalLowered(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        equal(a, b, lowering: true)
    }

    /// One comparison for both: `a`'s words and bytes lower-cased or not.
    @inline(__always)
    private static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, lowering: Bool) -> Bool {
        guard a.count == b.count else { return false }
        func wordOfA(at index: Int) -> UInt64 { lowering ? ByteHash.lowerWord(word(a, at: index)) : word(a, at: index) }
        var index = 0
        while index + 8 <= a.count {
            if wordOfA(at: index) != word(b, at: index) { return false }
            index += 8
        }
        if index < a.count, a.count >= 8 { return wordOfA(at: a.count - 8) == word(b, at: a.count - 8) }
        while index < a.count {
            if (lowering ? ByteHash.lower(a[index]) : a[index]) != b[index] { return false }
            index += 1
        }
        return true
    }
}
