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
    /// malformed (RFC 9112 §6.3: the response is then invalid). Malformed framing refuses
    /// a response that has no body too, as NIO's parser does on the full pipeline: the
    /// client would get a head whose framing fields contradict each other. Asked of heads
    /// NIO's parser read too (the full pipeline), whose values keep the whitespace after them.
    static func kind(of head: HTTPResponseHead, requestMethod: HTTPMethod) -> Kind? {
        let codings = head.headers["transfer-encoding"]
        let lengths = head.headers["content-length"]
        // A tab after a framing value (`HTTPBytes.tabAfterFramingValue`): NIO's parser reads
        // such a coding as not chunked.
        guard !(codings + lengths).contains(where: { $0.utf8.reversed().prefix { $0 == 0x20 || $0 == 0x09 }.contains(0x09) }) else {
            return nil
        }
        let framed: Kind
        // Both framings at once is how responses are split (RFC 9112 §6.3); a list of
        // lengths is one more way to disagree (RFC 9110 §8.6). Refused, as NIO's parser does.
        if !codings.isEmpty {
            guard lengths.isEmpty else { return nil }
            // Chunked alone, as nginx takes from a backend too. Another coding (`gzip`, or
            // `gzip, chunked`) would have the client decode what this proxy does not, and a
            // list that does not end in chunked is delimited by the close, which a client
            // reading `chunked` in it would miss (RFC 9112 §6.1, §6.3): refused, as an empty
            // element (`chunked,`) is, which NIO's parser does not read as chunked.
            let elements = codings.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(trimmedOWS) }
            guard elements.count == 1, elements[0].lowercased() == "chunked" else { return nil }
            framed = .chunked
        } else if let first = lengths.first {
            let text = trimmedOWS(first)
            guard lengths.count == 1, !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let length = Int(text) else { return nil }
            framed = .length(length)
        } else {
            framed = .untilClose
        }
        let code = head.status.code
        return requestMethod == .HEAD || code < 200 || code == 204 || code == 304 ? Kind.none : framed
    }

    /// A backend head that answers nothing, on either path: a status outside 1xx to 5xx
    /// (RFC 9110 §15), a switch of protocols nobody asked for (§15.2.2), or framing fields
    /// `kind` refuses (NIO's parser, behind the full pipeline, takes some of them).
    static func isNoAnswer(_ head: HTTPResponseHead, method: HTTPMethod, upgrading: Bool) -> Bool {
        guard (100...599).contains(head.status.code) else { return true }
        if head.status == .switchingProtocols { return !upgrading }
        return kind(of: head, requestMethod: method) == nil
    }

    private enum State: Equatable {
        case data(remaining: Int)
        case chunkSize(value: Int, digits: Int)
        case chunkExtension(size: Int, ChunkExtension)
        case chunkSizeLF(size: Int)
        case chunkData(remaining: Int)
        case chunkDataCR
        case chunkDataLF
        case trailerLineStart
        case trailerName
        case trailerValue
        case trailerLF(blankLine: Bool)
        case untilClose
        case done
        case malformed
    }

    /// Where in `*( ";" name [ "=" ( token / quoted-string ) ] )` a chunk extension is
    /// (RFC 9112 §7.1.1). Without the grammar's optional whitespace, which NIO's parser
    /// refuses: a response the full pipeline would refuse is refused here too.
    fileprivate enum ChunkExtension: Equatable {
        case nameStart
        case name
        case valueStart
        case token
        case quoted
        case quotedPair
        case afterQuoted
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
    /// `0 CRLF`, trailer fields, `CRLF`. Extensions and trailer fields are passed on as they
    /// are, so they are held to their grammar: a client must not find an end of chunk, or
    /// of the body, where this reading found none (RFC 9112 §11.2).
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
            case UInt8(ascii: ";"): return .chunkExtension(size: value, .nameStart)
            default: return .malformed
            }
        case .chunkExtension(let size, let part):
            if byte == 0x0D, part.mayEnd { return .chunkSizeLF(size: size) }
            return part.next(byte).map { .chunkExtension(size: size, $0) } ?? .malformed
        case .chunkSizeLF(let size):
            guard byte == 0x0A else { return .malformed }
            return size == 0 ? .trailerLineStart : .chunkData(remaining: size)
        case .chunkDataCR: return byte == 0x0D ? .chunkDataLF : .malformed
        case .chunkDataLF: return byte == 0x0A ? .chunkSize(value: 0, digits: 0) : .malformed
        // A trailer field line is `token ":" value` (RFC 9112 §5), the value of visible
        // bytes, spaces and tabs.
        case .trailerLineStart:
            if byte == 0x0D { return .trailerLF(blankLine: true) }
            return HeadParser.isTokenByte(byte) ? .trailerName : .malformed
        case .trailerName:
            if byte == UInt8(ascii: ":") { return .trailerValue }
            return HeadParser.isTokenByte(byte) ? .trailerName : .malformed
        case .trailerValue:
            if byte == 0x0D { return .trailerLF(blankLine: false) }
            return HeadParser.isFieldValueByte(byte) ? .trailerValue : .malformed
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

extension ResponseBodyFraming.ChunkExtension {
    /// The chunk's line may end here (its CR): after a name or a value.
    var mayEnd: Bool { self == .name || self == .token || self == .afterQuoted }

    /// The part `byte` moves to (the line's CR aside, `mayEnd`); nil when the byte breaks the grammar.
    func next(_ byte: UInt8) -> Self? {
        let token = HeadParser.isTokenByte(byte), semicolon = byte == UInt8(ascii: ";")
        switch self {
        case .nameStart: return token ? .name : nil
        case .name: return token ? self : byte == UInt8(ascii: "=") ? .valueStart : semicolon ? .nameStart : nil
        case .valueStart: return byte == UInt8(ascii: "\"") ? .quoted : token ? .token : nil
        case .token: return token ? self : semicolon ? .nameStart : nil
        case .afterQuoted: return semicolon ? .nameStart : nil
        // qdtext and quoted-pair (RFC 9110 §5.6.4): tab, space, visible bytes, obs-text.
        case .quoted:
            if byte == UInt8(ascii: "\"") { return .afterQuoted }
            if byte == UInt8(ascii: "\\") { return .quotedPair }
            return HeadParser.isFieldValueByte(byte) ? self : nil
        case .quotedPair: return HeadParser.isFieldValueByte(byte) ? .quoted : nil
        }
    }
}
