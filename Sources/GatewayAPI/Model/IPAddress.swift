/// An IPv4 or IPv6 address in its 128-bit form (IPv4 as `::ffff:a.b.c.d`, RFC 4291
/// §2.5.5.2), so that one comparison serves both families. Parsed from the text forms
/// the Gateway API accepts (`format: ipv4` / `ipv6` on `GatewaySpecAddress.value`):
/// dotted quads, and IPv6 groups with at most one `::` and an optional dotted-quad
/// tail. Zone suffixes (`%eth0`) are not addresses a Gateway can request.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64
    public let isIPv4: Bool

    public init?(_ text: String) {
        if let v4 = Self.ipv4(Substring(text)) {
            (high, low, isIPv4) = (0, 0xFFFF_0000_0000 | UInt64(v4), true)
            return
        }
        guard let groups = Self.ipv6Groups(text) else { return nil }
        (high, low, isIPv4) = (Self.pack(groups[0..<4]), Self.pack(groups[4..<8]), false)
    }

    /// `0.0.0.0` or `::`: a listener bound there is bound on every address of its family.
    public var isUnspecified: Bool { high == 0 && low == (isIPv4 ? 0xFFFF_0000_0000 : 0) }

    /// The next address (wrapping within the family).
    public var successor: IPAddress {
        if isIPv4 { return IPAddress(high: 0, low: 0xFFFF_0000_0000 | ((low + 1) & 0xFFFF_FFFF), isIPv4: true) }
        let (next, carry) = low.addingReportingOverflow(1)
        return IPAddress(high: carry ? high &+ 1 : high, low: next, isIPv4: false)
    }

    private init(high: UInt64, low: UInt64, isIPv4: Bool) {
        (self.high, self.low, self.isIPv4) = (high, low, isIPv4)
    }

    /// Width of the address in bits: 32 or 128.
    public var bitWidth: Int { isIPv4 ? 32 : 128 }

    /// True when the first `bits` bits (counted within the address's own family) equal `other`'s.
    public func sharesPrefix(_ bits: Int, with other: IPAddress) -> Bool {
        guard isIPv4 == other.isIPv4 else { return false }
        let prefix = isIPv4 ? 96 + bits : bits
        func masked(_ word: UInt64, _ used: Int) -> UInt64 {
            used <= 0 ? 0 : used >= 64 ? word : word & ~(UInt64.max >> used)
        }
        return masked(high, prefix) == masked(other.high, prefix) && masked(low, prefix - 64) == masked(other.low, prefix - 64)
    }

    public var description: String {
        if isIPv4 { return (0..<4).map { String((low >> (24 - 8 * $0)) & 0xFF) }.joined(separator: ".") }
        let groups = (0..<8).map { index in ((index < 4 ? high : low) >> (48 - 16 * (index % 4))) & 0xFFFF }
        return groups.map { String($0, radix: 16) }.joined(separator: ":")
    }

    private static func pack(_ groups: ArraySlice<UInt16>) -> UInt64 {
        groups.reduce(0) { $0 << 16 | UInt64($1) }
    }

    private static func ipv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let byte = UInt32(part), byte <= 255 else { return nil }
            value = value << 8 | byte
        }
        return value
    }

    /// The eight 16-bit groups of an IPv6 literal, or nil.
    private static func ipv6Groups(_ text: String) -> [UInt16]? {
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ half: String, allowIPv4Tail: Bool) -> [UInt16]? {
            if half.isEmpty { return [] }
            var out: [UInt16] = []
            let parts = half.split(separator: ":", omittingEmptySubsequences: false)
            for (index, part) in parts.enumerated() {
                if index == parts.count - 1, allowIPv4Tail, part.contains(".") {
                    guard let v4 = ipv4(part) else { return nil }
                    out += [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                } else {
                    guard (1...4).contains(part.count), part.utf8.allSatisfy(StringRule.isHex), let group = UInt16(part, radix: 16) else { return nil }
                    out.append(group)
                }
            }
            return out
        }
        if halves.count == 1 {
            guard let all = groups(halves[0], allowIPv4Tail: true), all.count == 8 else { return nil }
            return all
        }
        guard let head = groups(halves[0], allowIPv4Tail: false), let tail = groups(halves[1], allowIPv4Tail: true),
              head.count + tail.count <= 7 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }
}
