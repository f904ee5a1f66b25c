/// An immutable array of plain values whose memory its owner frees (FlatTable
/// in its deinit). Reading an element is a load, with no reference counting:
/// a Swift `Array` stored in a class is retained and released around reads
/// the optimizer cannot prove safe, which cost the hot path more than the
/// lookups themselves. Bounds are checked in debug builds, as for
/// UnsafeBufferPointer; the builder only stores indices it produced.
struct FrozenArray<Element: BitwiseCopyable>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Element>
    let buffer: UnsafeBufferPointer<Element>

    /// Cache-line aligned: an element whose stride divides 64 (FlatTable.Match is
    /// exactly 64) then never spans two lines, so a read that misses the cache
    /// waits for one line.
    private static var alignment: Int { max(64, MemoryLayout<Element>.alignment) }

    init(_ elements: [Element]) {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(1, elements.count) * MemoryLayout<Element>.stride,
                                                      alignment: Self.alignment).bindMemory(to: Element.self, capacity: max(1, elements.count))
        elements.withUnsafeBufferPointer { source in
            if let start = source.baseAddress { memory.initialize(from: start, count: source.count) }
        }
        base = memory
        buffer = UnsafeBufferPointer(start: memory, count: elements.count)
    }

    var count: Int { buffer.count }

    @inline(__always)
    subscript(index: Int) -> Element { buffer[index] }

    /// Only the owner calls this, once, when nothing reads the array any more.
    func free() {
        UnsafeMutableRawPointer(base).deallocate()
    }
}
