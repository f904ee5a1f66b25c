/// The limits of a RegularExpression match value, in one place.
enum RegexLimits {
    /// RE2's own limit on `{n,m}` counts.
    static let maxRepeatCount = 1_000
    /// Instructions of a compiled pattern: bounds the work per input scalar.
    static let maxInstructions = 20_000
    static let maxNesting = 100
}

/// A RegularExpression compiled to a Thompson automaton and matched by
/// simulating every thread at once (RE2's approach), so that matching takes time
/// linear in the input whatever the pattern: a route author's `(a*)*b` cannot
/// make one request take minutes. Only whole matches are asked for (Envoy's RE2
/// full match), so there are no captures and laziness does not matter.
struct RegexProgram: Sendable {
    enum Instruction: Sendable, Equatable {
        /// Consumes one scalar of `sets[index]`.
        case scalar(Int)
        case split(Int, Int)
        case jump(Int)
        case assertion(RegexAssertion)
        case match
    }

    let instructions: [Instruction]
    let sets: [ScalarSet]

    init(_ pattern: String) throws {
        var compiler = Compiler()
        try compiler.emit(try RegexParser.parse(pattern))
        try compiler.append(.match)
        instructions = compiler.instructions
        sets = compiler.sets
    }

    private struct Compiler {
        var instructions: [Instruction] = []
        var sets: [ScalarSet] = []

        mutating func append(_ instruction: Instruction) throws {
            guard instructions.count < RegexLimits.maxInstructions else {
                throw RegexSyntaxError("pattern too large: over \(RegexLimits.maxInstructions) instructions once its repeats are expanded")
            }
            instructions.append(instruction)
        }

        mutating func emit(_ node: RegexNode) throws {
            switch node {
            case .empty:
                break
            case .scalars(let set):
                sets.append(set)
                try append(.scalar(sets.count - 1))
            case .assertion(let assertion):
                try append(.assertion(assertion))
            case .concat(let items):
                for item in items { try emit(item) }
            case .alternate(let branches):
                // split(first, next split) ... each branch then jumps past the last one.
                var jumps: [Int] = []
                for (index, branch) in branches.enumerated() {
                    if index < branches.count - 1 {
                        let split = instructions.count
                        try append(.split(split + 1, -1))
                        try emit(branch)
                        jumps.append(instructions.count)
                        try append(.jump(-1))
                        instructions[split] = .split(split + 1, instructions.count)
                    } else {
                        try emit(branch)
                    }
                }
                for jump in jumps { instructions[jump] = .jump(instructions.count) }
            case .repetition(let body, let min, let max):
                for _ in 0..<min { try emit(body) }
                if let max {
                    // Nested optionals: each split may skip to the end.
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(instructions.count)
                        try append(.split(instructions.count + 1, -1))
                        try emit(body)
                    }
                    for split in splits { instructions[split] = .split(split + 1, instructions.count) }
                } else {
                    let loop = instructions.count
                    try append(.split(loop + 1, -1))
                    try emit(body)
                    try append(.jump(loop))
                    instructions[loop] = .split(loop + 1, instructions.count)
                }
            }
        }
    }

    /// Whether the pattern matches the whole of `value`.
    func matchesWhole(_ value: String) -> Bool {
        var current = ThreadList(capacity: instructions.count)
        var next = ThreadList(capacity: instructions.count)
        var stack: [Int] = []
        var scalars = value.unicodeScalars.makeIterator()
        var previous: UInt32?
        var upcoming = scalars.next()?.value
        add(0, to: &current, previous: previous, next: upcoming, stack: &stack)
        while let scalar = upcoming, !current.isEmpty {
            let following = scalars.next()?.value
            next.clear()
            for pc in current.items {
                if case .scalar(let index) = instructions[pc], sets[index].contains(scalar) {
                    add(pc + 1, to: &next, previous: scalar, next: following, stack: &stack)
                }
            }
            swap(&current, &next)
            previous = scalar
            upcoming = following
        }
        return upcoming == nil && current.items.contains { instructions[$0] == .match }
    }

    /// Adds `pc` and every instruction reachable from it without consuming input.
    private func add(_ pc: Int, to list: inout ThreadList, previous: UInt32?, next: UInt32?, stack: inout [Int]) {
        stack.append(pc)
        while let pc = stack.popLast() {
            guard list.insert(pc) else { continue }
            switch instructions[pc] {
            case .jump(let target):
                stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .assertion(let assertion):
                if Self.holds(assertion, previous: previous, next: next) { stack.append(pc + 1) }
            case .scalar, .match:
                break
            }
        }
    }

    static func holds(_ assertion: RegexAssertion, previous: UInt32?, next: UInt32?) -> Bool {
        func isWord(_ value: UInt32?) -> Bool { value.map(ScalarSet.word.contains) ?? false }
        switch assertion {
        case .textStart: return previous == nil
        case .textEnd: return next == nil
        case .lineStart: return previous == nil || previous == ScalarSet.newline
        case .lineEnd: return next == nil || next == ScalarSet.newline
        case .wordBoundary: return isWord(previous) != isWord(next)
        case .notWordBoundary: return isWord(previous) == isWord(next)
        }
    }
}

/// A set of program counters in insertion order, cleared in O(1) by generation.
private struct ThreadList {
    private(set) var items: [Int] = []
    private var seen: [UInt32]
    private var generation: UInt32 = 1

    init(capacity: Int) {
        seen = [UInt32](repeating: 0, count: capacity)
        items.reserveCapacity(capacity)
    }

    var isEmpty: Bool { items.isEmpty }

    mutating func insert(_ pc: Int) -> Bool {
        if seen[pc] == generation { return false }
        seen[pc] = generation
        items.append(pc)
        return true
    }

    mutating func clear() {
        items.removeAll(keepingCapacity: true)
        generation &+= 1
        if generation == 0 {
            for i in seen.indices { seen[i] = 0 }
            generation = 1
        }
    }
}
