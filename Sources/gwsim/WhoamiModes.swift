import ArgumentParser
import Foundation
import NIOSSL
import Proxy

/// The `gwsim whoami` modes beyond the HTTP echo, for TLS, TCP and UDP listener tests:
/// HTTPS (`--tls-cert`/`--tls-key`: the echo behind TLS, reporting the SNI it saw in
/// `X-Whoami-TLS-Server-Name`), a line-oriented TCP echo (`--tcp-echo`, optionally TLS,
/// see `EchoStreamServer`) and a UDP echo (`--udp-echo`, see `EchoDatagramServer`).
struct WhoamiModes: ParsableArguments {
    @Option(help: "Serve TLS with this PEM certificate chain (needs --tls-key).")
    var tlsCert: String?

    @Option(help: "The PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "Require client certificates issued by these PEM CA certificates (with --tls-cert).")
    var tlsClientCa: String?

    @Flag(help: "Serve the line-oriented TCP echo (welcome line, PING/PONG, IS_TLS, TEST) instead of HTTP.")
    var tcpEcho = false

    @Flag(help: "Serve a UDP echo (each datagram answered with NAME: and its bytes) instead of HTTP.")
    var udpEcho = false

    @Option(help: "Namespace the TCP echo reports in TEST.")
    var namespace = ""

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if tcpEcho && udpEcho { throw ValidationError("--tcp-echo and --udp-echo exclude each other") }
        if udpEcho && tlsCert != nil { throw ValidationError("--udp-echo does not serve TLS") }
        if tlsClientCa != nil && tlsCert == nil { throw ValidationError("--tls-client-ca needs --tls-cert and --tls-key") }
    }

    /// The TLS context from the PEM files, when asked for.
    func tlsContext() throws -> NIOSSLContext? {
        guard let tlsCert, let tlsKey else { return nil }
        let certificate = try String(contentsOfFile: tlsCert, encoding: .utf8)
        let key = try String(contentsOfFile: tlsKey, encoding: .utf8)
        let clientCA = try tlsClientCa.map { try String(contentsOfFile: $0, encoding: .utf8) }
        return try WhoamiTLS.context(certificatePEM: certificate, keyPEM: key, clientCAPEM: clientCA)
    }

    /// Runs the TCP or UDP echo until SIGINT/SIGTERM; false when neither was asked for.
    func runEcho(name: String, address: Endpoint) throws -> Bool {
        guard tcpEcho || udpEcho else { return false }
        let bound: Endpoint
        let stop: () -> Void
        do {
            if udpEcho {
                let server = EchoDatagramServer(name: name, host: address.host, port: address.port)
                bound = try server.start()
                stop = server.stop
            } else {
                let server = EchoStreamServer(name: name, namespace: namespace, host: address.host, port: address.port,
                                              tls: try tlsContext())
                bound = try server.start()
                stop = server.stop
            }
        } catch {
            Terminal.error("error: cannot listen on \(address): \(SocketErrorText.describe(error))")
            throw Exit.badInput
        }
        Terminal.out("listening on \(bound)\(udpEcho ? "/udp" : "")")
        _ = ShutdownSignal.wait()
        stop()
        return true
    }
}
