import GatewayAPI
import XCTest
@testable import Conformance

/// RFC 7386 semantics, including its appendix examples, and the API server's
/// generation bump on spec changes.
final class MergePatchTests: XCTestCase {
    func json(_ text: String) -> Value { try! Value.parseJSON(text) }

    func check(_ target: String, _ patch: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(MergePatch.apply(json(patch), to: json(target)).toJSON(sortedKeys: true),
                       json(expected).toJSON(sortedKeys: true), file: file, line: line)
    }

    func testRFC7386Examples() {
        check(#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#)
        check(#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#)
        check(#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#)
        check(#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#)
        check(#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#)
        check(#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#)
        check(#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#)
        check(#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#)
        check(#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#)
        check(#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#)
        check(#"{"a":"foo"}"#, "null", "null")
        check(#"{"a":"foo"}"#, #""bar""#, #""bar""#)
        check(#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#)
        check(#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#)
        check(#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#)
    }

    func testKeepsKeyOrder() {
        let merged = MergePatch.apply(json(#"{"z":1,"a":{"y":1,"b":2}}"#), to: json(#"{"z":0,"a":{"y":0,"b":0},"m":3}"#))
        XCTAssertEqual(merged.toJSON(), #"{"z":1,"a":{"y":1,"b":2},"m":3}"#)
    }

    func testSpecChangeBumpsGeneration() {
        let object = json(#"{"kind":"Gateway","metadata":{"name":"gw","generation":3},"spec":{"listeners":[]}}"#)
        let patched = MergePatch.applyToObject(json(#"{"spec":{"listeners":[{"name":"http"}]}}"#), to: object)
        XCTAssertEqual(patched["metadata"]?["generation"]?.intValue, 4)
        let relabelled = MergePatch.applyToObject(json(#"{"metadata":{"labels":{"a":"b"}}}"#), to: object)
        XCTAssertEqual(relabelled["metadata"]?["generation"]?.intValue, 3)
        let fresh = MergePatch.applyToObject(json(#"{"spec":{"x":1}}"#), to: json(#"{"metadata":{"name":"n"},"spec":{}}"#))
        XCTAssertEqual(fresh["metadata"]?["generation"]?.intValue, 2)
    }

    func testPatchFromYAML() throws {
        let patch = try YAMLValue.parse("spec:\n  description: new\n  count: 2\n  flag: 'true'\n")
        let merged = MergePatch.apply(patch, to: json(#"{"spec":{"description":"old"}}"#))
        XCTAssertEqual(merged.toJSON(), #"{"spec":{"description":"new","count":2,"flag":"true"}}"#)
    }
}
