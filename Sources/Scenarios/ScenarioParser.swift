import EventLog
import Foundation
import Yams

/// Reads a scenario file (format: docs/scenarios.md) and checks every field, so that
/// `gwsim generate` fails early with `file:line: error: field: rule` rather than producing
/// a trace that silently differs from what was meant.
public enum ScenarioParser {
    /// Reads and parses `path`; relative manifest paths are resolved against its directory.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ScenarioError(file: path, "no such file") }
        if isDirectory.boolValue { throw ScenarioError(file: path, "is a directory: give a scenario file (scenarios/*.yaml)") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ScenarioError(file: path, "cannot read file") }
        // A trace or another binary file: say so rather than quote its bytes in a YAML error.
        if data.contains(0) || String(data: data, encoding: .utf8) == nil {
            throw ScenarioError(file: path, "is not a YAML scenario: it holds binary data (a trace?)")
        }
        return try parse(text: String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses scenario text. `file` names it in messages and is the base of relative paths;
    /// `checkPaths` (default on) rejects manifest paths that do not exist.
    public static func parse(text: String, file: String, checkPaths: Bool = true) throws(ScenarioError) -> Scenario {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw ScenarioError(file: file, line: 1, "the file is empty") }
            root = node
        } catch let error as ScenarioError {
            throw error
        } catch let error as YamlError {
            throw ScenarioError(file: file, line: yamlLine(error), "invalid YAML: \(yamlProblem(error))")
        } catch {
            throw ScenarioError(file: file, line: 1, "invalid YAML: \(error)")
        }
        let base = (file as NSString).deletingLastPathComponent
        let context = Context(base: base, checkPaths: checkPaths)
        let top = YAMLField(node: root, path: "", file: file, line: root.mark?.line ?? 1)
        let fields = try top.mapping(allowed: ["name", "description", "manifests", "candidate", "traffic", "changes"])

        guard fields.has("name") else { throw fields["name"].error("required field is missing") }
        let name = try fields["name"].nonEmptyString()
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }), name.allSatisfy(\.isASCII) else {
            throw fields["name"].error("must contain only ASCII letters, digits, '-', '_' and '.' (it is part of every request id)")
        }
        let description = fields.has("description") ? try fields["description"].string() : ""
        guard fields.has("manifests") else { throw fields["manifests"].error("required field is missing (the initial state)") }
        let manifests = try context.paths(fields["manifests"])
        guard !manifests.isEmpty else { throw fields["manifests"].error("must list at least one file or directory") }
        let candidate = fields.has("candidate") ? try context.paths(fields["candidate"]) : []
        guard fields.has("traffic") else { throw fields["traffic"].error("required field is missing") }
        let traffic = try TrafficParser.parse(fields["traffic"])
        let changes = fields.has("changes") ? try ChangesParser.parse(fields["changes"], start: traffic.startMicros, context: context) : []
        return Scenario(name: name, description: description, file: file, manifests: manifests, candidate: candidate,
                        traffic: traffic, changes: changes)
    }

    /// Resolves paths against the scenario's directory.
    struct Context {
        var base: String
        var checkPaths: Bool

        func paths(_ field: YAMLField) throws(ScenarioError) -> [String] {
            let items: [YAMLField]
            if let node = field.node, case .scalar = node { items = [field] } else { items = try field.sequence() }
            var result: [String] = []
            for item in items {
                let written = try item.nonEmptyString()
                let resolved = resolve(written)
                if checkPaths, !FileManager.default.fileExists(atPath: resolved) {
                    throw item.error("no such file or directory: \(resolved)")
                }
                result.append(resolved)
            }
            return result
        }

        func resolve(_ path: String) -> String {
            if path.hasPrefix("/") || base.isEmpty || base == "." { return path }
            return (base as NSString).appendingPathComponent(path)
        }
    }

    static func yamlLine(_ error: YamlError) -> Int {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): return mark.line
        case let .duplicatedKeysInMapping(_, context): return context.mark.line
        default: return 1
        }
    }

    static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case let .scanner(_, problem, _, _), let .parser(_, problem, _, _), let .composer(_, problem, _, _): return problem
        case let .duplicatedKeysInMapping(duplicates, _): return "duplicate key " + duplicates.map { "\($0)" }.joined(separator: ", ")
        default: return "\(error)"
        }
    }
}
