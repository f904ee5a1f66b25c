@testable import Proxy
import Testing

/// The exchange completion rules, without channels.
@Suite struct ExchangeProgressTests {
    @Test func forwardedGetCompletesAtResponseEndAndPoolsTheConnection() {
        var progress = ExchangeProgress(keepAlive: true)
        progress.startForwarding()
        #expect(progress.clientReadsPaused(upstreamWritable: nil))  // connecting: hold the body
        #expect(!progress.clientReadsPaused(upstreamWritable: true))
        #expect(progress.clientReadsPaused(upstreamWritable: false))
        #expect(progress.requestEnd() == .forwardEnd)
        #expect(!progress.clientReadsPaused(upstreamWritable: false))  // nothing left to read
        progress.upstreamHeadSent(upstreamKeepAlive: true)
        #expect(progress.upstreamRelease == .pool)
        #expect(progress.responseEnd() == .completeThenWriteEnd(close: false))
    }

    @Test func earlyResponseWaitsForTheRequestAndClosesTheBackend() {
        var progress = ExchangeProgress(keepAlive: true)
        progress.startForwarding()
        progress.upstreamHeadSent(upstreamKeepAlive: true)
        #expect(progress.upstreamRelease == .close)  // request body not fully sent
        #expect(progress.responseEnd() == .writeEndAndAwaitRequestEnd)
        #expect(!progress.forwardsBody)
        #expect(progress.requestEnd() == .complete)
    }

    @Test func backendAskingToCloseIsNotPooled() {
        var progress = ExchangeProgress(keepAlive: true)
        progress.startForwarding()
        _ = progress.requestEnd()
        progress.upstreamHeadSent(upstreamKeepAlive: false)
        #expect(progress.upstreamRelease == .close)
    }

    @Test func localAnswerWithCloseCompletesAtOnce() {
        var progress = ExchangeProgress(keepAlive: true)
        progress.answerLocally(close: true)
        #expect(progress.responseEnd() == .completeThenWriteEnd(close: true))
    }

    @Test func localAnswerBeforeTheBodyEnded() {
        var progress = ExchangeProgress(keepAlive: true)
        progress.startForwarding()
        progress.answerLocally(close: false)  // e.g. 503 after a refused connect
        #expect(!progress.forwardsBody)
        #expect(!progress.clientReadsPaused(upstreamWritable: nil))  // keep reading to discard
        #expect(progress.responseEnd() == .writeEndAndAwaitRequestEnd)
        #expect(progress.requestEnd() == .complete)
    }

    @Test func brokenResponseForcesClose() {
        var progress = ExchangeProgress(keepAlive: true)
        progress.startForwarding()
        _ = progress.requestEnd()
        progress.upstreamHeadSent(upstreamKeepAlive: true)
        progress.mustClose()
        #expect(progress.responseEnd() == .completeThenWriteEnd(close: true))
    }
}
