import NIOHTTP1

/// Where a backend's response body ends (RFC 9112 §6.3), for the byte path: its bytes are
/// passed on as they arrive, framing included, so only the end has to be found. Counts the
/// body's own bytes (without the chunked coding's framing), which the request record reports.
struct ResponseBodyFraming: Equatable {
    enum Kind: Equatable {
        /// No body: a HEAD request, 1xx, 204, 304.
        case none
        /// Content-Length.
        case length(Int)
        /// The chunked coding.
        case chunked
        /// Neither: the body ends when the backend closes the connection.
        case untilClose
    }

    /// The framing of the body that follows `head`, or nil when the framing headers are
    /// malformed (RFC 9112 §6.3: the response is then invalid).
    static func kind(of head: HTTPResponseHead, requestMethod: HTTPMethod) -> Kind? {
        let code = head.status.code
        if requestMethod == .HEAD || code < 200 || code == 204 || code == 304 { return Kind.none }
        let codings = head.headers["transfer-encoding"]
        let lengths = head.headers["content-length"]
        // Both framings at once is how responses are split (RFC 9112 §6.3); a list of
        // lengths is one more way to disagree (RFC 9110 §8.6). Refused, as NIO's parser does.
        if !codings.isEmpty {
            guard lengths.isEmpty else { return nil }
            // Chunked last: chunked framing; any other coding last: read until close.
            let last = codings.last!.split(separator: ",").last.map { trimmedOWS($0).lowercased() }
            return last == "chunked" ? .chunked : .untilClose
        }
        guard let text = lengths.first else { return .untilClose }
        guard lengths.count == 1, !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let length = Int(text) else { return nil }
        return .length(length)
    }

    private enum State: Equatable {
        case data(remaining: Int)
        case chunkSize(value: Int, digits: Int)
        case chunkExtension(size: Int)
        case chunkSizeLF(size: Int)
        case chunkData(remaining: Int)
        case chunkDataCR
        case chunkDataLF
        case trailerLineStart
        case trailerLine
        case trailerLF(blankLine: Bool)
        case untilClose
        case done
        case malformed
    }

    private var state: State
    /// Body bytes seen, without chunk framing.
    private(set) var bodyBytes = 0

    init(_ kind: Kind) {
        switch kind {
        case .none: state = .done
        case .length(let length): state = length == 0 ? .done : .data(remaining: length)
        case .chunked: state = .chunkSize(value: 0, digits: 0)
        case .untilClose: state = .untilClose
        }
    }

    var isDone: Bool { state == .done }
    var isMalformed: Bool { state == .malformed }
    /// The body ends when the connection does.
    var endsWithClose: Bool { state == .untilClose }

    /// Reads `bytes` (the next bytes of the body); returns how many belong to this
    /// response. Fewer than `bytes.count` only when the body ended (`isDone`) or the
    /// framing broke (`isMalformed`).
    mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Int {
        var index = 0
        while index < bytes.count {
            switch state {
            case .done, .malformed:
                return index
            case .untilClose:
                bodyBytes += bytes.count - index
                return bytes.count
            case .data(let remaining):
                let taken = min(remaining, bytes.count - index)
                index += taken
                bodyBytes += taken
                state = remaining == taken ? .done : .data(remaining: remaining - taken)
            case .chunkData(let remaining):
                let taken = min(remaining, bytes.count - index)
                index += taken
                bodyBytes += taken
                state = remaining == taken ? .chunkDataCR : .chunkData(remaining: remaining - taken)
            default:
                // Chunk framing, a byte at a time (a few bytes per chunk). A byte that breaks
                // it is not part of the response.
                state = Self.next(state, bytes[index])
                if state == .malformed { return index }
                index += 1
            }
        }
        return index
    }

    /// The chunked coding's framing (RFC 9112 §7.1): `size [; ext] CRLF data CRLF`, ...,
    /// `0 CRLF`, trailer fields, `CRLF`.
    private static func next(_ state: State, _ byte: UInt8) -> State {
        switch state {
        case .chunkSize(let value, let digits):
            if let digit = hexValue(byte) {
                // 15 hex digits are 2^60: no body is that long, and it cannot overflow.
                return digits < 15 ? .chunkSize(value: value << 4 | digit, digits: digits + 1) : .malformed
            }
            guard digits > 0 else { return .malformed }
            switch byte {
            case 0x0D: return .chunkSizeLF(size: value)
            case UInt8(ascii: ";"), 0x20, 0x09: return .chunkExtension(size: value)
            default: return .malformed
            }
        case .chunkExtension(let size):
            // Extensions are passed on as they are; only their end matters.
            if byte == 0x0D { return .chunkSizeLF(size: size) }
            return byte == 0x0A || byte == 0 ? .malformed : state
        case .chunkSizeLF(let size):
            guard byte == 0x0A else { return .malformed }
            return size == 0 ? .trailerLineStart : .chunkData(remaining: size)
        case .chunkDataCR: return byte == 0x0D ? .chunkDataLF : .malformed
        case .chunkDataLF: return byte == 0x0A ? .chunkSize(value: 0, digits: 0) : .malformed
        case .trailerLineStart: return byte == 0x0D ? .trailerLF(blankLine: true) : (byte == 0x0A ? .malformed : .trailerLine)
        case .trailerLine: return byte == 0x0D ? .trailerLF(blankLine: false) : (byte == 0x0A ? .malformed : .trailerLine)
        case .trailerLF(let blankLine):
            guard byte == 0x0A else { return .malformed }
            return blankLine ? .done : .trailerLineStart
        default: return .malformed
        }
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
