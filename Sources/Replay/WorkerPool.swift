import EventLog
import Foundation

/// A fixed set of threads routing chunks. The reading thread submits jobs and
/// takes results back strictly in submission order (merging them itself), and
/// never has more than `maxOutstanding` chunks in flight, so memory stays flat
/// however long the trace is.
final class WorkerPool: @unchecked Sendable {
    private let condition = NSCondition()
    /// Jobs not yet taken from `queueHead` on; a taken job's slot is emptied at
    /// once, so a finished chunk's requests are not kept until the queue compacts.
    private var queue: [Job?] = []
    private var queueHead = 0
    private var done: [Int: Aggregate] = [:]
    private var nextResult = 0
    private var outstanding = 0
    private var stopping = false
    private var running = 0
    /// Buffers of routed chunks, for the reading thread to fill again (the line
    /// buffers are the reader's, to recycle once no other chunk holds them).
    private var spare: [(requests: [PendingRequest], lineBuffers: [LineBuffer])] = []
    private let maxOutstanding: Int
    private let settings: ChunkSettings
    /// Each thread's outcome combinations, handed over as it stops.
    private var stoppedTallies: [ComboTally] = []

    init(threads: Int, settings: ChunkSettings) {
        self.settings = settings
        maxOutstanding = threads * 3
        running = threads
        for _ in 0..<threads {
            let thread = Thread { [self] in self.work() }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private func work() {
        let memo = PairMemo()
        let tally = ComboTally()
        condition.lock()
        while true {
            while queueHead == queue.count, !stopping { condition.wait() }
            if queueHead == queue.count { break }
            var job = queue[queueHead]!
            queue[queueHead] = nil
            queueHead += 1
            if queueHead > 64, queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            condition.unlock()
            let result = ChunkProcessor.process(job, settings: settings, memo: memo, tally: tally)
            job.requests.removeAll(keepingCapacity: true)
            condition.lock()
            done[job.index] = result
            if spare.count < maxOutstanding { spare.append((job.requests, job.lineBuffers)) }
            condition.broadcast()
        }
        running -= 1
        stoppedTallies.append(tally)
        condition.broadcast()
        condition.unlock()
    }

    /// Queues `job`; merges (through `merge`, on this thread, in order) every
    /// result that is ready, waiting while too many chunks are in flight.
    func submit(_ job: Job, merge: (Aggregate) -> Void) {
        condition.lock()
        queue.append(job)
        outstanding += 1
        condition.broadcast()
        drain(until: maxOutstanding - 1, merge: merge)
        condition.unlock()
    }

    /// The buffers of a routed chunk, if one is spare: filling them again
    /// spares the page faults of a fresh multi-megabyte allocation per chunk.
    func spareBuffers() -> (requests: [PendingRequest], lineBuffers: [LineBuffer])? {
        condition.lock()
        defer { condition.unlock() }
        return spare.popLast()
    }

    /// Merges every remaining result in order, stops the threads, and returns their tallies.
    @discardableResult
    func finish(merge: (Aggregate) -> Void) -> [ComboTally] {
        condition.lock()
        defer { condition.unlock() }
        drain(until: 0, merge: merge)
        stopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        return stoppedTallies
    }

    /// Called with the lock held.
    private func drain(until limit: Int, merge: (Aggregate) -> Void) {
        while true {
            while let result = done.removeValue(forKey: nextResult) {
                nextResult += 1
                outstanding -= 1
                condition.unlock()
                merge(result)
                condition.lock()
            }
            if outstanding <= limit { return }
            condition.wait()
        }
    }
}
