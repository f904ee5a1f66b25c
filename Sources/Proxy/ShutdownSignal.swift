import Dispatch
import Foundation

/// Blocks the calling thread until SIGINT or SIGTERM, for the long-running commands
/// (`gwsim proxy`, `gwsim whoami`), which then stop cleanly (drain) instead of dying mid-request.
public enum ShutdownSignal {
    /// Waits for SIGINT/SIGTERM and returns the signal number.
    public static func wait() -> Int32 {
        let semaphore = DispatchSemaphore(value: 0)
        let received = SignalBox()
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                received.set(number)
                semaphore.signal()
            }
            source.resume()
            sources.append(source)
        }
        semaphore.wait()
        for source in sources { source.cancel() }
        return received.value
    }
}

private final class SignalBox: @unchecked Sendable {
    private let lock = NSLock()
    private var number: Int32 = 0
    func set(_ value: Int32) { lock.lock(); if number == 0 { number = value }; lock.unlock() }
    var value: Int32 { lock.lock(); defer { lock.unlock() }; return number }
}
