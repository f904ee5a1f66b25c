import GatewayAPI
import RoutingCore

/// Benchmark requests as one run of bytes, in request order, with a `BorrowedRequest`
/// over each: the layout replay routes from (a decompressed block of trace lines).
final class PackedRequests {
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let headers: UnsafeMutableBufferPointer<BorrowedHeader>
    private let gateways: UnsafeMutableBufferPointer<ObjectKey>
    private let requests: [BorrowedRequest]
    private let keys: [UnsafeBufferPointer<UInt8>]

    init(_ plain: [RouteRequest], keys plainKeys: [String]) {
        let fields = plain.flatMap { request in [request.method, request.host, request.path] + request.headers.flatMap { [$0.name, $0.value] } + (request.sni.map { [$0] } ?? []) }
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: fields.reduce(0) { $0 + $1.utf8.count } + plainKeys.reduce(0) { $0 + $1.utf8.count })
        let headers = UnsafeMutableBufferPointer<BorrowedHeader>.allocate(capacity: plain.reduce(0) { $0 + $1.headers.count })
        let gateways = UnsafeMutableBufferPointer<ObjectKey>.allocate(capacity: plain.count { $0.gateway != nil })
        var gatewayCount = 0
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
            var gateway: UnsafePointer<ObjectKey>?
            if let key = request.gateway {
                (gateways.baseAddress! + gatewayCount).initialize(to: key)
                gateway = UnsafePointer(gateways.baseAddress! + gatewayCount)
                gatewayCount += 1
            }
            let method = place(request.method), host = place(request.host), target = place(request.path)
            let headerStart = headerCount
            for header in request.headers {
                headers[headerCount] = BorrowedHeader(name: place(header.name), value: place(header.value))
                headerCount += 1
            }
            requests.append(BorrowedRequest(gateway: gateway, port: request.port, isHTTPS: request.scheme == "https",
                                            method: method, host: host, target: target,
                                            headers: UnsafeBufferPointer(rebasing: headers[headerStart..<headerCount]),
                                            sni: request.sni.map(place)))
        }
        self.keys = plainKeys.map(place)
        self.requests = requests
        self.bytes = bytes
        self.headers = headers
        self.gateways = gateways
    }

    deinit {
        bytes.deallocate()
        headers.deallocate()
        if let base = gateways.baseAddress { base.deinitialize(count: gateways.count) }
        gateways.deallocate()
    }

    func withRequests<R>(_ body: (UnsafeBufferPointer<BorrowedRequest>, [UnsafeBufferPointer<UInt8>]) -> R) -> R {
        requests.withUnsafeBufferPointer { body($0, keys) }
    }
}
