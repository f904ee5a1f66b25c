import Glibc
import NIOCore

/// A socket error as a person reads it: SwiftNIO's `IOError` text names the system call
/// and its arguments (`bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)`);
/// the reason alone (`Address already in use`) is what a message needs.
public enum SocketErrorText {
    public static func describe(_ error: any Error) -> String {
        (error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(error)"
    }
}
