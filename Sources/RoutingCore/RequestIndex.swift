import GatewayAPI

/// Header lookup by name, ASCII case-insensitive, without allocating. Repeated
/// headers are joined with "," (RFC 9110 5.3), which is what a header match sees.
struct HeaderIndex {
    let headers: [HTTPHeader]

    func value(_ name: String) -> String? {
        var result: String?
        for header in headers where header.name.asciiEqualsIgnoringCase(name) {
            result = result.map { $0 + "," + header.value } ?? header.value
        }
        return result
    }
}

/// Query parameters of a request path, read on demand (most requests meet no
/// query match), percent-decoded. When a parameter repeats, the first value
/// counts (httproute_types.go, HTTPQueryParamMatch leaves it to the
/// implementation; first is what Envoy does). Names compare exactly.
struct QueryIndex {
    let query: Substring?

    init(query: Substring?) { self.query = query }

    func value(_ name: String) -> String? {
        guard let query, !query.isEmpty else { return nil }
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let eq = item.firstIndex(of: "=")
            let rawName = eq.map { item[..<$0] } ?? item
            guard Self.decode(rawName) == name else { continue }
            return eq.map { Self.decode(item[item.index(after: $0)...]) } ?? ""
        }
        return nil
    }

    static func decode(_ text: Substring) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Splits `/path?query` into its two parts.
func splitPathAndQuery(_ target: String) -> (path: Substring, query: Substring?) {
    if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
        return (target[..<mark], target[target.utf8.index(after: mark)...])
    }
    return (target[...], nil)
}
