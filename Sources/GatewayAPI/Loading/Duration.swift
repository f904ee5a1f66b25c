/// Gateway API `Duration` (shared_types.go: pattern `^([0-9]{1,5}(h|m|s|ms)){1,4}$`,
/// a subset of Go's time.ParseDuration), in seconds.
public enum GatewayDuration {
    /// nil when `text` does not match the pattern.
    public static func seconds(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        var i = 0
        var parts = 0
        var total = 0.0
        while i < chars.count {
            var digits = 0
            var number = 0
            while i < chars.count, (0x30...0x39).contains(chars[i]) {
                guard digits < 5 else { return nil }
                number = number * 10 + Int(chars[i] - 0x30)
                digits += 1
                i += 1
            }
            guard digits > 0, i < chars.count else { return nil }
            let unit: Double
            switch chars[i] {
            case UInt8(ascii: "h"): unit = 3600; i += 1
            case UInt8(ascii: "s"): unit = 1; i += 1
            case UInt8(ascii: "m"):
                if i + 1 < chars.count, chars[i + 1] == UInt8(ascii: "s") { unit = 0.001; i += 2 } else { unit = 60; i += 1 }
            default: return nil
            }
            total += Double(number) * unit
            parts += 1
            guard parts <= 4 else { return nil }
        }
        return parts > 0 ? total : nil
    }
}
