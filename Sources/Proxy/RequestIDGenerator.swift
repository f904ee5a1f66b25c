import Foundation
import Synchronization

/// Process-unique request ids: `<start time base36>-<counter>`. The id is also the routing
/// key (weighted backend choice, mirrors), so distinct requests must get distinct ids and a
/// restarted proxy must not repeat the ids of the previous run in the same log.
public final class RequestIDGenerator: Sendable {
    private let prefix: String
    private let counter = Atomic<UInt64>(0)

    /// - Parameter startMicros: the process start, in microseconds since the epoch.
    public init(startMicros: Int64 = Int64(Date().timeIntervalSince1970 * 1_000_000)) {
        prefix = String(UInt64(max(0, startMicros)), radix: 36)
    }

    /// Spelled into one string buffer: every request without an id of its own asks, and
    /// interpolating the two parts cost more than taking the number.
    public func next() -> String {
        let value = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var digits = 1
        var rest = value / 10
        while rest > 0 { digits += 1; rest /= 10 }
        var prefix = prefix
        return prefix.withUTF8 { prefix in
            String(unsafeUninitializedCapacity: prefix.count + 1 + digits) { buffer in
                _ = buffer.initialize(from: prefix)
                buffer[prefix.count] = UInt8(ascii: "-")
                var value = value
                for index in stride(from: prefix.count + digits, to: prefix.count, by: -1) {
                    buffer[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                return prefix.count + 1 + digits
            }
        }
    }
}
