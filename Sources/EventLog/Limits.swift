/// Every size and count limit of the event log layer, each with the reason it exists.
///
/// The reader side treats every input as untrusted (a trace may be truncated, damaged or
/// not a trace at all), so each buffer that grows with input has a bound here.
public enum Limits {
    /// Name of the event schema written by this module (trace version 1, SQLite `schema_version`).
    public static let schemaName = "gwsim.events/v1"

    /// Trace header `format` value; a file whose first line does not carry it is not a trace.
    public static let traceFormat = "gwsim-trace"

    /// The trace `version` written, bumped on any incompatible change. Version 2 lines may
    /// leave out what the line before implies (`seq`, `time` as `dt`, a request `id` equal to
    /// its `seq`); version 1 lines carry everything. The reader reads both.
    public static let traceVersion = 2
    public static let oldestTraceVersion = 1

    /// SQLite `PRAGMA user_version` of a store created by this code. Lets `sqlite3` users and
    /// future versions recognise the layout without reading tables.
    public static let storeUserVersion: Int32 = 1

    /// SQLite page size of a new store, in bytes (an existing store keeps its own). A
    /// request row is about 300 bytes in two tables and two indexes; 16 KiB pages split
    /// and go to the write-ahead log less often than SQLite's default 4 KiB: importing
    /// 200,000 requests took 10 % less time, half the system time (docs/events.md, section 3).
    public static let storePageSize = 16_384

    /// Default zstd level. Trace lines repeat hosts, paths and headers a few lines apart;
    /// from level 8 zstd searches deep enough to find most of those repeats: a `large`
    /// scenario request costs 15.7 bytes against 18.9 at zstd's default of 3, for about
    /// three times the compression time (docs/benchmarks.md). Reading is as fast.
    public static let defaultCompressionLevel: Int32 = 8

    /// Levels `--level` accepts: zstd's ordinary range (20–22 need its "ultra" mode and
    /// windows larger than a trace frame could use).
    public static let compressionLevels: ClosedRange<Int32> = 1...19

    /// Target uncompressed bytes per zstd frame. Every frame is independent and ends on a line
    /// boundary, so damage or truncation loses at most one frame; larger frames compress a
    /// little better, smaller frames lose less. 2 MiB sits in the middle of the 1–4 MiB range.
    public static let defaultFrameBytes = 2 << 20

    /// Room of a trace reader's line buffer (`LineBuffer`): a default frame decompressed
    /// whole, plus the most zstd writes in one streaming step.
    public static let lineBufferBytes = defaultFrameBytes + ZstdFrameDecompressor.recommendedOutputSize

    /// Longest accepted trace line (uncompressed). A Kubernetes object is at most ~1.5 MiB
    /// (etcd request limit); 16 MiB leaves room while stopping a newline-free garbage stream
    /// from growing the line buffer without bound.
    public static let maxLineBytes = 16 << 20

    /// Decoded bytes of one frame that the reader holds back until the frame's checksum is
    /// verified. Frames written by `TraceWriter` are ~`defaultFrameBytes`; a foreign file made
    /// of one huge frame (e.g. plain `zstd file.jsonl`) is streamed without that guarantee once
    /// this much is pending, so memory stays bounded.
    public static let maxUnverifiedBytes = 64 << 20

    /// Compressed bytes the trace reader gathers to decompress a frame in one pass (zstd
    /// then writes the lines straight into the reader's buffer instead of through its
    /// window). A `defaultFrameBytes` frame compresses to a few hundred KiB; a larger
    /// one is streamed as before.
    public static let wholeFrameInputBytes = 4 << 20

    /// Deepest JSON nesting accepted. Gateway API objects nest < 20 levels; the bound keeps
    /// the recursive validator from exhausting the stack on hostile input like `[[[[…`.
    public static let maxJSONDepth = 128

    /// Distinct strings a request-line decoder keeps for reuse (`StringInterner`). Hosts,
    /// methods and header values of real traffic number in the hundreds; the bound keeps a
    /// trace of unique values from growing the table.
    public static let internedStrings = 4096

    /// Resource events between two state snapshots in the SQLite store. `state --at T` then
    /// replays at most this many events after loading a snapshot.
    public static let defaultSnapshotInterval = 1000

    /// Bytes of text a prepared statement keeps for binding its parameters without SQLite's
    /// copy (`SQLiteStatement.bind`). A request event's text columns are a few hundred bytes,
    /// and a statement binds up to `requestRowsPerInsert` of them; what does not fit (a
    /// resource object) is bound the ordinary, copying way.
    public static let sqliteBindArenaBytes = 64 << 10

    /// Request events inserted by one statement per table when a batch has that many in a
    /// row (`EventStore.append`); each statement's parameters stay under SQLite's limit.
    public static let requestRowsPerInsert = 16

    /// How long a writer waits for a lock held by another connection (e.g. a `sqlite3` shell)
    /// before failing with SQLITE_BUSY.
    public static let sqliteBusyTimeoutMs: Int32 = 5_000

    /// Earliest and latest representable event time, in microseconds since the Unix epoch:
    /// 1970-01-01T00:00:00Z … 2242-03-16T12:56:31.999999Z (just under 2^33 seconds). Below
    /// 2^33 s a `Double` has a resolution finer than 1 µs, so `seconds = micros / 1e6` (the
    /// SQLite `REAL` column, `Event.time`) maps back to exactly the same microsecond. Times
    /// outside are clamped by `Event.init` and rejected by the parser.
    public static let minTimeMicros: Int64 = 0
    public static let maxTimeMicros: Int64 = 8_589_934_591_999_999

    /// A request's listener port (TCP and UDP port numbers; docs/events.schema.json).
    public static let ports: ClosedRange<Int64> = 0...65_535
}
