import ArgumentParser
import Foundation
import Proxy

/// `gwsim whoami`: the echo backend of the seed walkthrough, without a container.
struct WhoamiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Run an HTTP/1.1 echo server like the containous/whoami container.",
        discussion: """
            Replies with its name, addresses, the request line and headers (JSON with
            Accept: application/json). GET /data?size=N streams N bytes. Stops on SIGINT/SIGTERM.
            With --tls-cert/--tls-key it serves HTTPS; --tcp-echo and --udp-echo serve the
            layer-4 echoes used behind TLS, TCP and UDP listeners instead.
            Prints `listening on HOST:PORT` once bound (port 0 = ephemeral).

            Example:
              gwsim whoami --listen 127.0.0.1:9001 --name whoami
            """
    )

    @Option(help: "Address to listen on, HOST:PORT (port 0 = any free port).")
    var listen: String = "127.0.0.1:0"

    @Option(help: "The name it reports (Hostname: line).")
    var name: String = ProcessInfo.processInfo.hostName

    @OptionGroup(title: "TLS, TCP and UDP modes")
    var modes: WhoamiModes

    func validate() throws {
        if Endpoint(parsing: listen, allowEphemeral: true) == nil { throw ValidationError("--listen \(listen): expected HOST:PORT") }
    }

    func run() throws {
        let address = Endpoint(parsing: listen, allowEphemeral: true)!
        if try modes.runEcho(name: name, address: address) { return }
        let server = WhoamiServer(name: name, host: address.host, port: address.port, tls: try modes.tlsContext())
        let bound: Endpoint
        do { bound = try server.start() } catch {
            Terminal.error("error: cannot listen on \(listen): \(SocketErrorText.describe(error))")
            throw Exit.badInput
        }
        Terminal.out("listening on \(bound)")
        _ = ShutdownSignal.wait()
        server.stop()
    }
}
