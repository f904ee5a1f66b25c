import CZstd

/// Streaming zstd compression producing independent frames (one per `endFrame`), with
/// content checksums on. Output goes to a sink closure so the caller owns the file.
final class ZstdFrameCompressor {
    private let cctx: OpaquePointer
    private var outBuffer: [UInt8]

    init(level: Int32) throws {
        guard let c = ZSTD_createCCtx() else { throw EventLogError.zstd(path: "", message: "cannot allocate context") }
        cctx = c
        outBuffer = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level))
        // Checksums let the reader tell a damaged frame from a valid one.
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1))
    }

    deinit { ZSTD_freeCCtx(cctx) }

    private func check(_ r: Int) throws {
        if ZSTD_isError(r) != 0 { throw EventLogError.zstd(path: "", message: String(cString: ZSTD_getErrorName(r))) }
    }

    /// Compresses `input` as one complete frame (content size recorded in the header, so
    /// `zstd -l` can report it) and hands the compressed bytes to `sink`.
    func compressFrame(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try check(ZSTD_CCtx_reset(cctx, ZSTD_reset_session_only))
        try check(ZSTD_CCtx_setPledgedSrcSize(cctx, UInt64(input.count)))
        var inb = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        try outBuffer.withUnsafeMutableBytes { out in
            while true {
                var outb = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                let remaining = ZSTD_compressStream2(cctx, &outb, &inb, ZSTD_e_end)
                try check(remaining)
                if outb.pos > 0 { try sink(UnsafeRawBufferPointer(rebasing: out[0..<outb.pos])) }
                if remaining == 0 { break }
            }
        }
    }
}

/// Streaming zstd decompression over a sequence of frames, reporting where frames end.
final class ZstdFrameDecompressor {
    private let dctx: OpaquePointer

    init() throws {
        guard let d = ZSTD_createDCtx() else { throw EventLogError.zstd(path: "", message: "cannot allocate context") }
        dctx = d
    }

    deinit { ZSTD_freeDCtx(dctx) }

    enum Step {
        /// `consumed` input bytes, `produced` output bytes; `frameEnded` when a frame was
        /// completely decoded and its checksum verified.
        case progress(consumed: Int, produced: Int, frameEnded: Bool)
        case failure(String)
    }

    /// One call of `ZSTD_decompressStream`. zstd stops at the end of a frame, so
    /// `frameEnded` marks an exact frame boundary in the input.
    func step(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) -> Step {
        var inb = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outb = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let r = ZSTD_decompressStream(dctx, &outb, &inb)
        if ZSTD_isError(r) != 0 {
            return .failure(String(cString: ZSTD_getErrorName(r)))
        }
        return .progress(consumed: inb.pos, produced: outb.pos, frameEnded: r == 0)
    }

    /// The decompressed size of the frame at the start of `input`, when all of
    /// the frame is there and its header gives its size.
    static func wholeFrameContentSize(at input: UnsafeRawBufferPointer) -> Int? {
        guard let start = input.baseAddress, ZSTD_isError(ZSTD_findFrameCompressedSize(start, input.count)) == 0 else { return nil }
        let content = ZSTD_getFrameContentSize(start, input.count)
        guard content != ZSTD_CONTENTSIZE_UNKNOWN, content != ZSTD_CONTENTSIZE_ERROR, content <= UInt64(Int.max) else { return nil }
        return Int(content)
    }

    static var recommendedInputSize: Int { ZSTD_DStreamInSize() }
    static var recommendedOutputSize: Int { ZSTD_DStreamOutSize() }
}
