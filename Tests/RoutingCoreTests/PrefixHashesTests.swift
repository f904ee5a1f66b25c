@testable import RoutingCore
import Testing

/// `PrefixHashes.candidates` against the PathPrefix keys spelled out one by one: every
/// path over `/ab` up to 7 bytes, with every mask of depths 0-3 and masks that reach past
/// them, so that the walk's early stop (past the deepest depth a virtual host has) is
/// held to what the whole walk gives.
struct PrefixHashesTests {
    static func paths(upTo length: Int) -> [[UInt8]] {
        var all: [[UInt8]] = [[]]
        var level: [[UInt8]] = [[]]
        for _ in 0..<length {
            level = level.flatMap { path in Array("/ab".utf8).map { path + [$0] } }
            all += level
        }
        return all
    }

    /// The keys by definition: each prefix that ends before a `/` (not the first byte),
    /// and the whole path unless it ends with `/` or is one byte, longest first, with its
    /// depth (the slashes in it); then `/` itself at depth 0.
    static func expected(_ path: [UInt8], depths: UInt64) -> [UInt64] {
        func wanted(_ depth: Int) -> Bool { depths & (1 << UInt64(min(63, depth))) != 0 }
        var keys: [(length: Int, hash: UInt64)] = []
        for end in path.indices where end > 0 && path[end] == UInt8(ascii: "/") {
            let prefix = path[..<end]
            if wanted(prefix.filter { $0 == UInt8(ascii: "/") }.count) { keys.append((end, ByteHash.of(prefix))) }
        }
        if path.count > 1, path.last != UInt8(ascii: "/"), wanted(path.filter { $0 == UInt8(ascii: "/") }.count) {
            keys.append((path.count, ByteHash.of(path)))
        }
        var hashes = keys.sorted { $0.length > $1.length }.map(\.hash)
        if wanted(0) { hashes.append(ByteHash.of("/")) }
        return hashes
    }

    @Test func candidatesAreTheKeysOfTheDepthsAsked() {
        let masks: [UInt64] = Array(1...15) + [1 << 5, 1 << 63, (1 << 63) | 2, PrefixHashes.everyDepth]
        for path in Self.paths(upTo: 7) {
            for depths in masks {
                let capacity = PrefixHashes.capacity(path)
                let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
                defer { buffer.deallocate() }
                guard let (count, pathHash) = PrefixHashes.candidates(path, depths: depths, into: buffer, capacity: capacity) else {
                    Issue.record("no room for \(String(decoding: path, as: UTF8.self)) within capacity(bytes)")
                    continue
                }
                let found = Array(UnsafeBufferPointer(start: buffer, count: count))
                #expect(found == Self.expected(path, depths: depths), "\(String(decoding: path, as: UTF8.self)) depths \(depths)")
                // The whole path's hash, unless the walk stopped before its end.
                if let pathHash { #expect(pathHash == ByteHash.of(path)) }
                let deepest = depths >> 63 != 0 ? Int.max : 63 - depths.leadingZeroBitCount
                #expect((pathHash == nil) == (path.filter { $0 == UInt8(ascii: "/") }.count > deepest))
                // The first hit is the longest key the lookup knows.
                if let longest = found.first {
                    #expect(PrefixHashes.firstHit(path, depths: depths) { $0 == longest ? $0 : nil } == longest)
                }
            }
        }
    }
}
