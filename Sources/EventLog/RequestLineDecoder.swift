/// Decodes the request lines of a trace for replay, where nearly every line is a request.
///
/// Lines written by gwsim (`Event.appendTraceLine`) have their keys in one fixed order, no
/// whitespace and, almost always, no escapes. Such a line is read in one pass that checks
/// each key as a literal and takes recurring values (host, method, scheme, header names
/// and values) from a `StringInterner`. Any other line, including every one that is
/// invalid, goes through `Event(json:after:)`, so the result and the error are always exactly
/// the general decoder's.
///
/// Replay reads most lines without building a record at all: `fields(_:bodyStart:)` finds
/// where each value is, and the caller routes on those bytes.
///
/// One decoder per thread: it owns its interner.
public struct RequestLineDecoder {
    private var strings = StringInterner()
    private let digits = DigitBuffer()
    /// The header (name, value) offsets of the line `fields(_:bodyStart:)` read last.
    public var headerFields: ArraySlice<(name: Range<Int>, value: Range<Int>)> { headerSlots[..<headerCount] }
    /// How many headers that line has; `header(_:)` gives each without the
    /// reference counting of taking the `headerFields` slice, for replay's every line.
    public private(set) var headerCount = 0
    @inlinable public func header(_ index: Int) -> (name: Range<Int>, value: Range<Int>) { headerSlots[index] }
    /// Kept from line to line and overwritten: emptying an array for every line
    /// (`removeAll(keepingCapacity:)`) cost more than reading its headers.
    @usableFromInline var headerSlots: [(name: Range<Int>, value: Range<Int>)] = []

    public init() {}

    /// The request a line records; throws what `Event(json:after:)` throws for a bad
    /// line, or `invalidEvent` when the line is a valid event of another type.
    /// `previous` is the event before the line in its trace (RequestLine.previous).
    public mutating func decode(_ line: UnsafeBufferPointer<UInt8>, after previous: EventPosition? = nil) throws -> RequestRecord {
        var times = EventTime.SecondCache()
        if let peeked = TraceReader.peekRequest(line, after: previous, times: &times), let fields = fields(line, bodyStart: peeked.bodyStart) {
            return record(fields, in: line, seq: peeked.seq)
        }
        guard case .request(let record) = try Event(json: line, after: previous).body else { throw EventLogError.invalidEvent("not a request event") }
        return record
    }

    /// Where the values of a request line are, for a line whose position (`seq`,
    /// `time` or `dt`) and `"type":"request"` the trace reader has read; `bodyStart`
    /// is RequestLine.bodyStart. The rest must be in the writer's layout:
    /// optionally `"id":…`, then `"client":…,"port":N,"scheme":…,"method":…,"host":…,
    /// "path":…,"headers":[…]`, optionally `"gateway"`, `"sni"`, `"observed"`, and `}`,
    /// every string without escapes and valid UTF-8. Nil for anything else (`decode`
    /// then takes the general decoder). The headers are in `headerFields`.
    @inline(__always)
    public mutating func fields(_ line: UnsafeBufferPointer<UInt8>, bodyStart: Int) -> RequestLineFields? {
        guard line.count <= Int32.max else { return nil }  // RequestLineFields keeps 32-bit offsets
        var s = JSONScanner(line, at: bodyStart)
        return members(&s)
    }

    /// The members after `type`, in the writer's order. Inlined: the fields are
    /// then built where the caller keeps them instead of being copied out.
    @inline(__always)
    private mutating func members(_ s: inout JSONScanner) -> RequestLineFields? {
        var id: Range<Int>?
        if s.consume(",\"id\":") {
            guard let raw = s.readPlainStringRange() else { return nil }
            id = raw
        }
        guard s.consume(",\"client\":"), let client = s.readASCIIStringRange(),
              s.consume(",\"port\":"), let port = s.readShortNatural().map(Int.init) ?? (try? s.readIntAsInt()), Limits.ports.contains(Int64(port)),
              s.consume(",\"scheme\":"), let scheme = s.readASCIIStringRange(),
              s.consume(",\"method\":"), let method = s.readASCIIStringRange(),
              s.consume(",\"host\":"), let host = s.readASCIIStringRange(),
              s.consume(",\"path\":"), let path = s.readASCIIStringRange(),
              s.consume(",\"headers\":["), readHeaders(&s) else { return nil }
        var fields = RequestLineFields(id: id, client: client, port: port, scheme: scheme, method: method, host: host, path: path)
        if s.consume(",\"gateway\":") {
            guard let raw = s.readPlainStringRange() else { return nil }
            fields.gateway = raw
        }
        if s.consume(",\"sni\":") {
            guard let raw = s.readPlainStringRange() else { return nil }
            fields.sni = raw
        }
        if s.consume(",\"observed\":") {
            let start = s.pos
            guard s.peek() == 0x7B, (try? Event.readObserved(&s)) != nil else { return nil }
            fields.observed = start..<s.pos
        }
        guard s.consume("}"), s.atEnd else { return nil }
        return fields
    }

    /// The request id's bytes: the line's `id`, or for a line that leaves it out, its
    /// `seq` in decimal, written into a buffer of this decoder that the next call reuses.
    public func id(_ fields: RequestLineFields, in line: UnsafeBufferPointer<UInt8>, seq: Int64) -> UnsafeBufferPointer<UInt8> {
        if let id = fields.id { return UnsafeBufferPointer(rebasing: line[id]) }
        return digits.decimal(seq)
    }

    /// `bytes` as a String, shared with earlier equal ones (hosts, methods, header values).
    public mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String { strings.string(bytes) }

    /// The record of the line `fields(_:bodyStart:)` read last, whose `seq` is `seq`.
    public mutating func record(_ fields: RequestLineFields, in line: UnsafeBufferPointer<UInt8>, seq: Int64) -> RequestRecord {
        func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: line[range]) }
        let headers = headerFields.map { HeaderField(strings.string(bytes($0.name)), strings.string(bytes($0.value))) }
        let id = fields.id.map { String(decoding: bytes($0), as: UTF8.self) } ?? String(seq)
        return RequestRecord(id: id, client: String(decoding: bytes(fields.client), as: UTF8.self),
                             port: fields.port, scheme: strings.string(bytes(fields.scheme)), method: strings.string(bytes(fields.method)),
                             host: strings.string(bytes(fields.host)), path: String(decoding: bytes(fields.path), as: UTF8.self),
                             headers: headers, gateway: fields.gateway.map { strings.string(bytes($0)) },
                             sni: fields.sni.map { strings.string(bytes($0)) }, observed: fields.observed.flatMap { Self.observed(at: $0, in: line) })
    }

    /// The observed outcome of a line `fields(_:bodyStart:)` read, nil when it has none.
    public func observed(_ fields: RequestLineFields, in line: UnsafeBufferPointer<UInt8>) -> ObservedOutcome? {
        fields.observed.flatMap { Self.observed(at: $0, in: line) }
    }

    /// The observed outcome `fields(_:bodyStart:)` has already read once (as valid).
    private static func observed(at range: Range<Int>, in line: UnsafeBufferPointer<UInt8>) -> ObservedOutcome? {
        var s = JSONScanner(line, at: range.lowerBound)
        return try? Event.readObserved(&s)
    }

    /// `["name","value"],…]` after the opening bracket, into `headerFields`.
    private mutating func readHeaders(_ s: inout JSONScanner) -> Bool {
        headerCount = 0
        if s.consume("]") { return true }
        repeat {
            guard s.consume("["), let name = s.readASCIIStringRange(), s.consume(","),
                  let value = s.readASCIIStringRange(), s.consume("]") else { return false }
            if headerCount < headerSlots.count {
                headerSlots[headerCount] = (name, value)
            } else {
                headerSlots.append((name, value))
            }
            headerCount += 1
        } while s.consume(",")
        return s.consume("]")
    }
}

/// The values of a request line in the writer's layout, as byte offsets in the line.
///
/// Stored as 32-bit spans (a line is at most `Limits.maxLineBytes`): replay builds
/// one per line, and at the size of ten `Range<Int>`s and their optionals, copying
/// it cost more than reading some of its values.
public struct RequestLineFields {
    // Usable from inlined code: replay reads these for every line, from another module.
    @usableFromInline var idSpan: LineSpan
    @usableFromInline var clientSpan: LineSpan
    @usableFromInline var portValue: Int32
    @usableFromInline var schemeSpan: LineSpan
    @usableFromInline var methodSpan: LineSpan
    @usableFromInline var hostSpan: LineSpan
    @usableFromInline var pathSpan: LineSpan
    @usableFromInline var gatewaySpan = LineSpan.absent
    @usableFromInline var sniSpan = LineSpan.absent
    @usableFromInline var observedSpan = LineSpan.absent

    init(id: Range<Int>?, client: Range<Int>, port: Int, scheme: Range<Int>, method: Range<Int>, host: Range<Int>, path: Range<Int>) {
        idSpan = LineSpan(id)
        clientSpan = LineSpan(client)
        portValue = Int32(port)
        schemeSpan = LineSpan(scheme)
        methodSpan = LineSpan(method)
        hostSpan = LineSpan(host)
        pathSpan = LineSpan(path)
    }

    /// Nil when the line leaves the id out: it is then the decimal `seq` (RequestLineDecoder.id).
    @inlinable public var id: Range<Int>? { idSpan.range }
    @inlinable public var client: Range<Int> { clientSpan.range! }
    @inlinable public var port: Int { Int(portValue) }
    @inlinable public var scheme: Range<Int> { schemeSpan.range! }
    @inlinable public var method: Range<Int> { methodSpan.range! }
    @inlinable public var host: Range<Int> { hostSpan.range! }
    @inlinable public var path: Range<Int> { pathSpan.range! }
    @inlinable public internal(set) var gateway: Range<Int>? {
        get { gatewaySpan.range }
        set { gatewaySpan = LineSpan(newValue) }
    }
    @inlinable public internal(set) var sni: Range<Int>? {
        get { sniSpan.range }
        set { sniSpan = LineSpan(newValue) }
    }
    /// The `observed` object, validated, kept as its bytes: decoding it into values
    /// waits until a record is built.
    @inlinable public internal(set) var observed: Range<Int>? {
        get { observedSpan.range }
        set { observedSpan = LineSpan(newValue) }
    }
}

/// Where a value lies in its line, or that the line has none (`absent`).
@usableFromInline
struct LineSpan: Sendable {
    @usableFromInline var start: Int32
    @usableFromInline var end: Int32

    @usableFromInline static let absent = LineSpan(start: -1, end: -1)

    private init(start: Int32, end: Int32) {
        self.start = start
        self.end = end
    }

    @usableFromInline init(_ range: Range<Int>?) {
        self = range.map { LineSpan(start: Int32($0.lowerBound), end: Int32($0.upperBound)) } ?? .absent
    }

    @inlinable var range: Range<Int>? { start < 0 ? nil : Int(start)..<Int(end) }
}

/// The decimal `seq` a request line implies as its id (RequestLineDecoder.id).
///
/// Consecutive lines' seqs rise by one, so the digits of the last one are
/// counted up in place, usually one byte, instead of being written again by
/// division (1.5 % of a replay).
final class DigitBuffer {
    private let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: JSONWriter.maxDecimalBytes)
    // One decoder per thread (RequestLineDecoder): no access to check at run time.
    /// The value the digits from `start` spell; nil before the first.
    @exclusivity(unchecked) private var value: Int64?
    @exclusivity(unchecked) private var start = 0

    deinit { bytes.deallocate() }

    /// `seq` in decimal, valid until the next call.
    func decimal(_ seq: Int64) -> UnsafeBufferPointer<UInt8> {
        if let value, value >= 0, value < Int64.max, seq == value + 1 {
            var index = bytes.count - 1
            while index >= start, bytes[index] == UInt8(ascii: "9") {
                bytes[index] = UInt8(ascii: "0")
                index -= 1
            }
            if index >= start {
                bytes[index] += 1
            } else {
                // All nines: one digit more (at most 19 for a positive Int64, and the room holds 20).
                start -= 1
                bytes[start] = UInt8(ascii: "1")
            }
        } else {
            start = JSONWriter.decimal(seq, atEndOf: bytes)
        }
        value = seq
        return UnsafeBufferPointer(rebasing: UnsafeBufferPointer(bytes)[start...])
    }
}
