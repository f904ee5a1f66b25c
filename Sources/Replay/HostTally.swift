import RoutingCore

/// Requests per Host within one chunk, keyed by the Host's bytes as recorded.
///
/// Why not `[String: HostCounts]` per request: that costs a String (or an
/// interner lookup) and a SipHash of it for every request; here a request
/// costs one word-at-a-time hash and one compare, and each distinct Host
/// becomes a String once per chunk, in `add(to:)`.
struct HostTally {
    private struct Entry {
        var hash: UInt64
        var name: [UInt8]
        var counts: HostCounts
    }

    /// Open addressing: 0 is empty, else an index into `entries` plus one.
    private var slots = [Int32](repeating: 0, count: 64)
    private var entries: [Entry] = []

    @inline(__always)
    mutating func count(_ host: UnsafeBufferPointer<UInt8>, _ flags: PairFlags) {
        let hash = ByteHash.host(host)
        let mask = slots.count - 1
        var position = Int(truncatingIfNeeded: hash) & mask
        while slots[position] != 0 {
            let index = Int(slots[position]) - 1
            if entries[index].hash == hash, entries[index].name.elementsEqual(host) {
                HostCounts.count(&entries[index].counts, changed: flags.changed, newlyFailing: flags.newlyFailing)
                return
            }
            position = (position + 1) & mask
        }
        var counts = HostCounts()
        HostCounts.count(&counts, changed: flags.changed, newlyFailing: flags.newlyFailing)
        entries.append(Entry(hash: hash, name: Array(host), counts: counts))
        slots[position] = Int32(entries.count)
        if entries.count * 2 > slots.count { grow() }
    }

    /// Adds every Host's counts to `hosts`, in first-seen order.
    func add(to hosts: inout [String: HostCounts]) {
        for entry in entries {
            hosts[String(decoding: entry.name, as: UTF8.self), default: HostCounts()].absorb(entry.counts)
        }
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (index, entry) in entries.enumerated() {
            var position = Int(truncatingIfNeeded: entry.hash) & mask
            while slots[position] != 0 { position = (position + 1) & mask }
            slots[position] = Int32(index + 1)
        }
    }
}
