/// A problem with a scenario file: where, and what rule it breaks.
public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var field: String?
    public var message: String

    public init(file: String, line: Int? = nil, field: String? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        var text = line.map { "\(file):\($0)" } ?? file
        text += ": error"
        if let field { text += ": \(field)" }
        return text + ": " + message
    }
}
