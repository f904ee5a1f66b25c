import XCTest
@testable import EventLog

/// The replay decoder must give exactly what `Event(json:after:)` gives, record or error,
/// whichever path it takes.
final class RequestLineDecoderTests: XCTestCase {
    /// The decoder's answer and the general decoder's, as comparable text, for a line
    /// read after `previous` in its trace.
    private func both(_ bytes: [UInt8], after previous: EventPosition? = nil, _ decoder: inout RequestLineDecoder) -> (fast: String, general: String) {
        bytes.withUnsafeBufferPointer { raw in
            let fast: String
            do { fast = "\(try decoder.decode(raw, after: previous))" } catch { fast = "error: \(error)" }
            let general: String
            do {
                let event = try Event(json: raw, after: previous)
                if case .request(let record) = event.body { general = "\(record)" } else { general = "error: \(EventLogError.invalidEvent("not a request event"))" }
            } catch { general = "error: \(error)" }
            // Where replay starts: after the reader's peek at the position and type.
            var times = EventTime.SecondCache()
            if let peeked = TraceReader.peekRequest(raw, after: previous, times: &times), let fields = decoder.fields(raw, bodyStart: peeked.bodyStart) {
                XCTAssertEqual("\(decoder.record(fields, in: raw, seq: peeked.seq))", general, String(decoding: raw, as: UTF8.self))
            }
            return (fast, general)
        }
    }

    /// Request `i` as a version 2 trace line: after the event just before it
    /// (`seq` and `time` left out), after a gap in `seq`, or first in its frame;
    /// every third one with the id its `seq` implies.
    private func traceLine(_ i: Int) -> (bytes: [UInt8], previous: EventPosition?, record: RequestRecord) {
        var event = Fixtures.request(i, observed: i % 2 == 0)
        let seq = Int64(100 + i)
        event.seq = seq
        if i % 3 == 0, case .request(var record) = event.body {
            record.id = String(seq)
            event.body = .request(record)
        }
        let previous: EventPosition? = switch i % 4 {
        case 0: nil
        case 1: EventPosition(seq: seq - 7, micros: event.timeMicros - 1_500)
        default: EventPosition(seq: seq - 1, micros: event.timeMicros - Int64(i % 5) * 250)
        }
        var bytes: [UInt8] = []
        event.appendTraceLine(to: &bytes, seq: seq, after: previous)
        return (bytes, previous, event.request!)
    }

    func testWriterLinesDecodeAsTheGeneralDecoderDoes() {
        var decoder = RequestLineDecoder()
        // Twice, so the second pass takes interned strings.
        for _ in 0..<2 {
            for i in 0..<300 {
                let event = Fixtures.request(i, observed: i % 3 != 0)
                let (fast, general) = both(Array(event.jsonLine.utf8), &decoder)
                XCTAssertEqual(fast, general)
                XCTAssertEqual(fast, "\(event.request!)")
                let line = traceLine(i)
                let (traceFast, traceGeneral) = both(line.bytes, after: line.previous, &decoder)
                XCTAssertEqual(traceFast, traceGeneral)
                XCTAssertEqual(traceFast, "\(line.record)", String(decoding: line.bytes, as: UTF8.self))
            }
        }
    }

    func testOtherLayoutsFallBackToTheGeneralDecoder() {
        var decoder = RequestLineDecoder()
        let lines = [
            // keys in another order, whitespace, an unknown key, escapes, non-ASCII, null fields
            #"{"time":"1970-01-01T00:00:01Z","seq":1,"type":"request","id":"a","client":"c","port":1,"scheme":"http","method":"GET","host":"h","path":"/","headers":[]}"#,
            #"{"seq":1, "time":"1970-01-01T00:00:01Z","type":"request","id":"a","client":"c","port":1,"scheme":"http","method":"GET","host":"h","path":"/","headers":[]}"#,
            #"{ "seq" : 1 ,"time": "1970-01-01T00:00:01Z", "type":"request","id":"a","client":"c","port":1,"scheme":"http","method":"GET","host":"h","path":"/","headers":[]}"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"request","id":"a","client":"c","port":1,"scheme":"http","method":"GET","host":"h","path":"/","headers":[],"extra":1}"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"request","id":"a\"b","client":"c","port":1,"scheme":"http","method":"GET","host":"a-very-long-host.example.com","path":"/caf\u00e9","headers":[["A-Long-Header-Name","v\\w"]]}"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"request","id":"a","client":"c","port":1,"scheme":"http","method":"GET","host":"hôte-très-long.example.com","path":"/é","headers":[],"gateway":null,"sni":null,"observed":null}"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"request","id":"a","client":"c","port":1,"scheme":"http","method":"GET","host":"h","path":"/","headers":[],"observed":{"status":200,"route":null}}"#,
            // invalid: the same error either way
            #"{"seq":1,"time":"nope","type":"request","id":"a","client":"c","port":1,"scheme":"http","method":"GET","host":"h","path":"/","headers":[]}"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"request","id":"a","client":"c","port":1.5,"scheme":"http","method":"GET","host":"h","path":"/","headers":[]}"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"request","id":"a","client":"c","port":65536,"scheme":"http","method":"GET","host":"h","path":"/","headers":[]}"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"request","id":"a","client":"c","port":-1,"scheme":"http","method":"GET","host":"h","path":"/","headers":[]}"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"request","id":"a","client":"c","port":1,"scheme":"http","method":"GET","host":"h","path":"/","headers":[["only-name"]]}"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"request","id":"a","client":"c","port":1,"scheme":"http","method":"GET","host":"h","path":"/","headers":[]}x"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"request","id":"a","client":"c","port":1,"scheme":"http","method":"GET","host":"h","path":"/","headers":[]"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"resource","action":"applied","source":"file","object":{"kind":"X","metadata":{"name":"n"}}}"#,
        ]
        for line in lines {
            let (fast, general) = both(Array(line.utf8), &decoder)
            XCTAssertEqual(fast, general, line)
        }
        // Positions at the ends of Int64: the implied seq wraps instead of trapping.
        let extreme = #"{"dt":0,"type":"request","client":"c","port":1,"scheme":"http","method":"GET","host":"h","path":"/é","headers":[]}"#
        for seq in [Int64.min, Int64.max] {
            let line = RequestLine(seq: seq, timeMicros: 5, previousMicros: 5, lineNumber: 2, frameStart: 0, eventsBefore: 0, bodyStart: 0)
            let record = extreme.utf8.withContiguousStorageIfAvailable { try? decoder.decode($0, after: line.previous) } ?? nil
            XCTAssertEqual(record?.id, "\(seq)")
        }
        let escaped = lines[4].utf8.withContiguousStorageIfAvailable { try? decoder.decode($0) } ?? nil
        XCTAssertEqual(escaped?.id, "a\"b")
        XCTAssertEqual(escaped?.headers.first?.value, "v\\w")
    }

    func testMutatedLinesGiveTheSameRecordOrError() {
        var rng = SystemRandomNumberGenerator()
        var decoder = RequestLineDecoder()
        let lines = (0..<40).map { (Array(Fixtures.request($0, observed: $0 % 2 == 0).jsonLine.utf8), nil as EventPosition?) }
            + (0..<40).map { i in traceLine(i) }.map { ($0.bytes, $0.previous) }
        for _ in 0..<20_000 {
            var (b, previous) = lines.randomElement(using: &rng)!
            let i = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: b[i] = UInt8.random(in: 0...255, using: &rng)
            case 1: b.removeSubrange(i..<min(b.count, i + Int.random(in: 1...20, using: &rng)))
            default: b.insert(UInt8.random(in: 0...255, using: &rng), at: i)
            }
            let (fast, general) = both(b, after: previous, &decoder)
            XCTAssertEqual(fast, general, String(decoding: b, as: UTF8.self))
        }
    }

    /// The id a line without one implies is its seq in decimal, whether the digits are
    /// counted up from the line before (across every carry) or written afresh.
    func testImpliedIdsSpellTheirSeq() {
        let digits = DigitBuffer()
        var seqs: [Int64] = [0, 1, 2, 9, 10, 11, 5, 99, 100, 101, 7, 8, 9, 10, 999_999, 1_000_000, -1, 0, 1, -5, -4]
        seqs += (Int64.max - 3)...Int64.max
        seqs += [Int64.min, Int64.min + 1, 98_999, 99_000, 99_001, 42, 42, 43]
        for seq in seqs {
            XCTAssertEqual(String(decoding: digits.decimal(seq), as: UTF8.self), String(seq), "seq \(seq)")
        }
        for seq in Int64(1)...12_345 where String(decoding: digits.decimal(seq), as: UTF8.self) != String(seq) {
            XCTFail("seq \(seq)")
            break
        }
    }

    func testInternerIsBoundedAndExact() {
        var interner = StringInterner()
        for i in 0..<(Limits.internedStrings * 2) {
            let text = "a-value-longer-than-fifteen-\(i)"
            let got = Array(text.utf8).withUnsafeBufferPointer { interner.string($0) }
            XCTAssertEqual(got, text)
        }
        // Values met before the table filled come back equal; so do those after.
        for i in [0, 1, Limits.internedStrings - 1, Limits.internedStrings, Limits.internedStrings * 2 - 1] {
            let text = "a-value-longer-than-fifteen-\(i)"
            XCTAssertEqual(Array(text.utf8).withUnsafeBufferPointer { interner.string($0) }, text)
        }
    }
}
