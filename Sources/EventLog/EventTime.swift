/// RFC 3339 timestamps <-> microseconds since the Unix epoch, without Foundation.
///
/// Event times are kept as integer microseconds so that the text form written to traces
/// (`2026-11-26T14:50:32.123456Z`, always UTC, always six fraction digits) and the `REAL`
/// seconds stored in SQLite convert back to exactly the same value.
public enum EventTime {
    /// Formats microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    public static func format(micros: Int64) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(27)
        append(micros: micros, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Seconds (as `Double`) to canonical microseconds: rounded, clamped to
    /// `Limits.minTimeMicros…maxTimeMicros`; NaN becomes 0 (the epoch) rather than trapping.
    public static func micros(fromSeconds seconds: Double) -> Int64 {
        guard !seconds.isNaN else { return 0 }
        let scaled = (seconds * 1_000_000).rounded()
        if scaled <= Double(Limits.minTimeMicros) { return Limits.minTimeMicros }
        if scaled >= Double(Limits.maxTimeMicros) { return Limits.maxTimeMicros }
        // `seconds * 1e6` may be off by a unit or two; prefer the microsecond whose
        // `Double(m) / 1e6` is exactly `seconds`, so micros -> seconds -> micros is lossless.
        let guess = Int64(scaled)
        for delta: Int64 in [0, -1, 1, -2, 2] where Double(guess + delta) / 1_000_000 == seconds {
            return min(max(guess + delta, Limits.minTimeMicros), Limits.maxTimeMicros)
        }
        return guess
    }

    /// `micros(fromSeconds:)` for a value that must lie in the range of event times
    /// (Limits.minTimeMicros...maxTimeMicros): nil outside it, or when not finite.
    public static func micros(inRangeSeconds seconds: Double) -> Int64? {
        guard seconds.isFinite, (Double(Limits.minTimeMicros)...Double(Limits.maxTimeMicros)).contains((seconds * 1_000_000).rounded()) else {
            return nil
        }
        return micros(fromSeconds: seconds)
    }

    /// Appends the 27-byte text form (hot path of the trace writer and the event store: no
    /// allocation; the digits are spelled in a stack buffer and appended in one piece).
    static func append(micros: Int64, to out: inout [UInt8]) {
        let m = min(max(micros, Limits.minTimeMicros), Limits.maxTimeMicros)  // years 1970...2242: four digits
        var secs = m / 1_000_000
        var frac = m % 1_000_000
        if frac < 0 { frac += 1_000_000; secs -= 1 }
        var days = secs / 86_400
        var sod = secs % 86_400
        if sod < 0 { sod += 86_400; days -= 1 }
        let (y, mo, d) = civil(fromDays: days)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 27) { text in
            func put(_ value: Int64, at start: Int, width: Int) {
                var value = value
                for index in stride(from: start + width - 1, through: start, by: -1) {
                    text[index] = UInt8(truncatingIfNeeded: 48 + value % 10)
                    value /= 10
                }
            }
            put(y, at: 0, width: 4); text[4] = 0x2D; put(mo, at: 5, width: 2); text[7] = 0x2D; put(d, at: 8, width: 2); text[10] = 0x54
            put(sod / 3600, at: 11, width: 2); text[13] = 0x3A; put(sod / 60 % 60, at: 14, width: 2); text[16] = 0x3A
            put(sod % 60, at: 17, width: 2); text[19] = 0x2E; put(frac, at: 20, width: 6); text[26] = 0x5A
            out.append(contentsOf: UnsafeBufferPointer(text))
        }
    }

    /// A time given on a command line: RFC 3339, or seconds since the epoch; nil when
    /// malformed or outside the range of event times (Limits.minTimeMicros...maxTimeMicros).
    public static func parse(rfc3339OrSeconds text: String) -> Int64? {
        if let micros = parse(text) { return micros }
        return Double(text).flatMap(micros(inRangeSeconds:))
    }

    /// Parses RFC 3339 (`T`/`t`/space separator, 0–9 fraction digits, `Z` or `±HH:MM`).
    /// Fraction digits beyond microseconds are truncated. Returns nil when malformed.
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    static func parse(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        let n = s.count
        var i = 0
        func digits(_ count: Int) -> Int64? {
            guard i + count <= n else { return nil }
            var v: Int64 = 0
            for _ in 0..<count {
                let c = s[i]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48); i += 1
            }
            return v
        }
        func lit(_ c: UInt8) -> Bool { if i < n && s[i] == c { i += 1; return true }; return false }
        guard let y = digits(4), lit(0x2D), let mo = digits(2), lit(0x2D), let d = digits(2) else { return nil }
        guard i < n, s[i] == 0x54 || s[i] == 0x74 || s[i] == 0x20 else { return nil }
        i += 1
        guard let h = digits(2), lit(0x3A), let mi = digits(2), lit(0x3A), let se = digits(2) else { return nil }
        guard (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y), h < 24, mi < 60, se <= 60 else { return nil }
        guard let frac = fraction(s, at: &i) else { return nil }
        var offset: Int64 = 0
        guard i < n else { return nil }
        if s[i] == 0x5A || s[i] == 0x7A {
            i += 1
        } else if s[i] == 0x2B || s[i] == 0x2D {
            let sign: Int64 = s[i] == 0x2D ? -1 : 1
            i += 1
            guard let oh = digits(2), lit(0x3A), let om = digits(2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == n else { return nil }
        let secs = days(fromCivil: y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset
        return inRange(secs * 1_000_000 + frac)
    }

    /// A `.` and one or more digits at `i`, as microseconds (digits past the sixth
    /// truncated), with `i` moved past them; 0 when there is no `.`; nil for a `.`
    /// without digits.
    private static func fraction(_ s: UnsafeBufferPointer<UInt8>, at i: inout Int) -> Int64? {
        guard i < s.count, s[i] == 0x2E else { return 0 }
        i += 1
        var frac: Int64 = 0
        var count = 0
        while i < s.count, s[i] >= 48, s[i] <= 57 {
            if count < 6 { frac = frac * 10 + Int64(s[i] - 48) }
            count += 1; i += 1
        }
        guard count > 0 else { return nil }
        while count < 6 { frac *= 10; count += 1 }
        return frac
    }

    private static func inRange(_ micros: Int64) -> Int64? {
        micros >= Limits.minTimeMicros && micros <= Limits.maxTimeMicros ? micros : nil
    }

    /// The whole second of the last UTC timestamp parsed through it. A trace holds
    /// thousands of requests per second, so most times share their first 19 bytes
    /// (`YYYY-MM-DDTHH:MM:SS`) with the one before: only the fraction is read then.
    struct SecondCache {
        fileprivate var prefix: [UInt8] = []
        fileprivate var seconds: Int64 = 0
    }

    /// `parse(_:)`, reusing `cache` when `s` starts with its second and ends in `Z`.
    static func parse(_ s: UnsafeBufferPointer<UInt8>, cache: inout SecondCache) -> Int64? {
        let n = s.count
        if n >= 20, cache.prefix.count == 19, cache.prefix.withUnsafeBytes({ Bytes.equal(UnsafeRawPointer(s.baseAddress!), $0.baseAddress!, count: 19) }),
           let micros = fractionAndZ(s, seconds: cache.seconds) {
            return micros
        }
        guard let micros = parse(s) else { return nil }
        // Remember the second only when no offset shifts it: the micros (never
        // negative, Limits.minTimeMicros) are then that second and the fraction.
        if n >= 20, s[n - 1] == 0x5A || s[n - 1] == 0x7A {
            cache.prefix.removeAll(keepingCapacity: true)
            cache.prefix.append(contentsOf: s[0..<19])
            cache.seconds = micros / 1_000_000
        }
        return micros
    }

    /// The rest of a time after its 19-byte second: an optional fraction, then `Z`/`z`
    /// and the end; nil for anything else (the full parse decides).
    private static func fractionAndZ(_ s: UnsafeBufferPointer<UInt8>, seconds: Int64) -> Int64? {
        var i = 19
        guard let frac = fraction(s, at: &i), i == s.count - 1, s[i] == 0x5A || s[i] == 0x7A else { return nil }
        return inRange(seconds * 1_000_000 + frac)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian calendar).
    private static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
