/// A string pattern from the CRD schemas (`+kubebuilder:validation:Pattern` or a
/// CEL `matches`), written as a predicate so that no regex engine is involved.
struct StringRule: Sendable {
    let check: @Sendable (String) -> Bool
    let message: String

    private static func isLower(_ c: UInt8) -> Bool { (0x61...0x7A).contains(c) }
    private static func isUpper(_ c: UInt8) -> Bool { (0x41...0x5A).contains(c) }
    private static func isDigit(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) }
    fileprivate static func isAlnum(_ c: UInt8) -> Bool { isLower(c) || isUpper(c) || isDigit(c) }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
    static func isDNSLabel(_ s: Substring) -> Bool {
        let b = Array(s.utf8)
        guard let f = b.first, let l = b.last, isLower(f) || isDigit(f), isLower(l) || isDigit(l) else { return false }
        return b.allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
    }

    /// Dot-separated DNS labels (RFC 1123 subdomain shape).
    static func isDNSSubdomain(_ s: Substring) -> Bool {
        !s.isEmpty && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isDNSLabel)
    }

    /// shared_types.go `Hostname`: an RFC 1123 subdomain with an optional leading `*.`.
    static let hostname = StringRule(check: { s in
        s.hasPrefix("*.") ? isDNSSubdomain(s.dropFirst(2)) : isDNSSubdomain(Substring(s))
    }, message: "must be a lowercase RFC 1123 hostname; a wildcard is allowed only as a leading \"*.\" label")

    /// shared_types.go `PreciseHostname`, `SectionName`: no wildcard.
    static let preciseHostname = StringRule(check: { isDNSSubdomain(Substring($0)) },
        message: "must be a lowercase RFC 1123 subdomain (lowercase letters, digits, '-' and '.')")

    /// shared_types.go `Namespace`: an RFC 1123 label.
    static let dnsLabel = StringRule(check: { isDNSLabel(Substring($0)) },
        message: "must be a lowercase RFC 1123 label (lowercase letters, digits and '-', starting and ending with an alphanumeric)")

    /// Service names are RFC 1035 labels: they must start with a letter.
    static let dns1035Label = StringRule(check: { s in
        isDNSLabel(Substring(s)) && s.utf8.first.map(isLower) == true
    }, message: "must be a lowercase RFC 1035 label (starting with a letter)")

    /// shared_types.go `Group`: empty or an RFC 1123 subdomain.
    static let group = StringRule(check: { $0.isEmpty || isDNSSubdomain(Substring($0)) },
        message: "must be empty or a lowercase RFC 1123 subdomain")

    /// shared_types.go `Kind`: `^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`.
    static let kind = StringRule(check: { s in
        let b = Array(s.utf8)
        guard let f = b.first, let l = b.last, isLower(f) || isUpper(f), isAlnum(l) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") }
    }, message: "must start with a letter and contain only letters, digits and '-'")

    /// shared_types.go `HeaderName`: HTTP token characters.
    static let headerName = StringRule(check: HTTPToken.isValid, message: "must be a valid HTTP header name (token characters only)")

    /// shared_types.go `GatewayController`: `domain/path`.
    static let controllerName = StringRule(check: { s in
        guard let slash = s.firstIndex(of: "/") else { return false }
        let path = s[s.index(after: slash)...]
        return isDNSSubdomain(s[..<slash]) && !path.isEmpty && path.utf8.allSatisfy { isAlnum($0) || "/-._~%!$&'()*+,;=:".utf8.contains($0) }
    }, message: "must be a domain-prefixed path, such as example.com/bar")

    /// gateway_types.go `AddressType`: one of the core types, or a domain-prefixed one.
    static let addressType = StringRule(check: { ["IPAddress", "Hostname", "NamedAddress"].contains($0) || controllerName.check($0) },
        message: "must be IPAddress, Hostname, NamedAddress or a domain-prefixed type such as example.com/bar")

    /// gateway_types.go `ProtocolType`: a name, or a domain-prefixed name.
    static let protocolType = StringRule(check: { s in
        let b = Array(s.utf8)
        if let f = b.first, let l = b.last, isAlnum(f), isAlnum(l), b.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") }) { return true }
        guard let slash = s.lastIndex(of: "/") else { return false }
        let tail = s[s.index(after: slash)...]
        return !tail.isEmpty && tail.utf8.allSatisfy(isAlnum) && isDNSSubdomain(s[..<slash])
    }, message: "must be a protocol name such as HTTP, or a domain-prefixed protocol")

    /// httproute_types.go HTTPPathMatch CEL: the characters an absolute path may hold
    /// (`[-A-Za-z0-9/._~!$&'()*+,;=:@]` or a `%XX` escape).
    static let pathCharacters = StringRule(check: { s in
        let b = Array(s.utf8)
        guard !b.isEmpty else { return false }
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%") {
                guard i + 2 < b.count, isHex(b[i + 1]), isHex(b[i + 2]) else { return false }
                i += 3
                continue
            }
            guard isAlnum(b[i]) || "-/._~!$&'()*+,;=:@".utf8.contains(b[i]) else { return false }
            i += 1
        }
        return true
    }, message: "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$)")

    static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (0x61...0x66).contains(c) || (0x41...0x46).contains(c) }

    /// shared_types.go `CORSOrigin`: `*`, or `http(s)://host[:port]` with an optional leading `*.`.
    static let corsOrigin = StringRule(check: { s in
        if s == "*" { return true }
        var rest: Substring
        if s.hasPrefix("https://") { rest = s.dropFirst(8) } else if s.hasPrefix("http://") { rest = s.dropFirst(7) } else { return false }
        if let colon = rest.lastIndex(of: ":") {
            let port = rest[rest.index(after: colon)...]
            guard (1...5).contains(port.count), port.utf8.allSatisfy(isDigit) else { return false }
            rest = rest[..<colon]
        }
        if rest == "*" { return true }
        if rest.hasPrefix("*.") { rest = rest.dropFirst(2) }
        let labels = rest.split(separator: ".", omittingEmptySubsequences: false)
        return !labels.isEmpty && labels.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") } }
    }, message: "must be \"*\" or an http(s) origin such as https://example.com:8443")

    /// grpcroute_types.go GRPCMethodMatch CEL: `^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$`.
    static let grpcService = StringRule(check: { s in
        var body = Substring(s)
        if body.hasPrefix(".") { body = body.dropFirst() }
        return body.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            guard let f = part.utf8.first, isLower(f) || isUpper(f) || f == UInt8(ascii: "_") else { return false }
            return part.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") }
        }
    }, message: "must only contain valid characters (matching ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)")

    /// grpcroute_types.go GRPCMethodMatch CEL: `^[A-Za-z_][A-Za-z_0-9]*$`.
    static let grpcMethod = StringRule(check: { s in
        guard let f = s.utf8.first, isLower(f) || isUpper(f) || f == UInt8(ascii: "_") else { return false }
        return s.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") }
    }, message: "must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)")

    /// Kubernetes label/annotation keys: optional DNS prefix, then a 1..63 name.
    static let labelKey = StringRule(check: { s in
        var name = Substring(s)
        if let slash = s.firstIndex(of: "/") {
            let prefix = s[..<slash]
            guard prefix.count <= 253, isDNSSubdomain(prefix) else { return false }
            name = s[s.index(after: slash)...]
        }
        let b = Array(name.utf8)
        guard (1...63).contains(b.count), let f = b.first, let l = b.last, isAlnum(f), isAlnum(l) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }, message: "must be an optional DNS subdomain prefix and '/', followed by a name of up to 63 characters")

    /// Kubernetes label values: empty, or up to 63 alphanumerics, '-', '_', '.', alphanumeric at both ends.
    static let labelValue = StringRule(check: { s in
        let b = Array(s.utf8)
        if b.isEmpty { return true }
        guard b.count <= 63, let f = b.first, let l = b.last, isAlnum(f), isAlnum(l) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }, message: "must be 63 characters or less, alphanumeric at both ends, with '-', '_' or '.' between")

    /// True for an IPv4 or (roughly) IPv6 literal: CEL `isIP`.
    static func isIP(_ s: String) -> Bool {
        if IPAddress(s)?.isIPv4 == true { return true }
        return s.contains(":") && s.utf8.allSatisfy { isHex($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
    }
}

/// RFC 9110 §5.6.2 `token`: what an HTTP method or header field name is made of.
public enum HTTPToken {
    /// Characters a token may hold besides ASCII letters and digits.
    public static let symbols = "!#$%&'*+-.^_`|~"

    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { StringRule.isAlnum($0) || symbols.utf8.contains($0) }
    }
}
