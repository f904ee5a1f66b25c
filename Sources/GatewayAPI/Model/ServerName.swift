/// The TLS server name a client sends for an HTTP authority (RFC 6066 §3): the
/// host without its port or trailing dot, in lower case. An IP literal gives none,
/// since a server name is a DNS hostname and never an address.
public enum ServerName {
    public static func forAuthority(_ authority: String) -> String? {
        if authority.hasPrefix("[") { return nil }
        var host = Substring(authority)
        if let colon = host.lastIndex(of: ":") { host = host[..<colon] }
        if host.hasSuffix(".") { host = host.dropLast() }
        if host.isEmpty || StringRule.isIP(String(host)) { return nil }
        return host.lowercased()
    }
}
