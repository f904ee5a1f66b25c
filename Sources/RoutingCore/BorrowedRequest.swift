import GatewayAPI

/// An HTTP request whose fields are bytes the caller owns (a trace line being
/// replayed): the flat index routes it in place, without a `String` or an
/// array per request. Only what the index leaves to the compiled objects (a
/// query or regular-expression match, a fallback) builds a `RouteRequest`
/// from it, with `routeRequest()`.
///
/// Every buffer must hold valid UTF-8 and stay valid while the request is
/// used, and so must the Gateway's key. Plain pointers only: copying a request
/// is copying bytes, with no reference counting.
public struct BorrowedRequest: BitwiseCopyable {
    /// The Gateway the request names, if it names one.
    public var gateway: UnsafePointer<ObjectKey>?
    public var port: Int
    public var isHTTPS: Bool
    public var method: UnsafeBufferPointer<UInt8>
    /// The Host header as sent (a port suffix is ignored for matching).
    public var host: UnsafeBufferPointer<UInt8>
    /// Path with query string, as sent.
    public var target: UnsafeBufferPointer<UInt8>
    public var headers: UnsafeBufferPointer<BorrowedHeader>
    public var sni: UnsafeBufferPointer<UInt8>?
    /// `ByteHash.host(host)`, when the caller has it anyway (replay counts
    /// requests per Host by it): the lookup then does not hash the Host again.
    public var hostHash: UInt64?

    public init(gateway: UnsafePointer<ObjectKey>?, port: Int, isHTTPS: Bool, method: UnsafeBufferPointer<UInt8>, host: UnsafeBufferPointer<UInt8>,
                target: UnsafeBufferPointer<UInt8>, headers: UnsafeBufferPointer<BorrowedHeader>, sni: UnsafeBufferPointer<UInt8>?,
                hostHash: UInt64? = nil) {
        self.gateway = gateway; self.port = port; self.isHTTPS = isHTTPS; self.method = method
        self.host = host; self.target = target; self.headers = headers; self.sni = sni; self.hostHash = hostHash
    }

    /// `body` given a pointer to `gateway` for the request's `gateway` field, or nil
    /// when there is none; the pointer is valid only inside `body`.
    public static func withGateway<Result>(_ gateway: ObjectKey?, _ body: (UnsafePointer<ObjectKey>?) -> Result) -> Result {
        guard let gateway else { return body(nil) }
        return withUnsafePointer(to: gateway) { body($0) }
    }

    /// The same request as plain values.
    public func routeRequest() -> RouteRequest {
        func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
        return RouteRequest(gateway: gateway?.pointee, port: port, scheme: isHTTPS ? "https" : "http", method: text(method), host: text(host),
                            path: text(target), headers: headers.map { HTTPHeader(name: text($0.name), value: text($0.value)) },
                            sni: sni.map(text))
    }
}

/// One header of a `BorrowedRequest`.
public struct BorrowedHeader: BitwiseCopyable {
    public var name: UnsafeBufferPointer<UInt8>
    public var value: UnsafeBufferPointer<UInt8>

    public init(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        self.name = name
        self.value = value
    }
}
