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
        var found: HTTPHeader?
        for candidate in headers where candidate.name.utf8.elementsEqual(name, by: { ByteHash.lower($0) == $1 }) {
            if found != nil {
                let joined = HeaderIndex(headers: request.pointee.headers).value(candidate.name) ?? ""
                return joined.utf8.elementsEqual(expected)
            }
            found = candidate
        }
        guard let found else { return false }
        return found.value.utf8.elementsEqual(expected)
    }

    func objectAccepts(_ match: CompiledMatch) -> Bool { match.accepts(request.pointee) }
}

/// A `BorrowedRequest`: bytes compared in place; a match object gets the
/// request built as plain values (query and regular-expression matches), once
/// per lookup, in `plain`.
struct BorrowedFields: FlatRequestFields {
    let request: UnsafePointer<BorrowedRequest>
    let plain: UnsafeMutablePointer<RouteRequest?>

    func sniDiffers(from host: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let sni = request.pointee.sni else { return false }
        return !sni.elementsEqual(host, by: { ByteHash.lower($0) == ByteHash.lower($1) })
    }

    func header(_ name: UnsafeBufferPointer<UInt8>, equals expected: UnsafeBufferPointer<UInt8>) -> Bool {
        // Walks `expected` as the values of every header with that name, in
        // order, joined with ",": no joined copy is built.
        var position = 0
        var found = false
        for candidate in request.pointee.headers where candidate.name.elementsEqual(name, by: { ByteHash.lower($0) == $1 }) {
            if found {
                guard position < expected.count, expected[position] == UInt8(ascii: ",") else { return false }
                position += 1
            }
            found = true
            let value = candidate.value
            guard expected.count - position >= value.count,
                  UnsafeBufferPointer(rebasing: expected[position..<(position + value.count)]).elementsEqual(value) else { return false }
            position += value.count
        }
        return found && position == expected.count
    }

    func objectAccepts(_ match: CompiledMatch) -> Bool {
        if plain.pointee == nil { plain.pointee = request.pointee.routeRequest() }
        return match.accepts(plain.pointee!)
    }
}

extension CompiledMatch {
    /// The whole match against a request as plain values.
    func accepts(_ request: RouteRequest) -> Bool {
        let (pathPart, queryPart) = splitPathAndQuery(request.path)
        return matches(path: pathPart, method: request.method, headers: HeaderIndex(headers: request.headers), query: QueryIndex(query: queryPart))
    }
}
