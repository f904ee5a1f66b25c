import GatewayAPI
import RoutingCore

/// Benchmark requests as one run of bytes, in request order, with a `BorrowedRequest`
/// over each: the layout replay routes from (a decompressed block of trace lines).
final class PackedRequests {
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let headers: UnsafeMutableBufferPointer<BorrowedHeader>
    private let requests: [BorrowedRequest]
    private let keys: [UnsafeBufferPointer<UInt8>]

    init(_ plain: [RouteRequest], keys plainKeys: [String]) {
        let fields = plain.flatMap { request in [request.method, request.host, request.path] + request.headers.flatMap { [$0.name, $0.value] } }
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: fields.reduce(0) { $0 + $1.utf8.count } + plainKeys.reduce(0) { $0 + $1.utf8.count })
        let headers = UnsafeMutableBufferPointer<BorrowedHeader>.allocate(capacity: plain.reduce(0) { $0 + $1.headers.count })
        var offset = 0
        func place(_ text: String) -> UnsafeBufferPointer<UInt8> {
            let start = offset
            for byte in text.utf8 { bytes[offset] = byte; offset += 1 }
            return UnsafeBufferPointer(rebasing: bytes[start..<offset])
        }
        var headerCount = 0
        var requests: [BorrowedRequest] = []
        requests.reserveCapacity(plain.count)
        for request in plain {
            let method = place(request.method), host = place(request.host), target = place(request.path)
            let headerStart = headerCount
            for header in request.headers {
                headers[headerCount] = BorrowedHeader(name: place(header.name), value: place(header.value))
                headerCount += 1
            }
            requests.append(BorrowedRequest(gateway: request.gateway, port: request.port, isHTTPS: request.scheme == "https",
                                            method: method, host: host, target: target,
                                            headers: UnsafeBufferPointer(rebasing: headers[headerStart..<headerCount]),
                                            sni: request.sni.map(place)))
        }
        self.keys = plainKeys.map(place)
        self.requests = requests
        self.bytes = bytes
        self.headers = headers
    }

    deinit {
        bytes.deallocate()
        headers.deallocate()
    }

    func withRequests<R>(_ body: (UnsafeBufferPointer<BorrowedRequest>, [UnsafeBufferPointer<UInt8>]) -> R) -> R {
        requests.withUnsafeBufferPointer { body($0, keys) }
    }
}
