import Foundation
import GatewayAPI
import NIOHTTP1

/// What a request asks of the echo backend beyond echoing, in the terms the upstream
/// conformance suite's echo backend (echo-basic) understands them:
/// - `X-Echo-Set-Header: Name:value,Other:value` sets response headers
///   (conformance/utils/http MakeRequest, for `BackendSetResponseHeaders`);
/// - `?delay=1s` answers after that duration (Gateway API duration syntax), the
///   HTTPRouteTimeoutRequest / HTTPRouteTimeoutBackendRequest probes;
/// - `?responseCode=N&succeedAfter=K&uuid=U` answers N to the first K requests carrying
///   that uuid and echoes normally after (every time without `succeedAfter`), the
///   HTTPRouteRetry probes, which count on the gateway to retry within its budget.
struct WhoamiEchoControls: Equatable {
    var setHeaders: [(name: String, value: String)] = []
    var delaySeconds: Double?
    var responseCode: Int?
    var succeedAfter: Int?
    var uuid: String?

    static let setHeaderName = "x-echo-set-header"

    init(head: HTTPRequestHead) {
        for value in head.headers[Self.setHeaderName] {
            for pair in value.split(separator: ",") {
                guard let colon = pair.firstIndex(of: ":") else { continue }
                let name = pair[..<colon].trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else { continue }
                setHeaders.append((name, pair[pair.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        for (name, value) in Self.query(head.uri) {
            switch name {
            case "delay": delaySeconds = GatewayDuration.seconds(value)
            case "responseCode": responseCode = Int(value).flatMap { (100...599).contains($0) ? $0 : nil }
            case "succeedAfter": succeedAfter = Int(value).map { max(0, $0) }
            case "uuid": uuid = value
            default: continue
            }
        }
    }

    /// The status to answer with, given how many requests with this uuid came before.
    func status(previousAttempts: Int) -> Int? {
        guard let responseCode else { return nil }
        guard let succeedAfter else { return responseCode }
        return previousAttempts < succeedAfter ? responseCode : nil
    }

    /// The key the attempts of one probe are counted under.
    var attemptKey: String? { responseCode == nil ? nil : (uuid ?? "") }

    /// `name=value` pairs of the query string, percent-decoded.
    static func query(_ uri: String) -> [(String, String)] {
        guard let mark = uri.firstIndex(of: "?") else { return [] }
        return uri[uri.index(after: mark)...].split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text) }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func == (a: Self, b: Self) -> Bool {
        a.setHeaders.map { "\($0.name):\($0.value)" } == b.setHeaders.map { "\($0.name):\($0.value)" } && a.delaySeconds == b.delaySeconds
            && a.responseCode == b.responseCode && a.succeedAfter == b.succeedAfter && a.uuid == b.uuid
    }
}
