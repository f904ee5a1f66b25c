#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Compresses a trace's frames and appends them to its file on a thread of its own,
/// so that the writer's caller builds the next frame's lines meanwhile.
///
/// Why: at the trace level (`Limits.defaultCompressionLevel`), compressing takes about
/// twice as long as generating the lines: `gwsim generate` of 1M `large` requests took
/// 9.8 s with the two in sequence, 5.0–5.3 s overlapped (docs/benchmarks.md).
///
/// One frame is compressed while at most one more waits, so memory stays at three
/// frame buffers. Frames reach the file in the order submitted. A failure (a full
/// disk) is kept and thrown by the next `submit` or `drain`; no frame after it is
/// written.
final class FrameWriter: @unchecked Sendable {
    private let path: String
    private let file: UnsafeMutablePointer<FILE>
    private let compressor: ZstdFrameCompressor
    private let condition = NSCondition()
    /// The frame waiting for the thread, and an emptied buffer to hand back.
    private var waiting: [UInt8]?
    private var spare: [UInt8] = []
    private var compressing = false
    private var stopping = false
    private var stopped = false
    private var failure: (any Error)?
    private var bytes = 0
    private var frames = 0

    init(path: String, file: UnsafeMutablePointer<FILE>, compressor: ZstdFrameCompressor) {
        self.path = path
        self.file = file
        self.compressor = compressor
        let thread = Thread { [self] in run() }
        thread.name = "gwsim trace frames"
        thread.start()
    }

    /// Compressed bytes and frames in the file so far.
    var written: (bytes: Int, frames: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (bytes, frames)
    }

    /// Queues `frame` (whole lines) and leaves an empty buffer in its place, waiting
    /// while another frame is already queued.
    func submit(_ frame: inout [UInt8]) throws {
        condition.lock()
        defer { condition.unlock() }
        while waiting != nil, failure == nil { condition.wait() }
        if let failure { throw failure }
        var next = spare
        spare = []
        next.removeAll(keepingCapacity: true)
        swap(&next, &frame)
        waiting = next
        condition.broadcast()
    }

    /// Waits until every submitted frame is in the file (or one failed).
    func drain() throws {
        condition.lock()
        defer { condition.unlock() }
        while (waiting != nil || compressing), failure == nil { condition.wait() }
        if let failure { throw failure }
    }

    /// Ends the thread once the queued frames are written (or abandoned after a failure).
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while true {
            while waiting == nil, !stopping { condition.wait() }
            guard var frame = waiting, failure == nil else { break }
            waiting = nil
            compressing = true
            condition.broadcast()
            condition.unlock()
            let result = Result { try write(frame) }
            frame.removeAll(keepingCapacity: true)
            condition.lock()
            compressing = false
            switch result {
            case .success(let count):
                bytes += count
                frames += 1
            case .failure(let error):
                failure = error
            }
            if spare.capacity < frame.capacity { spare = frame }
            condition.broadcast()
        }
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Compresses one frame into the file; the compressed size.
    private func write(_ frame: [UInt8]) throws -> Int {
        let path = self.path, file = self.file
        var written = 0
        do {
            try frame.withUnsafeBytes { input in
                try compressor.compressFrame(input) { chunk in
                    if fwrite(chunk.baseAddress, 1, chunk.count, file) != chunk.count {
                        throw EventLogError.io(path: path, message: "write failed: \(String(cString: strerror(errno)))")
                    }
                    written += chunk.count
                }
            }
        } catch EventLogError.zstd(_, let message) {
            throw EventLogError.zstd(path: path, message: message)
        }
        return written
    }
}
