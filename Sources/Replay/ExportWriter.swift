import Foundation

/// Writes `gwsim replay --export DIR`: the data a notebook needs to dig further
/// than the report does. Files (columns documented in `notebooks-data/README.md`):
///
/// - `changed-requests.csv`: header + one row per changed request, streamed as
///   the engine finds them (memory does not grow with the trace);
/// - `rule-shares.csv`: one row per rule x world x backend;
/// - `summary.json`: the JSON report (`ImpactReportRenderer.json`).
public enum ExportWriter {
    public static let changedRequestsFile = "changed-requests.csv"
    public static let ruleSharesFile = "rule-shares.csv"
    public static let summaryFile = "summary.json"

    /// Creates `directory` (and parents), truncates or creates
    /// `changed-requests.csv` and writes its header.
    public static func begin(directory: String) throws -> ExportSession {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try ExportSession(directory: directory)
    }
}

public enum ExportError: Error, CustomStringConvertible {
    case cannotCreate(String)
    case finished

    public var description: String {
        switch self {
        case .cannotCreate(let path): return "cannot create \(path)"
        case .finished: return "export session already finished"
        }
    }
}

/// An export in progress: `add` each changed request, then `finish` once with
/// the report. Rows are buffered and flushed in blocks of about 64 KiB. Not
/// thread-safe: the engine calls it from the one thread that merges results.
public final class ExportSession {
    public let directory: String
    private var handle: FileHandle?
    private var buffer = ""
    private static let flushThreshold = 64 * 1024

    /// Changed-request rows written so far.
    public private(set) var rowsWritten = 0

    init(directory: String) throws {
        self.directory = directory
        let path = (directory as NSString).appendingPathComponent(ExportWriter.changedRequestsFile)
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw ExportError.cannotCreate(path) }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        buffer = ExportCSV.record(ExportCSV.changedRequestsHeader)
    }

    deinit { try? handle?.close() }

    public func add(_ row: ChangedRequestRow) throws {
        guard handle != nil else { throw ExportError.finished }
        buffer += ExportCSV.record(ExportCSV.fields(row))
        rowsWritten += 1
        if buffer.utf8.count >= Self.flushThreshold { try flush() }
    }

    /// Closes `changed-requests.csv` and writes `rule-shares.csv` and `summary.json`.
    public func finish(report: ImpactReport) throws {
        guard let h = handle else { throw ExportError.finished }
        try flush()
        try h.close()
        handle = nil
        try write(ExportCSV.ruleShares(report), to: ExportWriter.ruleSharesFile)
        try write(ImpactReportRenderer.json(report), to: ExportWriter.summaryFile)
    }

    private func flush() throws {
        guard let h = handle, !buffer.isEmpty else { return }
        try h.write(contentsOf: Data(buffer.utf8))
        buffer = ""
    }

    private func write(_ text: String, to name: String) throws {
        let url = URL(fileURLWithPath: (directory as NSString).appendingPathComponent(name))
        try Data(text.utf8).write(to: url, options: .atomic)
    }
}
