/// One changed request, as `--export` writes it (one row per changed request).
/// The engine streams these to `Replay.run(onChanged:)` in log order and keeps
/// none of them, so exporting does not make memory grow with the trace.
public struct ChangedRequestRow: Sendable, Equatable {
    /// The recorded request id (also the key of every weighted choice).
    public var id: String
    /// When the request happened, microseconds since the epoch.
    public var timeMicros: Int64
    public var method: String
    public var host: String
    /// The recorded path, with its query string.
    public var path: String
    /// The baseline outcome.
    public var before: Side
    /// The candidate outcome.
    public var after: Side
    /// Why it changed (sorted; at least one).
    public var categories: [ChangeCategory]

    /// One world's outcome for the request.
    public struct Side: Sendable, Equatable {
        /// Route id `httproute/ns/name`, nil when no route matched.
        public var route: String?
        /// Rule id `httproute/ns/name/rule/i`, nil when no route matched.
        public var rule: String?
        /// `ns/name:port` when forwarded, else nil.
        public var backend: String?
        /// Outcome label: `forward`, `404`, `500`, `redirect 301`, `respond 204`.
        public var status: String
        /// The HTTP status for redirect / respond / error outcomes; nil when forwarded.
        public var statusCode: Int?

        public init(route: String?, rule: String?, backend: String?, status: String, statusCode: Int?) {
            self.route = route
            self.rule = rule
            self.backend = backend
            self.status = status
            self.statusCode = statusCode
        }
    }

    public init(id: String, timeMicros: Int64, method: String, host: String, path: String,
                before: Side, after: Side, categories: [ChangeCategory]) {
        self.id = id
        self.timeMicros = timeMicros
        self.method = method
        self.host = host
        self.path = path
        self.before = before
        self.after = after
        self.categories = categories
    }
}
