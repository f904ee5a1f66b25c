/// Follows the frame boundaries of an HTTP/2 byte stream (RFC 9113 §4.1: a 9-byte
/// header whose first 3 bytes are the payload length, then the type, the flags and
/// the stream), for handlers that watch what NIO's HTTP/2 handler reads or writes
/// without decoding it: `ErrorGoAwayCloser` and `HeaderBlockTimer`.
struct HTTP2FrameWalker {
    struct Frame {
        var type: UInt8
        var flags: UInt8
        var length: Int
        /// The first payload bytes, as many as `capture` asked for (fewer if the frame is shorter).
        var payload: [UInt8]
    }

    static let headerBytes = 9

    /// Bytes to pass over before the first frame (the client's 24-byte connection preface).
    private var prefaceLeft: Int
    private var header: [UInt8] = []
    /// Payload bytes of the current frame still to come.
    private var remaining = 0
    /// The current frame, while its captured payload prefix is still being read.
    private var pending: Frame?
    private var wanted = 0

    init(prefaceBytes: Int = 0) { prefaceLeft = prefaceBytes }

    /// Walks `bytes`. `capture` says how many payload bytes of a frame of that type to
    /// collect; `frame` gets each frame once those are in, and returns true to stop the walk.
    mutating func walk(_ bytes: UnsafeRawBufferPointer, capture: (UInt8) -> Int, frame: (Frame) -> Bool) {
        var index = min(prefaceLeft, bytes.count)
        prefaceLeft -= index
        while index < bytes.count {
            if remaining > 0 {
                let take = min(remaining, bytes.count - index)
                if var current = pending {
                    let part = min(take, wanted - current.payload.count)
                    current.payload.append(contentsOf: bytes[index..<index + part])
                    pending = current
                    if current.payload.count == wanted {
                        pending = nil
                        if frame(current) { return }
                    }
                }
                remaining -= take
                index += take
                continue
            }
            header.append(bytes[index])
            index += 1
            guard header.count == Self.headerBytes else { continue }
            let found = Frame(type: header[3], flags: header[4], length: Int(header[0]) << 16 | Int(header[1]) << 8 | Int(header[2]),
                              payload: [])
            header.removeAll(keepingCapacity: true)
            remaining = found.length
            wanted = min(capture(found.type), found.length)
            if wanted == 0 {
                if frame(found) { return }
            } else {
                pending = found
            }
        }
    }
}
