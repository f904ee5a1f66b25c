/// Decodes the request lines of a trace for replay, where nearly every line is a request.
///
/// Lines written by gwsim (`Event.appendJSON`) have their keys in one fixed order, no
/// whitespace and, almost always, no escapes. Such a line is read in one pass that checks
/// each key as a literal and takes recurring values (host, method, scheme, header names
/// and values) from a `StringInterner`. Any other line, including every one that is
/// invalid, goes through `Event(json:)`, so the result and the error are always exactly
/// the general decoder's.
///
/// One decoder per thread: it owns its interner.
public struct RequestLineDecoder {
    private var strings = StringInterner()

    public init() {}

    /// The request a line records; throws what `Event(json:)` throws for a bad line, or
    /// `invalidEvent` when the line is a valid event of another type.
    public mutating func decode(_ line: UnsafeBufferPointer<UInt8>) throws -> RequestRecord {
        if let record = writerLayout(line) { return record }
        guard case .request(let record) = try Event(json: line).body else { throw EventLogError.invalidEvent("not a request event") }
        return record
    }

    /// The line in the writer's layout: `{"seq":N,"time":"…","type":"request","id":…,
    /// "client":…,"port":N,"scheme":…,"method":…,"host":…,"path":…,"headers":[…]`, then
    /// optionally `"gateway"`, `"sni"`, `"observed"`, and `}`. Nil for anything else.
    private mutating func writerLayout(_ line: UnsafeBufferPointer<UInt8>) -> RequestRecord? {
        var s = JSONScanner(line)
        guard s.consume("{\"seq\":"), (try? s.readInt()) != nil,
              s.consume(",\"time\":"), let time = s.readPlainStringBytes(), EventTime.parse(time) != nil,
              s.consume(",\"type\":\"request\",\"id\":"), let id = s.readPlainStringBytes(),
              s.consume(",\"client\":"), let client = s.readPlainStringBytes(),
              s.consume(",\"port\":"), let port = try? s.readIntAsInt(),
              s.consume(",\"scheme\":"), let scheme = s.readPlainStringBytes(),
              s.consume(",\"method\":"), let method = s.readPlainStringBytes(),
              s.consume(",\"host\":"), let host = s.readPlainStringBytes(),
              s.consume(",\"path\":"), let path = s.readPlainStringBytes(),
              s.consume(",\"headers\":["), let headers = readHeaders(&s) else { return nil }
        var gateway: String?, sni: String?, observed: ObservedOutcome?
        if s.consume(",\"gateway\":") {
            guard let raw = s.readPlainStringBytes() else { return nil }
            gateway = strings.string(raw)
        }
        if s.consume(",\"sni\":") {
            guard let raw = s.readPlainStringBytes() else { return nil }
            sni = strings.string(raw)
        }
        if s.consume(",\"observed\":") {
            guard s.peek() == 0x7B, let value = try? Event.readObserved(&s) else { return nil }
            observed = value
        }
        guard s.consume("}"), s.atEnd else { return nil }
        // Built once, at the end: a record built early and then completed is
        // copied (a retain and a release per string) on its way out.
        return RequestRecord(id: String(decoding: id, as: UTF8.self), client: String(decoding: client, as: UTF8.self),
                             port: port, scheme: strings.string(scheme), method: strings.string(method),
                             host: strings.string(host), path: String(decoding: path, as: UTF8.self), headers: headers,
                             gateway: gateway, sni: sni, observed: observed)
    }

    /// `["name","value"],…]` after the opening bracket.
    private mutating func readHeaders(_ s: inout JSONScanner) -> [HeaderField]? {
        var headers: [HeaderField] = []
        if s.consume("]") { return headers }
        repeat {
            guard s.consume("["), let name = s.readPlainStringBytes(), s.consume(","),
                  let value = s.readPlainStringBytes(), s.consume("]") else { return nil }
            headers.append(HeaderField(strings.string(name), strings.string(value)))
        } while s.consume(",")
        return s.consume("]") ? headers : nil
    }
}
