import NIOCore

/// One backend address the proxy connects to: an EndpointSlice address with its port,
/// an ExternalName host, or an explicit `--backend` override.
public struct Endpoint: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` or `[V6]:PORT`; nil when the port is missing or not 1...65535
    /// (0...65535 with `allowEphemeral`, for listen addresses).
    public init?(parsing text: String, allowEphemeral: Bool = false) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty, let port = Int(portPart), ((allowEphemeral ? 0 : 1)...65_535).contains(port) else { return nil }
        self.init(host: String(hostPart), port: port)
    }

    /// `host:port`, `[v6]:port` for IPv6 (the form event records use). Every recorded
    /// request asks for it, so the colon test stays on the UTF-8 bytes: `String.contains`
    /// with a string argument goes through Foundation's locale-aware search.
    public var description: String { host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public static func < (a: Endpoint, b: Endpoint) -> Bool { (a.host, a.port) < (b.host, b.port) }

    /// The peer of a client connection: its IP (`X-Forwarded-For`, `X-Real-IP`) and
    /// `ip:port` (the request record's `client`); empty when the channel has no address.
    static func client(of channel: any Channel) -> (ip: String, address: String) {
        guard let remote = channel.remoteAddress else { return ("", "") }
        let ip = remote.ipAddress ?? ""
        return (ip, Endpoint(host: ip, port: remote.port ?? 0).description)
    }
}
