import GatewayAPI

/// What a flat lookup reads of a request besides its host, path and method.
/// Two sources (a `RouteRequest`, a `BorrowedRequest`), one lookup generic
/// over them, so both take the same decisions.
protocol FlatRequestFields {
    /// The TLS server name is set and is not the Host: the misdirection rules
    /// apply (HTTPRouter.misdirection), which only the object path knows.
    func sniDiffers(from host: UnsafeBufferPointer<UInt8>) -> Bool
    /// The request's value of the header `name` (lower-case), repeated headers
    /// joined with "," as HeaderIndex does, equals `expected`.
    func header(_ name: UnsafeBufferPointer<UInt8>, equals expected: UnsafeBufferPointer<UInt8>) -> Bool
    /// What only the match object can check (query parameters, regular expressions).
    func objectAccepts(_ match: CompiledMatch) -> Bool
    /// `ByteHash.host` of the Host as sent, when the caller computed it (BorrowedRequest.hostHash).
    var hostHash: UInt64? { get }
}

/// A `RouteRequest`, borrowed for the lookup.
struct RouteRequestFields: FlatRequestFields {
    let request: UnsafePointer<RouteRequest>
    let headers: UnsafeBufferPointer<HTTPHeader>

    func sniDiffers(from host: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let sni = request.pointee.sni else { return false }
        return !sni.utf8.elementsEqual(host, by: { ByteHash.lower($0) == ByteHash.lower($1) })
    }

    func header(_ name: UnsafeBufferPointer<UInt8>, equals expected: UnsafeBufferPointer<UInt8>) -> Bool {
        joinedValues(of: headers.lazy.map { ($0.name.utf8, $0.value.utf8) }, named: name, equal: expected)
    }

    func objectAccepts(_ match: CompiledMatch) -> Bool { match.accepts(request.pointee) }

    var hostHash: UInt64? { nil }
}

/// A `BorrowedRequest`: bytes compared in place; a match object gets the
/// request built as plain values (query and regular-expression matches), once
/// per lookup, in `plain` (allocated then: a `RouteRequest?` kept on the stack
/// of every lookup cost a copy of its nil and a destroy per request).
struct BorrowedFields: FlatRequestFields {
    let request: UnsafePointer<BorrowedRequest>
    let plain: UnsafeMutablePointer<UnsafeMutablePointer<RouteRequest>?>

    func sniDiffers(from host: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let sni = request.pointee.sni else { return false }
        return !sni.elementsEqual(host, by: { ByteHash.lower($0) == ByteHash.lower($1) })
    }

    var hostHash: UInt64? { request.pointee.hostHash }

    func header(_ name: UnsafeBufferPointer<UInt8>, equals expected: UnsafeBufferPointer<UInt8>) -> Bool {
        joinedValues(of: request.pointee.headers.lazy.map { ($0.name, $0.value) }, named: name, equal: expected)
    }

    func objectAccepts(_ match: CompiledMatch) -> Bool {
        if plain.pointee == nil {
            let built = UnsafeMutablePointer<RouteRequest>.allocate(capacity: 1)
            built.initialize(to: request.pointee.routeRequest())
            plain.pointee = built
        }
        return match.accepts(plain.pointee!.pointee)
    }
}

/// Whether the values of the headers named `name` (lower-case; names compare
/// ignoring ASCII case), in order and joined with "," as HeaderIndex joins
/// them, equal `expected`; false when no header has that name. Walks
/// `expected` value by value: no joined copy is built.
private func joinedValues<Name: Collection<UInt8>, Value: Collection<UInt8>>(
    of headers: some Sequence<(Name, Value)>, named name: UnsafeBufferPointer<UInt8>, equal expected: UnsafeBufferPointer<UInt8>
) -> Bool {
    var position = 0
    var found = false
    for (candidate, value) in headers where candidate.count == name.count && candidate.elementsEqual(name, by: { ByteHash.lower($0) == $1 }) {
        if found {
            guard position < expected.count, expected[position] == UInt8(ascii: ",") else { return false }
            position += 1
        }
        found = true
        let count = value.count
        guard expected.count - position >= count,
              UnsafeBufferPointer(rebasing: expected[position..<(position + count)]).elementsEqual(value) else { return false }
        position += count
    }
    return found && position == expected.count
}

extension CompiledMatch {
    /// The whole match against a request as plain values.
    func accepts(_ request: RouteRequest) -> Bool {
        let (pathPart, queryPart) = splitPathAndQuery(request.path)
        return matches(path: pathPart, method: request.method, headers: HeaderIndex(headers: request.headers), query: QueryIndex(query: queryPart))
    }
}
