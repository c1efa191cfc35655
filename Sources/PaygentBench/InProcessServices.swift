import Foundation
import PaygentRuntime
import PaygentTransport

/// Services run in the bench's own process, on ipc endpoints under a throwaway data directory
/// (light keystores, errors-only logs), with a ZeroMQ context for the bench's clients.
struct InProcessServices {
    let home: String
    let config: PaygentConfig
    let context = ZMQContext()
    private let running: [(TerminationSignal, Task<Void, any Error>)]

    /// Starts `definitions`, each with its own termination signal, with `settings` in the
    /// configuration (section, key, value).
    init(_ definitions: [ServiceDefinition], settings: [(String, String, String)] = []) throws {
        setenv("PAYGENT_KEYSTORE_STRENGTH", "light", 1)
        home = FileManager.default.temporaryDirectory.appendingPathComponent("pgb-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var config = PaygentConfig.defaults(home: home)
        config.logLevel = .error
        for (section, key, value) in settings { config.set(section, key, value) }
        self.config = config
        let frozen = config
        running = definitions.map { definition in
            // One signal per host: each waits on its own.
            let termination = TerminationSignal(signals: [])
            return (termination, Task { try await ServiceHost.run(definition, config: frozen, termination: termination) })
        }
    }

    func client(_ service: ServiceName) throws -> RPCClient {
        try RPCClient(endpoint: config.endpoints(service).rpc, serviceName: service.rawValue, context: context)
    }

    /// Stops every service and waits for each.
    func stop() async {
        for (termination, _) in running { termination.trigger() }
        for (_, task) in running { _ = try? await task.value }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: home)
    }
}
