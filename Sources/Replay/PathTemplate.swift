/// Path templates for grouping changed requests: the query string is dropped
/// and identifier-like segments (numbers, UUIDs, long hex strings) become `{id}`:
/// `/api/items/42?page=2` -> `/api/items/{id}`.
public enum PathTemplate {
    public static func of(_ path: String) -> String {
        var path = path
        var out: [UInt8] = []
        path.withUTF8 { append($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The template of `path`'s bytes, appended to `out`.
    static func append(_ path: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let count = path.firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? path.count
        var start = 0
        while start <= count {
            var end = start
            while end < count, path[end] != UInt8(ascii: "/") { end += 1 }
            let segment = UnsafeBufferPointer(rebasing: path[start..<end])
            if isIdentifier(segment) { out.append(contentsOf: "{id}".utf8) } else { out.append(contentsOf: segment) }
            if end < count { out.append(UInt8(ascii: "/")) }
            start = end + 1
        }
    }

    static func isIdentifier(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !s.isEmpty else { return false }
        if s.allSatisfy(isDigit) { return true }
        if s.count == 36 {
            var ok = true
            for (i, byte) in s.enumerated() {
                if [8, 13, 18, 23].contains(i) { if byte != UInt8(ascii: "-") { ok = false; break } }
                else if !isHex(byte) { ok = false; break }
            }
            if ok { return true }
        }
        return s.count >= 16 && s.allSatisfy(isHex) && s.contains(where: isDigit)
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b >= 97 && b <= 102) || (b >= 65 && b <= 70) }
}
