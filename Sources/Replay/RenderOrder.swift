/// Orderings the renderers apply themselves so their output does not depend on
/// how the engine happened to sort (ties broken by key, then by text).
enum RenderOrder {
    /// Breakdown rows by changed (desc), then newly failing (desc), then key.
    static func breakdowns(_ rows: [Breakdown]) -> [Breakdown] {
        rows.sorted { a, b in
            if a.changed != b.changed { return a.changed > b.changed }
            if a.newlyFailing != b.newlyFailing { return a.newlyFailing > b.newlyFailing }
            return a.key < b.key
        }
    }

    /// Category counts in `ChangeCategory.allCases` order, every category present.
    static func categories(_ counts: [ChangeCategory: Int]) -> [(ChangeCategory, Int)] {
        ChangeCategory.allCases.map { ($0, counts[$0] ?? 0) }
    }

    /// Transitions by count (desc), then from, then to.
    static func transitions(_ rows: [Transition]) -> [Transition] {
        rows.sorted { a, b in
            if a.count != b.count { return a.count > b.count }
            if a.from != b.from { return a.from < b.from }
            return a.to < b.to
        }
    }
}
