/// A plain-text table for the terminal rendering: columns padded to their
/// widest cell, numbers right-aligned. Widths count Characters, so accented
/// hostnames stay aligned; color codes are added after layout, never measured.
struct RenderTextTable {
    enum Align { case left, right }

    var headers: [String]
    var aligns: [Align]
    var rows: [[String]] = []

    init(_ columns: [(String, Align)]) {
        headers = columns.map(\.0)
        aligns = columns.map(\.1)
    }

    mutating func add(_ cells: [String]) { rows.append(cells) }

    /// Lines indented by `indent` spaces; `header` styles the header row.
    func lines(indent: Int = 2, header: (String) -> String = { $0 }) -> [String] {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() where i < widths.count {
                let gap = String(repeating: " ", count: widths[i] - cell.count)
                let isLast = i == cells.count - 1
                parts.append(aligns[i] == .right ? gap + cell : (isLast ? cell : cell + gap))
            }
            return String(repeating: " ", count: indent) + parts.joined(separator: "  ")
        }
        return [header(line(headers))] + rows.map(line)
    }
}
