import Foundation
import Hummingbird
import Logging
import PaygentLedger
import PaygentRuntime
import PaygentX402HTTP

/// Serves the facilitator's x402 HTTP API (`/verify`, `/settle`, `/supported`) for outside
/// resource servers, next to the service's RPC.
enum FacilitatorHTTP {
    static func start(ledger: LocalLedger, config: PaygentConfig, environment: ServiceEnvironment) throws {
        let parts = config.facilitatorHTTP.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else {
            throw ConfigError("facilitatorHTTP must be host:port, got '\(config.facilitatorHTTP)'")
        }
        let router = Router()
        FacilitatorRoutes.add(to: router, facilitator: LedgerFacilitator(ledger: ledger))
        var logger = environment.logger
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname(String(parts[0]), port: port), serverName: "paygent-facilitator"),
            logger: logger)
        environment.logger.info("facilitator HTTP", metadata: ["http.url": "\(config.facilitatorURL)"])
        environment.background.run("facilitator HTTP") { try await app.run() }
    }
}
