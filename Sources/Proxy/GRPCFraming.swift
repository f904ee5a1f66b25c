/// gRPC's length-prefixed messages (gRPC over HTTP/2, "Length-Prefixed-Message"): one
/// compressed-flag byte, a 4-byte big-endian length, the message. Used by the whoami gRPC
/// echo and the h2c test client; the proxy itself never looks inside gRPC bodies.
public enum GRPCFraming {
    /// `message` as one uncompressed length-prefixed message.
    public static func frame(_ message: [UInt8]) -> [UInt8] {
        let length = UInt32(message.count)
        return [0, UInt8(length >> 24), UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff)] + message
    }

    /// The messages of a whole body, in order; nil when the body is not a sequence of
    /// complete uncompressed messages (truncated, or compressed without a negotiated codec).
    public static func messages(in body: [UInt8]) -> [[UInt8]]? {
        var out: [[UInt8]] = []
        var index = 0
        while index < body.count {
            guard body.count - index >= 5, body[index] == 0 else { return nil }
            let length = body[index + 1 ..< index + 5].reduce(0) { $0 << 8 | Int($1) }
            let start = index + 5
            guard body.count - start >= length else { return nil }
            out.append(Array(body[start ..< start + length]))
            index = start + length
        }
        return out
    }

    /// gRPC status codes used here (grpc/doc/statuscodes.md).
    public enum Status: Int, Sendable {
        case ok = 0
        case invalidArgument = 3
        case unimplemented = 12
        case `internal` = 13
    }
}
