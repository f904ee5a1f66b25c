import EventLog
import RoutingCore

/// Requests per Host within one chunk, keyed by the Host's bytes as recorded.
///
/// Why not `[String: HostCounts]` per request: that costs a String (or an
/// interner lookup) and a SipHash of it for every request; here a request
/// costs one word-at-a-time hash and one compare, and each distinct Host
/// becomes a String once per chunk, in `add(to:)`. The Hosts' bytes lie side
/// by side in one array rather than in an array each: the compare then reads
/// memory a chunk keeps touching instead of one allocation per Host.
struct HostTally {
    private struct Entry {
        /// The Host's bytes in `names`.
        var start: Int
        var count: Int
        var counts: HostCounts
    }

    private var slots = EntrySlots()
    private var entries: [Entry] = []
    private var names: [UInt8] = []

    /// Counts a request to `host`, whose `ByteHash.host` is `hash` (the routing
    /// lookup's too: the caller hashes the Host once for both).
    @inline(__always)
    mutating func count(_ host: UnsafeBufferPointer<UInt8>, hash: UInt64, _ flags: PairFlags) {
        let (found, slot) = slots.find(hash) { name(of: entries[$0], equals: host) }
        if let found {
            HostCounts.count(&entries[found].counts, changed: flags.changed, newlyFailing: flags.newlyFailing)
            return
        }
        var counts = HostCounts()
        HostCounts.count(&counts, changed: flags.changed, newlyFailing: flags.newlyFailing)
        entries.append(Entry(start: names.count, count: host.count, counts: counts))
        names.append(contentsOf: host)
        slots.add(hash: hash, at: slot)
    }

    /// Byte equality (`elementsEqual` here was 2.5 % of a replay's samples).
    @inline(__always)
    private func name(of entry: Entry, equals host: UnsafeBufferPointer<UInt8>) -> Bool {
        entry.count == host.count && names.withUnsafeBufferPointer { Bytes.equal(UnsafeBufferPointer(rebasing: $0[entry.start..<(entry.start + entry.count)]), host) }
    }

    /// Adds every Host's counts to `hosts`, in first-seen order.
    func add(to hosts: inout [String: HostCounts]) {
        for entry in entries {
            hosts[String(decoding: names[entry.start..<(entry.start + entry.count)], as: UTF8.self), default: HostCounts()].absorb(entry.counts)
        }
    }
}
