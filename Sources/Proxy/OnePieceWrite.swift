import NIOCore

/// Copies runs of bytes one after another into space reserved once
/// (`ByteBuffer.writeInOnePiece`).
struct PieceWriter {
    fileprivate let target: UnsafeMutableRawBufferPointer
    fileprivate var count = 0

    mutating func put(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(count + bytes.count <= target.count, "more bytes than reserved")
        (target.baseAddress! + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func put(_ text: StaticString) {
        put(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

extension ByteBuffer {
    /// Writes what `fill` puts, at most `count` bytes, as one write: the byte path's heads
    /// are spliced from several runs, and each ByteBuffer write of its own checks
    /// uniqueness and capacity again (a few hundred instructions per head).
    mutating func writeInOnePiece(count: Int, _ fill: (inout PieceWriter) -> Void) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
            var writer = PieceWriter(target: target)
            fill(&writer)
            return writer.count
        }
    }
}
