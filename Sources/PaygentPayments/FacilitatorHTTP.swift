import Foundation
import Hummingbird
import ServiceLifecycle
import Logging
import PaygentRuntime
import PaygentX402HTTP

/// Serves the facilitator's x402 HTTP API (`/verify`, `/settle`, `/supported`) for outside
/// resource servers, next to the service's RPC.
enum FacilitatorHTTP {
    static func start(facilitator: LedgerFacilitator, discovery: BazaarDiscovery, config: PaygentConfig, environment: ServiceEnvironment) throws {
        let parts = config.facilitatorHTTP.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else {
            throw ConfigError("facilitatorHTTP must be host:port, got '\(config.facilitatorHTTP)'")
        }
        let router = Router()
        FacilitatorRoutes.add(to: router, facilitator: facilitator)
        discovery.add(to: router)
        var logger = environment.logger
        logger.logLevel = .warning
        let app = Application(
            router: router, server: HTTPServerTimeouts.server, configuration: .init(address: .hostname(String(parts[0]), port: port), serverName: "paygent-facilitator"),
            logger: logger)
        environment.logger.info("facilitator HTTP", metadata: ["http.url": "\(config.facilitatorURL)"])
        // A service group of its own, so shutdown is graceful (connections finish) rather than a
        // cancellation; our host, not the group, handles signals.
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        environment.background.run("facilitator HTTP", stop: { await group.triggerGracefulShutdown() }) {
            try await group.run()
        }
    }
}
