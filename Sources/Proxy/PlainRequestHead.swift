import NIOCore

/// A GET or HEAD request head that reaches the backend as it came, with only the
/// forwarding fields added: the byte path's common case, read where it lies (offsets into
/// the client's bytes) and routed without building a `String` per field.
///
/// "As it came" is what `RequestTarget`, `TransferCoding` and `RequestForwarder` would
/// leave unchanged, so only heads for which that is plain from their bytes qualify: an
/// origin-form target with no `%` and no dot segment in its path, `Host` as the first
/// field and the only one, and none of the fields the forwarder drops, replaces or acts
/// on (framing, hop-by-hop, `Upgrade`, `Expect`, `X-Forwarded-*`, `X-Real-IP`,
/// `X-Request-Id`). Anything else takes the general byte path (`HeadParser`).
struct PlainRequestHead {
    /// Offsets into the head's bytes.
    struct Field {
        var name: Range<Int>
        var value: Range<Int>
    }

    var method: Range<Int>
    var target: Range<Int>
    /// The first field: Host.
    var host: Range<Int>
    var isHEAD: Bool
    /// The head's length, blank line included.
    var length: Int

    /// Reads the head at the start of `bytes`, which ends at `end` (just past its blank
    /// line, `HeadParser.headEnd`); `fields` receives every field (reused across requests).
    /// Nil when the head is not plain.
    static func read(_ bytes: UnsafeRawBufferPointer, end: Int, fields: inout [Field]) -> PlainRequestHead? {
        fields.removeAll(keepingCapacity: true)
        var at = 0
        let isHEAD: Bool
        if HTTPBytes.matches(bytes, at, "GET ") { isHEAD = false; at += 4 } else if HTTPBytes.matches(bytes, at, "HEAD ") { isHEAD = true; at += 5 } else { return nil }
        let method = 0..<(at - 1)
        let targetStart = at
        guard at < end, bytes[at] == UInt8(ascii: "/") else { return nil }
        var inQuery = false, previous: UInt8 = 0
        while at < end, HeadParser.isVisibleASCII(bytes[at]) {
            let byte = bytes[at]
            if byte == UInt8(ascii: "?") { inQuery = true }
            // RequestTarget.withoutDotSegments would look closer at these.
            if !inQuery, byte == UInt8(ascii: "%") || (byte == UInt8(ascii: ".") && previous == UInt8(ascii: "/")) { return nil }
            previous = byte
            at += 1
        }
        let target = targetStart..<at
        guard HTTPBytes.matches(bytes, at, " HTTP/1.1\r\n") else { return nil }
        at += 11
        while !HTTPBytes.isLineEnd(bytes, at, end) {
            guard let (name, value) = HTTPBytes.field(bytes, at: &at, end: end) else { return nil }
            let isHost = name.count == 4 && HTTPBytes.equalsLowercased(bytes, name, "host")
            // Host first and only once; none of the fields the forwarder acts on.
            guard isHost == fields.isEmpty, !actedOn(bytes, name) else { return nil }
            fields.append(Field(name: name, value: value))
        }
        guard let host = fields.first?.value, !host.isEmpty,
              host.allSatisfy({ isHostByte(bytes[$0]) }) else { return nil }
        return PlainRequestHead(method: method, target: target, host: host, isHEAD: isHEAD, length: end)
    }

    /// The fields `RequestForwarder.upstreamHead` adds, in its order and spelling, as
    /// bytes: all but the Host and the request id are the connection's, so they are
    /// spelled once per connection rather than written piece by piece per request.
    struct ForwardingFields {
        /// From `x-forwarded-for` to the name of `x-forwarded-host`.
        let beforeHost: [UInt8]
        /// From the end of the host to the name of `x-request-id`.
        let afterHost: [UInt8]

        init(_ client: RequestForwarder.Client) {
            beforeHost = Array("x-forwarded-for: \(client.ip)\r\nx-forwarded-host: ".utf8)
            afterHost = Array(("\r\nx-forwarded-port: \(client.listenerPort)\r\nx-forwarded-proto: \(client.scheme)"
                + "\r\nx-real-ip: \(client.ip)\r\nx-request-id: ").utf8)
        }
    }

    /// The head the backend receives, written in one piece: the client's request line
    /// and fields as they are (`head` from its reader index), then `fields` with this
    /// request's Host and id.
    func forwarded(from head: ByteBuffer, fields: ForwardingFields, requestID: String, into out: inout ByteBuffer) {
        var requestID = requestID
        requestID.withUTF8 { id in
            head.withUnsafeReadableBytes { client in
                let host = UnsafeRawBufferPointer(rebasing: client[self.host])
                let count = length - 2 + fields.beforeHost.count + host.count + fields.afterHost.count + id.count + 4
                out.writeInOnePiece(count: count) { out in
                    out.put(UnsafeRawBufferPointer(rebasing: client[..<(length - 2)]))
                    fields.beforeHost.withUnsafeBytes { out.put($0) }
                    out.put(host)
                    fields.afterHost.withUnsafeBytes { out.put($0) }
                    out.put(UnsafeRawBufferPointer(id))
                    out.put("\r\n\r\n")
                }
            }
        }
    }

    /// Fields the forwarder drops, replaces or must act on besides the hop-by-hop ones
    /// (framing, the forwarding family) and the ones that send a request to the full
    /// pipeline (`Expect`; `Upgrade` is hop-by-hop).
    private static let actedOnNames: [StaticString] = [
        "content-length", "transfer-encoding", "expect", "x-forwarded-for", "x-forwarded-host", "x-forwarded-port", "x-forwarded-proto",
        "x-real-ip", "x-request-id",
    ]

    private static func actedOn(_ bytes: UnsafeRawBufferPointer, _ name: Range<Int>) -> Bool {
        HTTPBytes.isHopByHop(bytes, name) || HTTPBytes.equalsAny(bytes, name, actedOnNames)
    }

    /// `RequestTarget.isValidHost`, byte by byte.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        guard HeadParser.isVisibleASCII(byte) else { return false }
        switch byte {
        case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "@"), UInt8(ascii: "\""),
             UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "|"), UInt8(ascii: "^"),
             UInt8(ascii: "`"):
            return false
        default:
            return true
        }
    }
}
