import GatewayAPI
import RoutingCore

/// The candidate change: objects that replace (or add to) the recorded ones and
/// objects removed, from `atMicros` on (nil: from the start of the trace).
public struct ReplayChange: Sendable {
    /// Objects applied in the candidate world (a later one with the same key wins), as `Loader` returns them.
    public var objects: [LoadedObject]
    /// Objects removed in the candidate world.
    public var removals: [ObjectKey]
    /// The change applies before the first event whose time is >= this; nil = before every event.
    public var atMicros: Int64?

    public init(objects: [LoadedObject] = [], removals: [ObjectKey] = [], atMicros: Int64? = nil) {
        self.objects = objects
        self.removals = removals
        self.atMicros = atMicros
    }

    /// Every key the change touches: recorded changes to these are ignored in the candidate world once the change applies.
    public var keys: Set<ObjectKey> { Set(objects.map(\.resource.key)).union(removals) }
}

/// Everything a replay needs.
public struct ReplayOptions: Sendable {
    /// A trace (`.zst`) or an event store (`.db`).
    public var tracePath: String
    /// The `--with` paths and `--without` keys as given (for the report's `input`).
    public var withPaths: [String]
    public var withoutKeys: [String]
    public var change: ReplayChange
    /// Worker threads routing requests (>= 1). The report does not depend on it.
    public var threads: Int
    /// What `--threads` accepts: past a few per core more threads only cost memory.
    public static let threadLimit = 1...256
    /// How far an event's time may lie before an earlier event's without a warning
    /// (microseconds): requests recorded on several event loops finish slightly out of order.
    public static let backwardsTolerance: Int64 = 1_000_000
    /// Compare the baseline with the outcomes recorded in the trace.
    public var verify: Bool
    public var compileOptions: CompileOptions
    /// Number of timeline buckets.
    public var timelineBuckets: Int
    /// Requests per work chunk (a chunk also ends when a resource event changes a table).
    public var chunkSize: Int
    /// How many disagreements `--verify` lists.
    public var maxDisagreements: Int
    /// Compare each distinct pair of request-independent verdicts once (PairMemo).
    /// Off only in tests, to check the shortcut against comparing every request.
    var comparesPairsOnce = true

    public init(tracePath: String, withPaths: [String] = [], withoutKeys: [String] = [], change: ReplayChange = ReplayChange(),
                threads: Int = 1, verify: Bool = false, compileOptions: CompileOptions = CompileOptions(),
                timelineBuckets: Int = 50, chunkSize: Int = 16384, maxDisagreements: Int = 10) {
        self.tracePath = tracePath
        self.withPaths = withPaths
        self.withoutKeys = withoutKeys
        self.change = change
        self.threads = max(1, threads)
        self.verify = verify
        self.compileOptions = compileOptions
        self.timelineBuckets = max(1, timelineBuckets)
        self.chunkSize = max(1, chunkSize)
        self.maxDisagreements = max(0, maxDisagreements)
    }
}

/// Why a replay could not produce a report.
public enum ReplayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The trace or store cannot be opened or read.
    case unreadable(path: String, message: String)
    /// The trace is damaged: the frame at compressed byte `atByte` is corrupt.
    case damaged(path: String, atByte: Int, eventsKept: Int, message: String)
    /// `--without` names objects the log never records.
    case removalNotRecorded(path: String, keys: [String])
    /// `--at` lies after the log's last event: no recorded request sees the change.
    case changeAfterTrace(path: String, at: String, last: String)

    /// `error` as the reason `path` cannot be read, without naming the file twice.
    static func unreadable(_ path: String, _ error: Error) -> ReplayError {
        let text = "\(error)"
        return .unreadable(path: path, message: text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text)
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let message): return "\(path): \(message)"
        case .damaged(let path, let atByte, let eventsKept, let message):
            return "\(path): damaged trace, in the frame at byte \(atByte) (after \(eventsKept) valid events): \(message)"
        case .removalNotRecorded(let path, let keys):
            return "--without \(keys.joined(separator: ", ")): \(path) records no such object, so removing it would change nothing"
        case .changeAfterTrace(let path, let at, let last):
            return "--at \(at) is after the last event of \(path) (\(last)): no recorded request would see the change"
        }
    }
}

/// Progress of a running replay (reported on the reading thread).
public struct ReplayProgress: Sendable {
    public var events: Int
    public var requests: Int
    /// Compressed bytes consumed / file size (0 when unknown, e.g. a `.db`).
    public var bytesRead: Int
    public var totalBytes: Int
}
