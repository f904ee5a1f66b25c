import Testing
@testable import Replay

/// A recorded scheme read from a trace line's bytes is HTTPS exactly when the
/// decoded record's scheme maps to `https` (`httpScheme`), plain for `http`,
/// and neither (nil: the record path decides) for anything else.
@Suite struct SchemeTests {
    @Test func bytesAgreeWithTheRecordPath() {
        for scheme in ["http", "https", "grpc", "grpcs", "h2c", "tls", "tcp", "udp", "HTTP", "Https", "htt", "httpx", "h2", "", "grpcss", "xttp"] {
            let expected: Bool? = switch ChunkProcessor.httpScheme(scheme) {
            case "http" where ["http", "grpc", "h2c"].contains(scheme): false
            case "https" where ["https", "grpcs"].contains(scheme): true
            default: nil
            }
            var bytes = Array(scheme.utf8)
            bytes.append(0x22)  // the closing quote that follows in a line, not part of the scheme
            let read = bytes.withUnsafeBufferPointer { ChunkProcessor.isHTTPS(scheme: UnsafeBufferPointer(rebasing: $0[0..<scheme.utf8.count])) }
            #expect(read == expected, "\(scheme)")
        }
    }
}
