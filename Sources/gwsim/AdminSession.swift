import Foundation
import GatewayAPI

/// The admin-API side of `gwsim apply` and `gwsim delete`: the client with its token, the
/// review gate, and the calls, their failures turned into messages and exit codes.
struct AdminSession {
    let url: String
    let client: AdminClient
    /// `gwsim apply` or `gwsim delete`, for messages.
    let command: String

    init(url: String, tokenFile: String?, command: String) throws {
        var token: String?
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile),
                  case let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                Terminal.error("error: --token-file \(tokenFile): cannot read a token")
                throw Exit.badInput
            }
            token = text
        }
        do { client = try AdminClient(url: url, token: token) } catch {
            Terminal.error("error: --admin \(error)")
            throw Exit.badInput
        }
        self.url = url
        self.command = command
    }

    /// `POST /review` of applying `body` (YAML) and removing `without`: prints the report;
    /// exit 1 (`Exit.checkFailed`) when a `--fail-on` gate trips, so nothing is changed.
    func review(body: String, without: [ObjectKey] = [], failOn: [String], window: String?) throws {
        var query = failOn.map { "fail-on=" + Self.percentEncode($0) }
        query += without.map { "without=" + Self.percentEncode($0.description) }
        if let window { query.append("window=" + Self.percentEncode(window)) }
        let response = try call("POST", "/review" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")), body: body)
        guard let value = try? Value.parseJSON(response.body) else {
            Terminal.error("error: the review answer is not JSON")
            throw Exit.badInput
        }
        Terminal.out(value["text"]?.stringValue ?? response.body)
        for warning in value["warnings"]?.arrayValue ?? [] { Terminal.error("warning: \(warning.stringValue ?? "")") }
        let tripped = (value["failOn"]?.arrayValue ?? []).filter { $0["tripped"]?.boolValue == true }
        for gate in tripped { Terminal.error("\(command): \(gate["explanation"]?.stringValue ?? "a gate tripped")") }
        if !tripped.isEmpty {
            Terminal.error("\(command): not applied (\(tripped.count) --fail-on gate\(tripped.count == 1 ? "" : "s") tripped)")
            throw Exit.checkFailed
        }
    }

    /// One call; anything but 200 is reported and exits 2.
    func call(_ method: String, _ target: String, body: String = "") throws -> AdminClient.Response {
        let response: AdminClient.Response
        do { response = try client.send(method, target, body: body) } catch {
            Terminal.error("error: \(error)")
            throw Exit.badInput
        }
        guard response.status == 200 else {
            Terminal.error("error: \(method) \(target): HTTP \(response.status): \(response.body)")
            throw Exit.badInput
        }
        return response
    }

    static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
