/// The client address of each generated request, as keep-alive traffic shows it: a few
/// connections open at once, each carrying several requests from one client address and
/// port, interleaved with the others.
///
/// Requests come in rounds of `connections × requestsPerConnection`. Within a round each
/// request picks one of the round's `connections` connections at random, so a connection
/// carries `requestsPerConnection` requests on average; the next round opens new ones.
/// Like every other draw, the address depends only on (seed, request index), so a longer
/// trace still starts with the requests of a shorter one.
struct ClientConnections: Sendable {
    let clients: Int
    let connections: Int
    let requestsPerConnection: Int
    let seed: UInt64

    /// Stream ids of the connection draw and the address draw (RequestSampler uses 1 and 2).
    static let connectionStream: UInt64 = 3
    static let addressStream: UInt64 = 4

    init(traffic: TrafficModel, seed: UInt64) {
        clients = traffic.clients
        connections = traffic.connections
        requestsPerConnection = traffic.requestsPerConnection
        self.seed = seed
    }

    /// `10.x.y.z:port` of request `index`.
    func address(ofRequest index: Int) -> String {
        let round = index / (connections * requestsPerConnection)
        var pick = SplitMix64(seed: seed, stream: Self.connectionStream, index: UInt64(index))
        let connection = pick.int(in: 0...(connections - 1))
        var draw = SplitMix64(seed: seed, stream: Self.addressStream, index: UInt64(round) &* UInt64(connections) &+ UInt64(connection))
        let client = draw.int(in: 0...(clients - 1))
        return Self.address(client, port: draw.int(in: 1024...65535))
    }

    /// Client `n` lives at 10.x.y.z (z never 0), so there are up to 16 million distinct ones.
    static func address(_ n: Int, port: Int) -> String {
        let a = n / 254, z = n % 254 + 1
        return "10.\((a >> 8) & 255).\(a & 255).\(z):\(port)"
    }
}
