import Foundation
import NIOConcurrencyHelpers

/// Process-unique request ids: `<start time base36>-<counter>`. The id is also the routing
/// key (weighted backend choice, mirrors), so distinct requests must get distinct ids and a
/// restarted proxy must not repeat the ids of the previous run in the same log.
public final class RequestIDGenerator: Sendable {
    private let prefix: String
    private let counter = NIOLockedValueBox<UInt64>(0)

    /// - Parameter startMicros: the process start, in microseconds since the epoch.
    public init(startMicros: Int64 = Int64(Date().timeIntervalSince1970 * 1_000_000)) {
        prefix = String(UInt64(max(0, startMicros)), radix: 36)
    }

    public func next() -> String {
        let value = counter.withLockedValue { value -> UInt64 in
            value &+= 1
            return value
        }
        return "\(prefix)-\(value)"
    }
}
