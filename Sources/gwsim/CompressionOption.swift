import ArgumentParser
import EventLog

/// `--level`, for the commands that write a trace.
struct CompressionOption: ParsableArguments {
    @Option(help: ArgumentHelp("zstd compression level of the trace (\(Limits.compressionLevels.lowerBound)-\(Limits.compressionLevels.upperBound)); lower is faster to write, higher smaller (docs/events.md).",
                               valueName: "n"))
    var level: Int32 = Limits.defaultCompressionLevel

    func validate() throws {
        guard Limits.compressionLevels.contains(level) else {
            throw ValidationError("--level must be between \(Limits.compressionLevels.lowerBound) and \(Limits.compressionLevels.upperBound), got \(level)")
        }
    }
}
