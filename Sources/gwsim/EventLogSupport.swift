import ArgumentParser
import EventLog
import Foundation

/// Small helpers shared by the event-log commands (apply, export, import-trace, cat,
/// inspect, state): argument parsing and the wording of reader results, so every command
/// reports the same thing the same way.
enum EventLogSupport {
    /// A time argument: RFC 3339, or seconds since the epoch (`1767225600`, `1767225600.5`).
    static func parseTime(_ text: String, option: String) throws -> Int64 {
        if let micros = EventTime.parse(rfc3339OrSeconds: text) { return micros }
        Terminal.error("error: \(option) \(text): \(EventLogSupport.timeRule)")
        throw Exit.badInput
    }

    /// What a time option takes (EventTime.parse(rfc3339OrSeconds:)).
    static let timeRule = "expected an RFC 3339 time (2026-01-01T00:00:00Z) or seconds since the epoch, from 1970 to 2242-03-16T12:56:31.999999Z"

    /// "complete", "truncated at byte N (...)", "damaged at byte N: message".
    static func describe(_ reason: TraceStopReason) -> String {
        switch reason {
        case .complete: return "complete"
        case let .truncated(at, kept):
            return "truncated: the file ends inside the frame at byte \(at) (\(kept) events readable)"
        case let .damaged(at, kept, message):
            return "damaged in the frame at byte \(at): \(message) (\(kept) events readable before it)"
        }
    }

    /// Opens a trace, turning a failure into `path: message` on stderr and exit 2.
    static func openTrace(_ path: String) throws -> TraceReader {
        do { return try TraceReader(path: path) } catch { throw fail(path, error) }
    }

    /// Opens (or creates) an event store, same error policy.
    static func openStore(_ path: String) throws -> EventStore {
        do { return try EventStore(path: path) } catch { throw fail(path, error) }
    }

    /// An input file must exist (opening a store would otherwise create an empty one).
    static func requireFile(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            Terminal.error("error: \(path): no such file")
            throw Exit.badInput
        }
    }

    /// Prints `error: path: message` (unless the message already names the path) and returns exit 2.
    static func fail(_ path: String, _ error: Any) -> ExitCode {
        let text = "\(error)"
        // An error that names its own file (the store being read while a trace is written) keeps it.
        let named = text.hasPrefix(path) || (error as? EventLogError)?.path != nil
        Terminal.error("error: " + (named ? text : "\(path): \(text)"))
        return Exit.badInput
    }

    /// Prints the reader's end state to stderr when it is not clean; damage is an error (exit 2).
    static func reportStop(_ reason: TraceStopReason, path: String) throws {
        switch reason {
        case .complete: return
        case .truncated: Terminal.error("warning: \(path): \(describe(reason))")
        case .damaged:
            Terminal.error("error: \(path): \(describe(reason))")
            throw Exit.badInput
        }
    }

    /// Streams the events of a trace, or of an event store when `path` is an SQLite file.
    /// Returns the trace reader's stop reason (nil for a store, which has no such notion).
    static func forEachEvent(_ path: String, _ body: (Event) throws -> Void) throws -> TraceStopReason? {
        try requireFile(path)
        if EventStore.isStoreFile(path) {
            let store = try openStore(path)
            do { try store.events(body) } catch let exit as ExitCode { throw exit } catch { throw fail(path, error) }
            return nil
        }
        let reader = try openTrace(path)
        while let event = reader.next() { try body(event) }
        return reader.result.stopReason
    }
}

/// Buffered standard output: a trace can hold millions of lines, and one write(2) per line
/// would dominate the run time.
struct OutputBuffer {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 16) }

    mutating func line(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        bytes.append(0x0A)
        if bytes.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !bytes.isEmpty else { return }
        Terminal.write(bytes)
        bytes.removeAll(keepingCapacity: true)
    }
}
