import Foundation
import XCTest
@testable import EventLog

final class TraceTests: XCTestCase {
    func testRoundTripAndHeader() throws {
        let dir = TempDir()
        let events = Fixtures.mixed(3000)
        let path = dir.path("t.zst")
        let w = try writeTrace(events, to: path, frameBytes: 64 << 10)
        XCTAssertGreaterThan(w.framesWritten, 5)
        let (read, result) = try TraceReader.readAll(path: path)
        XCTAssertEqual(result.stopReason, .complete)
        XCTAssertEqual(result.header, TraceHeader(created: "2026-11-26T14:50:32.123456Z"))
        XCTAssertEqual(read, events)

        // Seq assignment by the writer.
        let p2 = dir.path("auto.zst")
        let w2 = try TraceWriter(path: p2)
        for var e in events.prefix(10) { e.seq = nil; try w2.write(e) }
        XCTAssertThrowsError(try w2.write(events[0]))  // seq 1 <= 10
        try w2.close()
        XCTAssertThrowsError(try w2.write(events[0]))
        XCTAssertEqual(try TraceReader.readAll(path: p2).0.map(\.seq), (1...10).map { Int64($0) })

        // An event too large for readers is refused; the trace stays valid.
        let p3 = dir.path("big-line.zst")
        let w3 = try TraceWriter(path: p3)
        try w3.write(events[0])
        let huge = try ResourceChange(action: .applied, source: .admin, objectJSON:
            "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"},\"data\":{\"k\":\"\(String(repeating: "a", count: Limits.maxLineBytes))\"}}")
        XCTAssertThrowsError(try w3.write(Event(time: 1, body: .resource(huge))))
        try w3.write(events[1])
        try w3.close()
        let (read3, result3) = try TraceReader.readAll(path: p3)
        XCTAssertEqual(read3, Array(events[0...1]))
        XCTAssertEqual(result3.stopReason, .complete)
    }

    func testHeaderChecks() throws {
        let dir = TempDir()
        func zst(_ text: String) throws -> String {
            let path = dir.path(UUID().uuidString)
            let raw = path + ".jsonl"
            try text.write(toFile: raw, atomically: true, encoding: .utf8)
            try compress(raw, to: path)
            return path
        }
        let event = Fixtures.mixed(1)[0].jsonLine
        let cases: [(String, Bool)] = [
            ("{\"format\":\"gwsim-trace\",\"version\":1,\"created\":\"x\",\"generator\":\"other\"}\n\(event)\n", true),
            ("{\"format\":\"gwsim-trace\",\"version\":1}\n\(event)", true),  // no final newline: accepted
            ("{\"format\":\"gwsim-trace\",\"version\":2}\n\(event)\n", true),
            ("{\"format\":\"gwsim-trace\",\"version\":3}\n\(event)\n", false),
            ("{\"format\":\"gwsim-trace\",\"version\":0}\n\(event)\n", false),
            ("{\"format\":\"other\",\"version\":1}\n\(event)\n", false),
            ("\(event)\n", false),
            ("", false),
        ]
        for (text, ok) in cases {
            let (events, result) = try TraceReader.readAll(path: try zst(text))
            if ok {
                XCTAssertEqual(result.stopReason, .complete, text)
                XCTAssertEqual(events.count, 1)
            } else {
                guard case .damaged(0, 0, _) = result.stopReason else { return XCTFail("\(text): \(result.stopReason)") }
                XCTAssertTrue(events.isEmpty)
            }
        }
        XCTAssertThrowsError(try TraceReader(path: dir.path("missing.zst")))
    }

    /// Version 2 lines leave out what the line before implies; each frame's first line
    /// states its position, a request id equal to its seq is left out (and only that one),
    /// and a line whose position cannot be read is damage.
    func testVersion2LinesLeaveOutWhatTheLineBeforeImplies() throws {
        let dir = TempDir()
        var events = Fixtures.mixed(60)
        events[10].seq = 40  // a gap: written explicitly
        for i in 11..<events.count { events[i].seq = Int64(40 + i - 10) }
        for (i, id) in [(1, "2"), (2, "003"), (3, "-4")] {  // "2" is seq 2's own id; the others only look like it
            guard case .request(var r) = events[i].body else { continue }
            r.id = id
            events[i].body = .request(r)
        }
        events[4].timeMicros = events[3].timeMicros - 5  // an earlier time than the line before: negative dt
        let path = dir.path("v2.zst")
        let writer = try writeTrace(events, to: path, frameBytes: 4 << 10)
        XCTAssertGreaterThan(writer.framesWritten, 3)
        let (read, result) = try TraceReader.readAll(path: path)
        XCTAssertEqual(result.stopReason, .complete)
        XCTAssertEqual(read, events)

        let text = try decompressedLines(path)
        XCTAssertEqual(text.filter { $0.hasPrefix("{\"seq\":") && $0.contains("\"time\":") }.count, writer.framesWritten)
        XCTAssertTrue(text.contains { $0.hasPrefix("{\"seq\":40,\"dt\":") })
        XCTAssertFalse(text[2].contains("\"id\":"), text[2])
        XCTAssertTrue(text[3].contains("\"id\":\"003\""), text[3])
        XCTAssertTrue(text[5].hasPrefix("{\"dt\":-5,"), text[5])

        let header = "{\"format\":\"gwsim-trace\",\"version\":2}"
        let request = #""type":"request","client":"c","port":80,"scheme":"http","method":"GET","host":"h","path":"/","headers":[]}"#
        let bad: [(lines: [String], message: String)] = [
            (["{\"dt\":5," + request], "\"dt\" on the first event"),
            (["{\"seq\":1,\"time\":\"2026-01-01T00:00:00Z\"," + request, "{\"time\":\"2026-01-01T00:00:00Z\",\"dt\":1," + request],
             "both \"time\" and \"dt\""),
            (["{\"seq\":1,\"time\":\"1970-01-01T00:00:00Z\"," + request, "{\"dt\":-1," + request], "out of range"),
            (["{\"seq\":5,\"time\":\"2026-01-01T00:00:00Z\"," + request, "{\"seq\":5,\"dt\":1," + request], "is not greater than"),
            (["{\"seq\":9223372036854775807,\"time\":\"2026-01-01T00:00:00Z\"," + request, "{\"dt\":1," + request], "is not greater than"),
        ]
        for (lines, message) in bad {
            let raw = dir.path(UUID().uuidString)
            try ([header] + lines).joined(separator: "\n").write(toFile: raw + ".jsonl", atomically: true, encoding: .utf8)
            try compress(raw + ".jsonl", to: raw)
            let (kept, result) = try TraceReader.readAll(path: raw)
            guard case .damaged(_, let eventsKept, let why) = result.stopReason else { return XCTFail("\(lines): \(result.stopReason)") }
            XCTAssertEqual(eventsKept, lines.count - 1)
            XCTAssertEqual(kept.count, lines.count - 1)
            XCTAssertTrue(why.contains("line \(lines.count + 1)") && why.contains(message), why)
        }
    }

    /// Frames are written on the writer's frame thread: a failed write there must
    /// still reach the caller (on a later write, the flush or the close), and
    /// closing after it must not hang.
    func testAFailedFrameWriteReachesTheCaller() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/dev/full"), "no /dev/full")
        let w = try TraceWriter(path: "/dev/full", frameBytes: 4 << 10)
        var failure: (any Error)?
        do {
            for e in Fixtures.mixed(500) { try w.write(e) }
            try w.flush()
        } catch {
            failure = error
        }
        XCTAssertTrue("\(failure.map { "\($0)" } ?? "no error")".contains("/dev/full"), "\(String(describing: failure))")
        XCTAssertThrowsError(try w.close())
        XCTAssertNoThrow(try w.close())  // closed now: nothing more to report
    }

    /// The decompressed lines of a trace, header first.
    private func decompressedLines(_ path: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let d = try ZstdFrameDecompressor()
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var offset = 0
        while offset < data.count {
            let step = data.withUnsafeBytes { input in
                buffer.withUnsafeMutableBytes { d.step(input: UnsafeRawBufferPointer(rebasing: input[offset...]), output: $0) }
            }
            guard case let .progress(consumed, produced, _) = step else { throw EventLogError.invalidEvent("bad zstd") }
            out += buffer[0..<produced]
            offset += consumed
            if consumed == 0 && produced == 0 { break }
        }
        return String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Compresses a file with the library (one frame) so tests do not depend on the CLI.
    private func compress(_ src: String, to dst: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: src))
        let out = fopen(dst, "wb")!
        defer { fclose(out) }
        let c = try ZstdFrameCompressor(level: 3)
        try data.withUnsafeBytes { input in
            try c.compressFrame(input) { chunk in _ = fwrite(chunk.baseAddress, 1, chunk.count, out) }
        }
    }

    func testZstdCLIReadsValidJSONLines() throws {
        let zstd = "/usr/bin/zstd"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: zstd), "zstd CLI not installed")
        let dir = TempDir()
        let path = dir.path("cli.zst")
        let events = Fixtures.mixed(2000)
        _ = try writeTrace(events, to: path, frameBytes: 32 << 10)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: zstd)
        p.arguments = ["-dc", path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let lines = out.split(separator: 0x0A)
        XCTAssertEqual(lines.count, events.count + 1)
        let header = try JSONSerialization.jsonObject(with: Data(lines[0])) as? [String: Any]
        XCTAssertEqual(header?["format"] as? String, "gwsim-trace")
        XCTAssertEqual(header?["version"] as? Int, Limits.traceVersion)
        // Version 2 lines: `seq` when it is not the last one plus one, `time` or `dt`.
        var seq: Int64 = 0
        for (i, line) in lines.dropFirst().enumerated() {
            let obj = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            seq = (obj?["seq"] as? NSNumber)?.int64Value ?? seq + 1
            XCTAssertEqual(seq, events[i].seq)
            XCTAssertTrue((obj?["time"] == nil) != (obj?["dt"] == nil), String(decoding: line, as: UTF8.self))
        }
    }

    /// Cutting a multi-frame trace at every byte offset: never crashes, always a prefix.
    func testTruncationAtEveryOffset() throws {
        let dir = TempDir()
        let path = dir.path("small.zst")
        let events = Fixtures.mixed(40)
        let w = try writeTrace(events, to: path, frameBytes: 1200)
        XCTAssertGreaterThan(w.framesWritten, 4)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = dir.path("cut.zst")
        var sawTruncatedWithEvents = false
        for n in 0..<bytes.count {
            try bytes.prefix(n).write(to: URL(fileURLWithPath: cut))
            let (read, result) = try TraceReader.readAll(path: cut)
            XCTAssertEqual(read, Array(events.prefix(read.count)), "cut at \(n)")
            switch result.stopReason {
            case .complete:
                XCTAssertGreaterThan(n, 0)
            case let .truncated(at, kept):
                XCTAssertEqual(kept, read.count)
                XCTAssertLessThanOrEqual(at, n)
                if kept > 0 { sawTruncatedWithEvents = true }
            case let .damaged(at, kept, _):
                // Only possible before a complete header line exists.
                XCTAssertEqual(at, 0, "cut at \(n)")
                XCTAssertEqual(kept, 0)
            }
        }
        XCTAssertTrue(sawTruncatedWithEvents)
    }

    func testGarbageAndBitFlipsAreDamaged() throws {
        let dir = TempDir()
        let path = dir.path("ok.zst")
        let events = Fixtures.mixed(300)
        _ = try writeTrace(events, to: path, frameBytes: 4000)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        let bad = dir.path("bad.zst")
        var rng = SystemRandomNumberGenerator()

        // Pure garbage.
        for size in [1, 7, 100, 5000, 200_000] {
            let garbage = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) })
            try garbage.write(to: URL(fileURLWithPath: bad))
            let (read, result) = try TraceReader.readAll(path: bad)
            XCTAssertTrue(read.isEmpty)
            if case .complete = result.stopReason { XCTFail("garbage read as complete") }
        }
        // Valid trace followed by garbage.
        try (good + Data([0x28, 0xB5, 0x2F, 0xFD, 1, 2, 3, 4, 5, 6, 7, 8, 9])).write(to: URL(fileURLWithPath: bad))
        let (tailRead, tailResult) = try TraceReader.readAll(path: bad)
        XCTAssertEqual(tailRead, events)
        XCTAssertNotEqual(tailResult.stopReason, .complete)

        // Single bit flips: never a crash, never a wrong event, never "complete" with a changed event.
        var damaged = 0
        for _ in 0..<400 {
            var b = good
            let i = Int.random(in: 0..<b.count, using: &rng)
            b[i] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            try b.write(to: URL(fileURLWithPath: bad))
            let (read, result) = try TraceReader.readAll(path: bad)
            XCTAssertEqual(read, Array(events.prefix(read.count)), "flip at \(i)")
            if case .damaged(let at, let kept, _) = result.stopReason {
                damaged += 1
                XCTAssertEqual(kept, read.count)
                XCTAssertLessThanOrEqual(at, i)
            } else if result.stopReason == .complete {
                XCTAssertEqual(read, events)  // a flip in an ignorable spot (e.g. frame header padding)
            }
        }
        XCTAssertGreaterThan(damaged, 300)
    }

    /// A flipped checksum flag would let a frame pass unverified: the reader refuses the
    /// frame where it starts instead of noticing the damage a frame later.
    func testFrameWithoutChecksumFlagIsDamagedAtItsStart() throws {
        let dir = TempDir()
        let path = dir.path("ok.zst")
        _ = try writeTrace(Fixtures.mixed(50), to: path, frameBytes: 4000)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertNotEqual(bytes[4] & 0x04, 0)
        bytes[4] &= ~UInt8(0x04)
        let bad = dir.path("bad.zst")
        try bytes.write(to: URL(fileURLWithPath: bad))
        let (read, result) = try TraceReader.readAll(path: bad)
        XCTAssertTrue(read.isEmpty)
        guard case .damaged(let at, _, let message) = result.stopReason else { return XCTFail("\(result.stopReason)") }
        XCTAssertEqual(at, 0)
        XCTAssertTrue(message.contains("checksum"), message)
    }

    /// 200k events stream through writer and reader (memory is bounded by one frame).
    /// Frames that compress to more than the reader's first input buffer: the reader
    /// gathers each whole frame to decompress it in one pass. Everything reads back,
    /// and a cut inside the second frame keeps exactly the first frame's events.
    func testFramesLargerThanTheInputBuffer() throws {
        let dir = TempDir()
        let path = dir.path("noisy.zst")
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        func noise() -> String {
            (0..<24).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return String(state >> 40, radix: 16)
            }.joined()
        }
        let events = (0..<6000).map { i in
            var event = Event(time: Fixtures.baseTime + Double(i) * 0.001, body: .request(RequestRecord(
                id: "r\(i)", client: "10.0.0.1:4000", port: 80, scheme: "http", method: "GET", host: "noise.example",
                path: "/n/" + noise(), headers: [HeaderField("x-noise", noise())])))
            event.seq = Int64(i + 1)
            return event
        }
        let w = try writeTrace(events, to: path, frameBytes: 1 << 20)
        XCTAssertGreaterThan(w.framesWritten, 2)
        XCTAssertGreaterThan(w.bytesWritten / w.framesWritten, ZstdFrameDecompressor.recommendedInputSize, "frames must outgrow the input buffer")
        let (read, result) = try TraceReader.readAll(path: path)
        XCTAssertEqual(result.stopReason, .complete)
        XCTAssertEqual(read, events)

        let firstFrame = try TraceReader(path: path)
        var inFirst = 0
        while let item = firstFrame.nextItem(), case .request(let line, _) = item, line.frameStart == 0 { inFirst += 1 }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = dir.path("cut.zst")
        let middleOfSecondFrame = bytes.count / w.framesWritten * 3 / 2  // the frames are about equal
        try bytes.prefix(middleOfSecondFrame).write(to: URL(fileURLWithPath: cut))
        let (kept, cutResult) = try TraceReader.readAll(path: cut)
        guard case .truncated(_, let eventsKept) = cutResult.stopReason else { return XCTFail("\(cutResult.stopReason)") }
        XCTAssertEqual(eventsKept, kept.count)
        XCTAssertGreaterThanOrEqual(kept.count, inFirst)
        XCTAssertEqual(kept, Array(events.prefix(kept.count)))
    }

    func testLargeStream() throws {
        let dir = TempDir()
        let path = dir.path("big.zst")
        let n = 200_000
        let template = Fixtures.mixed(1000)
        let w = try TraceWriter(path: path)
        for i in 0..<n {
            var e = template[i % template.count]
            e.seq = Int64(i + 1)
            try w.write(e)
        }
        try w.close()
        let reader = try TraceReader(path: path)
        var count = 0
        var lastSeq: Int64 = 0
        let result = reader.forEach { e in count += 1; lastSeq = e.seq! }
        XCTAssertEqual(result.stopReason, .complete)
        XCTAssertEqual(count, n)
        XCTAssertEqual(lastSeq, Int64(n))
        XCTAssertEqual(reader.compressedOffset, w.bytesWritten)
    }
}
