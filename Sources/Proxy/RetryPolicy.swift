import GatewayAPI
import NIOCore

/// An HTTPRoute rule's retry policy as the proxy applies it (httproute_types.go
/// HTTPRouteRetry): a backend answer whose status is one of `codes` is dropped and the
/// request sent again, at most `attempts` more times, waiting at least `backoff` before
/// each retry (doubled per retry, capped; the spec allows exponential backoff as long as
/// no retry comes before the minimum). When the budget is spent the last answer is
/// relayed as it came (the spec's "MUST return an error": the backend's error status).
///
/// Only requests without a body are retried: the proxy streams request bodies instead of
/// keeping them, so there is nothing to send again. The route's request timeout still
/// bounds the whole exchange, retries included (the exchange's single timer).
struct RetryPolicy: Sendable, Equatable {
    var codes: Set<Int>
    var attempts: Int
    var backoff: TimeAmount

    /// Implementation-specific defaults for fields the route leaves out.
    static let defaultAttempts = 1
    static let defaultBackoff = TimeAmount.milliseconds(25)
    static let maximumBackoff = TimeAmount.seconds(1)

    /// nil when the rule has no retry, or no code to retry on.
    init?(_ retry: HTTPRouteRetry?) {
        guard let retry, !retry.codes.isEmpty else { return nil }
        codes = Set(retry.codes)
        attempts = max(0, retry.attempts ?? Self.defaultAttempts)
        backoff = retry.backoff.map { .nanoseconds(Int64($0 * 1_000_000_000)) } ?? Self.defaultBackoff
    }

    /// Whether an answer with `status` after `retriesDone` retries is dropped and retried.
    func shouldRetry(status: Int, retriesDone: Int) -> Bool { codes.contains(status) && retriesDone < attempts }

    /// How long to wait before retry number `retriesDone + 1`.
    func delay(retriesDone: Int) -> TimeAmount {
        var delay = backoff
        for _ in 0..<min(retriesDone, 16) where delay < Self.maximumBackoff { delay = delay + delay }
        return max(backoff, min(delay, max(backoff, Self.maximumBackoff)))
    }
}
