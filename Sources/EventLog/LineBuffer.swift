#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The trace reader's decompressed bytes: lines not yet read, then room that the
/// decompressor writes into directly.
///
/// Why not `[UInt8]`: an array cannot lend out its spare capacity, so every byte
/// was decompressed into a scratch buffer and appended, a second pass over the
/// whole trace (about 1.5 % of a replay).
///
/// A reader that hands its lines to other threads (`TraceReader.nextLineBuffer`)
/// never writes into a buffer again once it moved on to the next: whoever holds
/// the buffer reads the lines where they were decompressed (`lines(_:)`), and
/// nothing but the base address is read from another thread.
public final class LineBuffer: @unchecked Sendable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written so far.
    private(set) var count = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written, valid until the next call that writes or drops.
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// The bytes at `range` of a buffer that is no longer written (see above).
    @inlinable @inline(__always)
    public func lines(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: start + range.lowerBound, count: range.count)
    }

    /// Where the bytes start; the offsets of `lines(_:)` count from here (a line the
    /// reader returned lies at `start.distance(to: line.baseAddress!)`).
    public var start: UnsafePointer<UInt8> { UnsafePointer(base) }

    /// At least `minimum` bytes of room after the written ones, for `commit`.
    func spare(atLeast minimum: Int) -> UnsafeMutableRawBufferPointer {
        if capacity - count < minimum {
            capacity = max(capacity * 2, count + minimum)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.update(from: base, count: count)
            base.deallocate()
            base = grown
        }
        return UnsafeMutableRawBufferPointer(start: base + count, count: capacity - count)
    }

    /// Marks `n` bytes of the room `spare` gave as written.
    func commit(_ n: Int) {
        precondition(n >= 0 && count + n <= capacity)
        count += n
    }

    /// Drops the first `n` bytes, moving the rest to the front.
    func dropFirst(_ n: Int) {
        precondition(n >= 0 && n <= count)
        if n < count { memmove(base, base + n, count - n) }
        count -= n
    }

    /// Empties the buffer and writes the bytes at `range` of `other` into it.
    func refill(from other: LineBuffer, _ range: Range<Int>) {
        count = 0
        let room = spare(atLeast: max(1, range.count))
        if !range.isEmpty { room.baseAddress!.copyMemory(from: other.base + range.lowerBound, byteCount: range.count) }
        count = range.count
    }

    func removeAll() { count = 0 }
}
