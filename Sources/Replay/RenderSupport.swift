/// Renderings of an `ImpactReport`: a terminal summary, a pull-request comment,
/// a self-contained HTML page and a JSON document. Each is a pure function of
/// the report — no clock, locale or dictionary order — so the same report
/// always renders to the same bytes and CI can diff or cache the output.
public enum ImpactReportRenderer {}

/// Number, time and escaping helpers shared by the renderers. Hand-written
/// rather than `NumberFormatter` / `DateFormatter` because those depend on the
/// host locale and time zone, which would make reports differ between machines.
enum RenderFormat {
    /// `12345` -> `12,345`.
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    /// `x` rounded half away from zero to `decimals` places, always with that
    /// many digits: `fixed(0.25, 4)` -> `0.2500`. Non-finite values print as 0.
    static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return fixed(0, decimals) }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (x * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled.magnitude < 9e15 else { return String(x) }
        let n = Int64(scaled)
        let sign = n < 0 ? "-" : ""
        let digits = String(n.magnitude)
        guard decimals > 0 else { return sign + digits }
        let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
        let cut = padded.index(padded.endIndex, offsetBy: -decimals)
        return sign + padded[..<cut] + "." + padded[cut...]
    }

    /// A fraction as a percentage with `decimals` places. A non-zero value that
    /// would round to 0 (or a value below 1 that would round to 100) prints as
    /// `<0.01%` (`>99.99%`) so "some" never reads as "none" or "all".
    static func percent(_ fraction: Double, decimals: Int = 2) -> String {
        let p = fraction * 100
        let text = fixed(p, decimals)
        var unit = 1.0
        for _ in 0..<decimals { unit /= 10 }
        if p > 0 && p < unit / 2 { return "<" + fixed(unit, decimals) + "%" }
        if p < 100 && p > 100 - unit / 2 { return ">" + fixed(100 - unit, decimals) + "%" }
        return text + "%"
    }

    /// `part / whole` as a percentage (0 when `whole` is 0).
    static func percent(_ part: Int, of whole: Int, decimals: Int = 2) -> String {
        percent(whole == 0 ? 0 : Double(part) / Double(whole), decimals: decimals)
    }

    /// Microseconds since the epoch as ISO 8601 UTC with microseconds, for
    /// machine-readable output: `2025-03-01T12:00:00.250000Z`.
    static func isoTime(_ micros: Int64) -> String {
        let (date, seconds, fraction) = civil(micros)
        return date + "T" + seconds + "." + pad(Int(fraction), 6) + "Z"
    }

    /// Microseconds since the epoch for people: `2025-03-01 12:00:00 UTC`
    /// (fractions of a second only when present).
    static func humanTime(_ micros: Int64) -> String {
        let (date, seconds, fraction) = civil(micros)
        let frac = fraction == 0 ? "" : "." + pad(Int(fraction), 6)
        return date + " " + seconds + frac + " UTC"
    }

    /// A chart axis label: `12:30:00 UTC` when the axis spans less than a day,
    /// else `2025-03-01 12:30 UTC` (seconds and fractions are noise there).
    static func axisTime(_ micros: Int64, span: Int64) -> String {
        let (date, seconds, _) = civil(micros)
        return span < 86_400_000_000 ? seconds + " UTC" : date + " " + seconds.prefix(5) + " UTC"
    }

    /// Splits epoch microseconds into `YYYY-MM-DD`, `hh:mm:ss` and microseconds
    /// (Howard Hinnant's days-to-civil algorithm, proleptic Gregorian, UTC).
    private static func civil(_ micros: Int64) -> (String, String, Int64) {
        let perDay: Int64 = 86_400_000_000
        var days = micros / perDay
        var rest = micros % perDay
        if rest < 0 { rest += perDay; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let secs = rest / 1_000_000
        let date = pad(Int(year), 4) + "-" + pad(Int(month), 2) + "-" + pad(Int(day), 2)
        let time = pad(Int(secs / 3600), 2) + ":" + pad(Int(secs / 60 % 60), 2) + ":" + pad(Int(secs % 60), 2)
        return (date, time, rest % 1_000_000)
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n.magnitude)
        return (n < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// Escapes text for HTML element content and attribute values.
    static func html(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// How much of each list the human-facing renderings show.
enum RenderLimits {
    static let breakdownRows = 10
    static let transitions = 10
    static let patterns = 10
    static let shareRules = 20
}
