/// First line of every trace: `{"format":"gwsim-trace","version":2,"created":"…","generator":"gwsim"}`.
/// A reader checks `format` and `version` before trusting any other line.
public struct TraceHeader: Sendable, Equatable {
    public var format: String
    public var version: Int
    /// RFC 3339 creation time (informational).
    public var created: String
    /// Program that wrote the trace (informational).
    public var generator: String

    public init(created: String, generator: String = "gwsim") {
        self.format = Limits.traceFormat
        self.version = Limits.traceVersion
        self.created = created
        self.generator = generator
    }

    func appendJSON(to out: inout [UInt8]) {
        JSONWriter.raw("{\"format\":", to: &out)
        JSONWriter.string(format, to: &out)
        JSONWriter.raw(",\"version\":", to: &out)
        JSONWriter.int(Int64(version), to: &out)
        JSONWriter.raw(",\"created\":", to: &out)
        JSONWriter.string(created, to: &out)
        JSONWriter.raw(",\"generator\":", to: &out)
        JSONWriter.string(generator, to: &out)
        out.append(0x7D)
    }

    /// Parses and checks a header line: right format name, supported version.
    static func parse(_ line: UnsafeBufferPointer<UInt8>) throws -> TraceHeader {
        var s = JSONScanner(line)
        var format: String?, version: Int64?, created = "", generator = ""
        try s.beginObject()
        var first = true
        while let key = try s.nextKey(&first) {
            switch key {
            case "format": format = try s.readString()
            case "version": version = try s.readInt()
            case "created": created = try s.readString()
            case "generator": generator = try s.readString()
            default: try s.skipValue()
            }
        }
        try s.expectEnd()
        guard format == Limits.traceFormat else {
            throw EventLogError.invalidEvent("not a gwsim trace: header \"format\" is not \"\(Limits.traceFormat)\"")
        }
        guard let version, (Int64(Limits.oldestTraceVersion)...Int64(Limits.traceVersion)).contains(version) else {
            throw EventLogError.invalidEvent("unsupported trace version \(version.map(String.init) ?? "(missing)"); this reader understands \(Limits.oldestTraceVersion) to \(Limits.traceVersion)")
        }
        var h = TraceHeader(created: created, generator: generator)
        h.version = Int(version)
        return h
    }
}
