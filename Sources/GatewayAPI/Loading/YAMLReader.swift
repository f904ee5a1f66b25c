import Yams

/// One parsed document of a YAML/JSON stream: its value, the lines of its fields
/// and the line where it starts.
struct ParsedDocument {
    var value: Value
    var lines: LineMap
    var line: Int
}

/// Turns YAML/JSON text into `Value`s with line numbers, one document at a time.
///
/// The stream is split at `---` lines before parsing, so a syntax error in one
/// document (reported with its line) does not lose the documents after it:
/// libyaml stops at the first error of a stream.
enum YAMLReader {
    /// Alias expansion ("billion laughs") can turn a small text into a huge tree.
    static let maxNodes = 1_000_000
    /// Yams composes recursively; keep nesting well inside the thread's stack.
    static let maxDepth = 512

    struct Failure: Error {
        var line: Int
        var message: String
    }

    /// Parses every document; failures are returned in place of their document.
    static func read(_ text: String) -> [Result<ParsedDocument, Failure>] {
        var results: [Result<ParsedDocument, Failure>] = []
        for chunk in splitDocuments(text) {
            if let failure = nestingProblem(chunk.text, firstLine: chunk.firstLine) {
                results.append(.failure(failure))
                continue
            }
            do {
                guard let node = try Yams.compose(yaml: chunk.text) else { continue }
                var builder = Builder(lineOffset: chunk.firstLine - 1)
                let value = try builder.convert(node, path: "", depth: 0)
                if case .null = value { continue }
                let line = (node.mark?.line ?? 1) + chunk.firstLine - 1
                results.append(.success(ParsedDocument(value: value, lines: LineMap(lines: builder.lines), line: line)))
            } catch let failure as Failure {
                results.append(.failure(failure))
            } catch {
                // JSON that libyaml rejects (tabs in odd places, ...) still gets a chance.
                let trimmed = chunk.text.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
                if trimmed.first == "{" || trimmed.first == "[", let value = try? Value.parseJSON(chunk.text) {
                    results.append(.success(ParsedDocument(value: value, lines: LineMap(), line: chunk.firstLine)))
                    continue
                }
                results.append(.failure(describe(error, lineOffset: chunk.firstLine - 1)))
            }
        }
        return results
    }

    /// Splits at lines starting with `---` (a document marker at column 0 is never
    /// content: block scalars are indented). Each chunk keeps its marker line.
    static func splitDocuments(_ text: String) -> [(text: String, firstLine: Int)] {
        var chunks: [(String, Int)] = []
        var current: [Substring] = []
        var start = 1
        var lineNo = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let isMarker = line.hasPrefix("---") && (line.count == 3 || line.dropFirst(3).first.map { $0 == " " || $0 == "\t" || $0 == "\r" } == true)
            if isMarker, !current.isEmpty {
                chunks.append((current.joined(separator: "\n"), start))
                current = []
                start = lineNo
            }
            current.append(line)
        }
        if !current.isEmpty { chunks.append((current.joined(separator: "\n"), start)) }
        return chunks
    }

    /// A cheap pre-scan for nesting that would exhaust the stack in the composer:
    /// flow brackets outside quotes, and indentation/compact `- - -` prefixes.
    static func nestingProblem(_ text: String, firstLine: Int) -> Failure? {
        var depth = 0
        var line = firstLine
        var quote: Character? = nil
        var atLineStart = true
        var prefix = 0
        for c in text {
            if c == "\n" { line += 1; atLineStart = true; prefix = 0; continue }
            if atLineStart {
                if c == " " || c == "-" || c == "\t" {
                    prefix += 1
                    if prefix > maxDepth * 4 { return Failure(line: line, message: "nesting too deep") }
                } else { atLineStart = false }
            }
            if let q = quote {
                if c == q { quote = nil }
                continue
            }
            switch c {
            case "\"": quote = "\""
            case "[", "{":
                depth += 1
                if depth > maxDepth { return Failure(line: line, message: "nesting too deep (more than \(maxDepth) levels)") }
            case "]", "}": depth = max(0, depth - 1)
            case "#": break
            default: break
            }
        }
        return nil
    }

    static func describe(_ error: Error, lineOffset: Int) -> Failure {
        guard let y = error as? YamlError else { return Failure(line: lineOffset + 1, message: "\(error)") }
        switch y {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let what = context.map { "\($0.text) at line \($0.mark.line + lineOffset): " } ?? ""
            return Failure(line: mark.line + lineOffset, message: "invalid YAML: \(what)\(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return Failure(line: context.mark.line + lineOffset, message: "invalid YAML: duplicate key \(duplicates.joined(separator: ", "))")
        case let .reader(problem, offset, _, yaml):
            var line = lineOffset + 1
            if let offset { line += yaml.utf8.prefix(max(0, offset)).filter { $0 == 0x0A }.count }
            return Failure(line: line, message: "invalid YAML: \(problem)")
        default:
            return Failure(line: lineOffset + 1, message: "invalid YAML: \(y)")
        }
    }

    /// Node -> Value, recording each field's line under its JSON path.
    struct Builder {
        var lineOffset: Int
        var lines: [String: Int] = [:]
        var count = 0

        init(lineOffset: Int) { self.lineOffset = lineOffset }

        mutating func convert(_ node: Node, path: String, depth: Int, keyLine: Int? = nil) throws -> Value {
            count += 1
            let line = keyLine ?? ((node.mark?.line ?? 0) + lineOffset)
            guard count <= YAMLReader.maxNodes else { throw Failure(line: line, message: "document too large (more than \(YAMLReader.maxNodes) values after alias expansion)") }
            guard depth <= YAMLReader.maxDepth else { throw Failure(line: line, message: "nesting too deep") }
            if lines[path] == nil { lines[path] = line }
            switch node {
            case .scalar(let s):
                if s.style == .plain || s.style == .any {
                    let tag = s.tag.description
                    if tag == "tag:yaml.org,2002:str" || tag == "!!str" { return .string(s.string) }
                    return YAMLReader.resolvePlain(s.string)
                }
                return .string(s.string)
            case .sequence(let seq):
                var items: [Value] = []
                items.reserveCapacity(seq.count)
                for (i, item) in seq.enumerated() {
                    items.append(try convert(item, path: "\(path)[\(i)]", depth: depth + 1))
                }
                return .array(items)
            case .mapping(let map):
                var pairs: [(String, Value)] = []
                for (k, v) in map {
                    let key: String
                    switch k {
                    case .scalar(let ks): key = ks.string
                    default: throw Failure(line: (k.mark?.line ?? 0) + lineOffset, message: "invalid YAML: mapping keys must be scalars")
                    }
                    if key == "<<", case .mapping(let merged) = v {
                        // YAML merge key: copy entries not already present.
                        for (mk, mv) in merged {
                            guard case .scalar(let mks) = mk, !pairs.contains(where: { $0.0 == mks.string }) else { continue }
                            let childPath = path.isEmpty ? mks.string : "\(path).\(mks.string)"
                            pairs.append((mks.string, try convert(mv, path: childPath, depth: depth + 1)))
                        }
                        continue
                    }
                    let childPath = path.isEmpty ? key : "\(path).\(key)"
                    let kLine = (k.mark?.line).map { $0 + lineOffset }
                    pairs.append((key, try convert(v, path: childPath, depth: depth + 1, keyLine: kLine)))
                }
                return .object(pairs)
            case .alias:
                return .null
            }
        }
    }

    /// YAML 1.1 core resolution of a plain scalar, as Kubernetes' YAML reader does it.
    static func resolvePlain(_ s: String) -> Value {
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return .bool(true)
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        guard let first = s.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".") || (0x30...0x39).contains(first) else {
            return .string(s)
        }
        var body = Substring(s)
        var negative = false
        if body.first == "-" || body.first == "+" { negative = body.first == "-"; body = body.dropFirst() }
        if body.hasPrefix("0x"), body.count > 2, let v = UInt64(body.dropFirst(2), radix: 16) {
            return integer(v, negative: negative)
        }
        if body.hasPrefix("0o"), body.count > 2, let v = UInt64(body.dropFirst(2), radix: 8) {
            return integer(v, negative: negative)
        }
        if !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }) {
            if let v = UInt64(body) { return integer(v, negative: negative) }
            return .double((negative ? -1 : 1) * (Double(body) ?? .infinity))
        }
        let floatChars = body.allSatisfy { ($0.isASCII && $0.isNumber) || $0 == "." || $0 == "e" || $0 == "E" || $0 == "-" || $0 == "+" }
        if floatChars, body.contains(where: { $0.isNumber }), body.filter({ $0 == "." }).count <= 1, let d = Double(s) {
            return .double(d)
        }
        return .string(s)
    }

    private static func integer(_ magnitude: UInt64, negative: Bool) -> Value {
        if negative {
            if magnitude <= UInt64(Int.max) { return .int(-Int(magnitude)) }
            if magnitude == UInt64(Int.max) + 1 { return .int(Int.min) }
            return .double(-Double(magnitude))
        }
        if let i = Int(exactly: magnitude) { return .int(i) }
        return .double(Double(magnitude))
    }
}
