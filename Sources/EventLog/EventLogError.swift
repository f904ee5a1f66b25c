import CSQLite

/// Every failure of the event log layer. Thrown, never trapped: callers decide what to do.
///
/// Trace *reading* problems (truncation, damage) are not errors: they are reported as a
/// `TraceStopReason` after the readable prefix has been delivered.
public enum EventLogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A SQLite call failed. `path` is the database file, `code` the extended result code.
    case sqlite(path: String, code: Int32, message: String, context: String)
    /// The database exists but has a layout this code does not understand.
    case unsupportedStore(path: String, message: String)
    /// A row of the store cannot be read back as an event (the file was edited or damaged
    /// outside gwsim); `column` names the offending column, nil for the row as a whole.
    case corruptStore(path: String, seq: Int64, column: String?, message: String)
    /// Opening, reading or writing a file failed.
    case io(path: String, message: String)
    /// zstd reported an error while compressing.
    case zstd(path: String, message: String)
    /// An event (or a JSON text given to build one) is invalid.
    case invalidEvent(String)
    /// A JSON text is malformed; `offset` is the byte position in the text.
    case json(message: String, offset: Int)
    /// An explicit `seq` was not greater than the last one already recorded.
    case seqNotIncreasing(seq: Int64, last: Int64)
    /// The writer was used after `close()`.
    case closed(path: String)

    /// A SQLite failure of the moment rather than of the data written: the database
    /// locked by another writer past the busy timeout (BUSY, LOCKED), an I/O error, a
    /// full disk. The same write may succeed later.
    public var isPassing: Bool {
        guard case let .sqlite(_, code, _, _) = self else { return false }
        return [SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL].contains(code & 0xFF)
    }

    /// The file the error is about, when it names one.
    public var path: String? {
        switch self {
        case let .sqlite(path, _, _, _), let .unsupportedStore(path, _), let .corruptStore(path, _, _, _),
             let .io(path, _), let .zstd(path, _), let .closed(path):
            return path
        case .invalidEvent, .json, .seqNotIncreasing:
            return nil
        }
    }

    public var description: String {
        switch self {
        case let .sqlite(path, code, message, context):
            return "\(path): SQLite error \(code) (\(message)) during \(context)"
        case let .unsupportedStore(path, message):
            return "\(path): unsupported event store: \(message)"
        case let .corruptStore(path, seq, column, message):
            return "\(path): event \(seq): " + (column.map { "\($0): " } ?? "") + message
        case let .io(path, message):
            return "\(path): \(message)"
        case let .zstd(path, message):
            return "\(path): zstd: \(message)"
        case let .invalidEvent(message):
            return "invalid event: \(message)"
        case let .json(message, offset):
            return "invalid JSON at byte \(offset): \(message)"
        case let .seqNotIncreasing(seq, last):
            return "seq \(seq) is not greater than the last recorded seq \(last)"
        case let .closed(path):
            return "\(path): already closed"
        }
    }
}
