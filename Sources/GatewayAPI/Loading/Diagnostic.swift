/// A message about the input, in the shape `kubectl apply` uses:
/// `file:line: Kind namespace/name: field.path: the rule broken`.
/// Errors reject the object they concern; warnings and notes do not.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning, note }

    public var severity: Severity
    public var location: SourceLocation
    /// The object concerned, when known (`Kind/namespace/name`).
    public var object: ObjectKey?
    /// The field path, e.g. `spec.rules[0].matches[1].path.value`.
    public var field: String?
    public var message: String

    public init(_ severity: Severity, at location: SourceLocation, object: ObjectKey? = nil, field: String? = nil, _ message: String) {
        self.severity = severity
        self.location = location
        self.object = object
        self.field = field
        self.message = message
    }

    public var description: String {
        var parts = ["\(location): \(severity.rawValue)"]
        if let object {
            parts.append(object.namespace.isEmpty ? "\(object.kind) \(object.name)" : "\(object.kind) \(object.namespace)/\(object.name)")
        }
        if let field { parts.append(field) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}
