import GatewayAPI

/// Header lookup by lower-cased name. Repeated headers are joined with ","
/// (RFC 9110 5.3), which is what a header match sees.
struct HeaderIndex {
    let headers: [HTTPHeader]

    func value(_ lowerName: String) -> String? {
        var result: String?
        for header in headers where header.name.count == lowerName.count && header.name.lowercased() == lowerName {
            result = result.map { $0 + "," + header.value } ?? header.value
        }
        return result
    }
}

/// Query parameters of a request path, percent-decoded. When a parameter repeats,
/// the first value counts (httproute_types.go, HTTPQueryParamMatch: behaviour is
/// implementation-specific; first is what Envoy does).
struct QueryIndex {
    private let pairs: [(String, String)]

    init(query: Substring?) {
        guard let query, !query.isEmpty else { pairs = []; return }
        pairs = query.split(separator: "&").map { item in
            if let eq = item.firstIndex(of: "=") {
                return (Self.decode(item[..<eq]), Self.decode(item[item.index(after: eq)...]))
            }
            return (Self.decode(item), "")
        }
    }

    func value(_ name: String) -> String? { pairs.first { $0.0 == name }?.1 }

    static func decode(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
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
    if let mark = target.firstIndex(of: "?") {
        return (target[..<mark], target[target.index(after: mark)...])
    }
    return (target[...], nil)
}
