/// A backend's HTTP/1.1 response head that the byte path can pass on as it came
/// (`ResponseWriter.splicedHead`), read where it lies without building its fields: a final
/// status with a body (not 1xx, 204), its framing a single Content-Length or the chunked
/// coding alone, and no field `ResponseWriter.proxiedHead` would drop (hop-by-hop, so no
/// `Connection` either: the backend keeps the connection). Anything else is parsed in full
/// (`HeadParser.response`).
struct PlainResponseHead {
    var status: Int
    var framing: ResponseBodyFraming.Kind
    /// The backend set `X-Request-Id` itself (the proxy then adds none).
    var hasRequestID: Bool

    /// Reads the head at the start of `bytes`, which ends at `end`; nil when it is not plain.
    static func read(_ bytes: UnsafeRawBufferPointer, end: Int, requestMethod isHEAD: Bool) -> PlainResponseHead? {
        guard end >= 17, HTTPBytes.matches(bytes, 0, "HTTP/1.1 ") else { return nil }
        var status = 0
        for index in 9..<12 {
            let digit = bytes[index]
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            status = status * 10 + Int(digit - UInt8(ascii: "0"))
        }
        guard status >= 200, status != 204, status <= 599 else { return nil }
        var at = 12
        // The reason phrase, up to the line end.
        while at < end, HeadParser.isFieldValueByte(bytes[at]) { at += 1 }
        guard HTTPBytes.isLineEnd(bytes, at, end) else { return nil }
        at += 2
        var length: Int?
        var chunked = false
        var hasRequestID = false
        var fieldBytes = 0
        while !HTTPBytes.isLineEnd(bytes, at, end) {
            guard let (name, value) = HTTPBytes.field(bytes, at: &at, end: end),
                  !HTTPBytes.tabAfterFramingValue(bytes, name: name, value: value, lineEnd: at - 2) else { return nil }
            fieldBytes += name.count + value.count
            guard fieldBytes <= ProxyLimits.maxResponseFieldBytes else { return nil }
            switch name.count {
            case 14 where HTTPBytes.equalsLowercased(bytes, name, "content-length"):
                guard length == nil, !chunked, value.count > 0, value.count <= 18,
                      value.allSatisfy({ bytes[$0] >= UInt8(ascii: "0") && bytes[$0] <= UInt8(ascii: "9") }) else { return nil }
                length = value.reduce(0) { $0 * 10 + Int(bytes[$1] - UInt8(ascii: "0")) }
            case 17 where HTTPBytes.equalsLowercased(bytes, name, "transfer-encoding"):
                guard length == nil, !chunked, HTTPBytes.equalsLowercased(bytes, value, "chunked") else { return nil }
                chunked = true
            case 12 where HTTPBytes.equalsLowercased(bytes, name, "x-request-id"):
                hasRequestID = true
            default:
                if HTTPBytes.isHopByHop(bytes, name) { return nil }
            }
        }
        let framing: ResponseBodyFraming.Kind
        if isHEAD || status == 304 {
            framing = .none
        } else if chunked {
            framing = .chunked
        } else if let length {
            framing = .length(length)
        } else {
            return nil  // Delimited by the close: the full reading decides how to pass it on.
        }
        return PlainResponseHead(status: status, framing: framing, hasRequestID: hasRequestID)
    }
}
