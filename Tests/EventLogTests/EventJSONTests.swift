import Foundation
import XCTest
@testable import EventLog

final class EventJSONTests: XCTestCase {
    /// Times parsed through a second cache, in any order and any form, equal times
    /// parsed afresh.
    func testTimesParsedThroughASecondCacheEqualAFreshParse() {
        var rng = SystemRandomNumberGenerator()
        var cache = EventTime.SecondCache()
        let seconds = ["2026-11-26T14:50:32", "2026-11-26T14:50:33", "2026-11-26t14:50:32", "1969-12-31T23:59:59",
                       "9999-12-31T23:59:59", "2026-02-29T00:00:00", "2026-11-26T14:50:60"]
        let rests = ["Z", "z", ".5Z", ".123456Z", ".1234569z", ".Z", "+02:00", ".25-01:30", "", "ZZ", ".12a4Z", ".000001Z"]
        for _ in 0..<5_000 {
            let text = seconds.randomElement(using: &rng)! + rests.randomElement(using: &rng)!
            let bytes = Array(text.utf8)
            let cached = bytes.withUnsafeBufferPointer { EventTime.parse($0, cache: &cache) }
            XCTAssertEqual(cached, EventTime.parse(text), text)
        }
    }

    func testCommandLineTimesStayInTheEventTimeRange() {
        XCTAssertEqual(EventTime.parse(rfc3339OrSeconds: "2026-01-01T00:00:00Z"), 1_767_225_600_000_000)
        XCTAssertEqual(EventTime.parse(rfc3339OrSeconds: "1767225600.5"), 1_767_225_600_500_000)
        XCTAssertEqual(EventTime.parse(rfc3339OrSeconds: "0"), 0)
        XCTAssertEqual(EventTime.parse(rfc3339OrSeconds: "8589934591.999999"), Limits.maxTimeMicros)
        for text in ["-1", "8589934592", "1e300", "nan", "inf", "", "soon", "2242-03-16T12:56:32Z"] {
            XCTAssertNil(EventTime.parse(rfc3339OrSeconds: text), text)
        }
    }

    func testTimeFormatAndParse() throws {
        XCTAssertEqual(EventTime.format(micros: 0), "1970-01-01T00:00:00.000000Z")
        let m = EventTime.parse("2026-11-26T14:50:32.123456Z")!
        XCTAssertEqual(EventTime.format(micros: m), "2026-11-26T14:50:32.123456Z")
        XCTAssertEqual(EventTime.parse("2026-11-26T16:50:32.123456+02:00"), m)
        XCTAssertEqual(EventTime.parse("2026-11-26t14:50:32.1234569z"), m)  // truncated to micros
        XCTAssertEqual(EventTime.parse("2026-11-26T14:50:32Z"), m - 123_456)
        XCTAssertEqual(EventTime.format(micros: -1), "1970-01-01T00:00:00.000000Z")  // clamped
        XCTAssertNil(EventTime.parse("1969-12-31T23:59:59Z"))
        XCTAssertEqual(EventTime.format(micros: Limits.maxTimeMicros), "2242-03-16T12:56:31.999999Z")
        XCTAssertEqual(EventTime.parse("2024-02-29T00:00:00Z").map { EventTime.format(micros: $0) }, "2024-02-29T00:00:00.000000Z")
        for bad in ["", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-26T14:50:32", "2026-11-26T14:50:32.Z", "2026-11-26T24:00:00Z", "x"] {
            XCTAssertNil(EventTime.parse(bad), bad)
        }
        // Random micros round-trip through text and through Double seconds (the SQLite REAL).
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let micros = Int64.random(in: Limits.minTimeMicros...Limits.maxTimeMicros, using: &rng)
            XCTAssertEqual(EventTime.parse(EventTime.format(micros: micros)), micros)
            let e = Event(timeMicros: micros, body: Fixtures.request(1).body)
            XCTAssertEqual(EventTime.micros(fromSeconds: e.time), micros)
        }
    }

    func testRoundTripLines() throws {
        for e in Fixtures.mixed(500) {
            let line = e.jsonLine
            XCTAssertFalse(line.contains("\n"))
            XCTAssertEqual(try Event(jsonLine: line), e, line)
            // Foundation agrees it is valid JSON.
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8)))
        }
    }

    func testFixedKeyOrderAndCompactObject() throws {
        var e = Fixtures.resource(1)
        e.seq = 7
        let line = e.jsonLine
        XCTAssertTrue(line.hasPrefix("{\"seq\":7,\"time\":\"2026-11-18T"), line)
        XCTAssertTrue(line.contains("\",\"type\":\"resource\",\"action\":\"applied\",\"source\":\"file\",\"origin\":\"/tmp/manifests/1.yaml\",\"object\":{\"apiVersion\":"), line)
        XCTAssertEqual(e.resource?.key, "Service/ns-1/obj-1")
        var q = Fixtures.request(5)
        q.seq = 8
        let ql = q.jsonLine
        let keys = ["seq", "time", "type", "id", "client", "port", "scheme", "method", "host", "path", "headers", "gateway", "sni", "observed"]
        var last = ql.startIndex
        for k in keys {
            let r = ql.range(of: "\"\(k)\":", range: last..<ql.endIndex)
            XCTAssertNotNil(r, k)
            last = r!.upperBound
        }
        let cluster = try ResourceChange(action: .applied, source: .file, objectJSON: "{\"kind\":\"GatewayClass\",\"metadata\":{\"name\":\"gc\"}}")
        XCTAssertEqual(cluster.key, "GatewayClass/gc")
    }

    func testEscapesAndUnicode() throws {
        let r = RequestRecord(id: "a\"b\\c\u{1}\n\t", client: "[::1]:5", port: 1, scheme: "http", method: "GET", host: "h\u{1F600}",
                              path: "/\u{e9}", headers: [HeaderField("k", "v\u{7f}\u{2028}")])
        let e = Event(seq: 1, time: 1.5, body: .request(r))
        XCTAssertEqual(try Event(jsonLine: e.jsonLine), e)
        // \u escapes with surrogate pairs from other writers.
        let line = #"{"seq":1,"time":"1970-01-01T00:00:01.500000Z","type":"request","id":"\ud83d\ude00\u00e9","client":"c","port":1,"scheme":"http","method":"GET","host":"h","path":"/","headers":[],"unknown":{"x":[1,2.5e3,true,null]}}"#
        XCTAssertEqual(try Event(jsonLine: line).request?.id, "\u{1F600}\u{e9}")
    }

    func testRejectsInvalid() {
        let good = Fixtures.request(3).jsonLine
        let bad = [
            "", "{", "[]", "null", "{\"seq\":1}", good + "x", String(good.dropLast()),
            #"{"seq":1,"time":"nope","type":"request"}"#,
            #"{"seq":1.5,"time":"1970-01-01T00:00:01Z","type":"request","id":"a","client":"c","port":1,"scheme":"s","method":"m","host":"h","path":"/"}"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"resource","action":"applied","source":"file","object":{"kind":"X"}}"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"resource","action":"moved","source":"file","object":{"kind":"X","metadata":{"name":"n"}}}"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"request","id":"\ud800","client":"c","port":1,"scheme":"s","method":"m","host":"h","path":"/"}"#,
            String(repeating: "[", count: 10_000),
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"request","id":"a","client":"c","port":65536,"scheme":"s","method":"m","host":"h","path":"/"}"#,
            #"{"seq":1,"time":"1970-01-01T00:00:01Z","type":"request","id":"a","client":"c","port":-1,"scheme":"s","method":"m","host":"h","path":"/"}"#,
        ]
        for b in bad { XCTAssertThrowsError(try Event(jsonLine: b), b.prefix(80).description) }
        XCTAssertThrowsError(try ResourceChange(action: .applied, source: .file, objectJSON: "{\"kind\":\"A\",\"metadata\":{\"name\":\"x\"}} trailing"))
        // Invalid UTF-8 bytes.
        var bytes = Array(good.utf8)
        bytes[bytes.count / 2] = 0xFF
        XCTAssertThrowsError(try bytes.withUnsafeBufferPointer { try Event(json: $0) })
    }

    func testNeverCrashesOnMutatedLines() {
        var rng = SystemRandomNumberGenerator()
        let lines = Fixtures.mixed(40).map { Array($0.jsonLine.utf8) }
        for _ in 0..<20_000 {
            var b = lines.randomElement(using: &rng)!
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<b.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: b[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: b.removeSubrange(i..<min(b.count, i + Int.random(in: 1...20, using: &rng)))
                default: b.insert(UInt8.random(in: 0...255, using: &rng), at: i)
                }
                if b.isEmpty { b = [0x7B] }
            }
            _ = try? b.withUnsafeBufferPointer { try Event(json: $0) }
        }
    }
}
