#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-run comparisons for the read paths (interned strings, implied request ids,
/// replay's Host tally).
public enum Bytes {
    /// Whether `a` and `b` hold the same bytes, by `memcmp`: `elementsEqual` between
    /// two collections walks them as generic sequences, byte by byte.
    @inlinable
    public static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }
}
