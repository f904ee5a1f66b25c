import ArgumentParser
import Replay

/// Where `gwsim apply` and `gwsim delete` send a change: an event store (`--log`), or a
/// running proxy's admin API (`--admin`), optionally after a review of its recent traffic.
struct ChangeTargetOptions: ParsableArguments {
    @Option(help: "The event store (SQLite; created when missing).")
    var log: String?

    @Option(help: "URL of a running proxy's admin API (http://HOST:PORT): change it there instead of --log.")
    var admin: String?

    @Flag(help: "With --admin: replay the proxy's recent traffic against the change first; change nothing if a --fail-on trips.")
    var review = false

    @Option(name: .customLong("fail-on"), help: "With --review: a gate like 'changed>5%' or 'newly-failing>0' (repeatable).")
    var failOn: [String] = []

    @Option(help: "With --review: how much recent traffic to replay (e.g. 15m, 1h; default: the proxy's, 1h).")
    var window: String?

    @Option(help: "With --admin: a file holding the admin API's bearer token.")
    var tokenFile: String?

    func validate() throws {
        if (log == nil) == (admin == nil) { throw ValidationError("give exactly one of --log PATH and --admin URL") }
        if admin == nil, review || !failOn.isEmpty || window != nil || tokenFile != nil {
            throw ValidationError("--review, --fail-on, --window and --token-file need --admin")
        }
        if !review, !failOn.isEmpty || window != nil { throw ValidationError("--fail-on and --window need --review") }
        for gate in failOn {
            do { _ = try FailOnExpression(parsing: gate) } catch { throw ValidationError("\(error)") }
        }
    }
}
