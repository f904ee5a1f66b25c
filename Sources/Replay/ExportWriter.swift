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

    /// Creates `directory` (and parents) and starts `changed-requests.csv` under a
    /// temporary name. The three files take their names only when `finish` succeeds, so a
    /// replay that fails leaves an earlier export in the directory whole, never mixed.
    public static func begin(directory: String) throws -> ExportSession {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ExportError.notADirectory(directory) }
        } else {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw ExportError.cannotCreate(directory)
            }
        }
        return try ExportSession(directory: directory)
    }
}

public enum ExportError: Error, CustomStringConvertible {
    case cannotCreate(String)
    case notADirectory(String)
    case finished

    public var description: String {
        switch self {
        case .cannotCreate(let path): return "cannot create \(path) (check that its parent exists and is writable)"
        case .notADirectory(let path): return "\(path) exists and is not a directory"
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
    private var finished = false

    /// Changed-request rows written so far.
    public private(set) var rowsWritten = 0

    init(directory: String) throws {
        self.directory = directory
        let path = partialPath(ExportWriter.changedRequestsFile)
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw ExportError.cannotCreate(path) }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        buffer = ExportCSV.record(ExportCSV.changedRequestsHeader)
    }

    /// An export that did not finish leaves nothing behind.
    deinit {
        try? handle?.close()
        if !finished {
            for name in [ExportWriter.changedRequestsFile, ExportWriter.ruleSharesFile, ExportWriter.summaryFile] {
                try? FileManager.default.removeItem(atPath: partialPath(name))
            }
        }
    }

    private func finalPath(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
    private func partialPath(_ name: String) -> String { (directory as NSString).appendingPathComponent(".\(name).partial") }

    public func add(_ row: ChangedRequestRow) throws {
        guard handle != nil else { throw ExportError.finished }
        buffer += ExportCSV.record(ExportCSV.fields(row))
        rowsWritten += 1
        if buffer.utf8.count >= Self.flushThreshold { try flush() }
    }

    /// Closes `changed-requests.csv`, writes `rule-shares.csv` and `summary.json`, and
    /// gives the three their names.
    public func finish(report: ImpactReport) throws {
        guard let h = handle else { throw ExportError.finished }
        try flush()
        try h.close()
        handle = nil
        try write(ExportCSV.ruleShares(report), to: ExportWriter.ruleSharesFile)
        try write(ImpactReportRenderer.json(report), to: ExportWriter.summaryFile)
        for name in [ExportWriter.changedRequestsFile, ExportWriter.ruleSharesFile, ExportWriter.summaryFile] {
            guard rename(partialPath(name), finalPath(name)) == 0 else { throw ExportError.cannotCreate(finalPath(name)) }
        }
        finished = true
    }

    private func flush() throws {
        guard let h = handle, !buffer.isEmpty else { return }
        try h.write(contentsOf: Data(buffer.utf8))
        buffer = ""
    }

    private func write(_ text: String, to name: String) throws {
        guard FileManager.default.createFile(atPath: partialPath(name), contents: Data(text.utf8)) else {
            throw ExportError.cannotCreate(partialPath(name))
        }
    }
}
