import ArgumentParser
import Foundation
import Logging
import PaygentPaymentsAPI
import PaygentCrypto
import PaygentMarket
import PaygentPaymentsClient
import PaygentRuntime
import PaygentTransport
import PaygentX402
import PaygentX402HTTP
import PaygentMoney

/// `paygent-market`: the sample x402-protected market-data API (`paygent up` starts it).
@main
struct MarketMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paygent-market",
        abstract: "Sample paid API: market data per call in USDC over x402.",
        discussion: """
            Routes: GET /prices, GET /summary and GET /feed (paid), GET / and GET /health (free). /feed \
            also serves, unpaid, a wallet that signs in (x402 sign-in-with-x) holding an active \
            subscription in the registry (its rpc endpoint from the config). Listens on the configured \
            marketHTTP (default 127.0.0.1:8402). Payments are verified and settled by the payments \
            service's facilitator over RPC (its rpc endpoint from the config), or by any x402 facilitator \
            over HTTP with --facilitator-url (for example the payments service's own, \
            http://127.0.0.1:7412).
            """)

    @Option(help: "Config file (default: $PAYGENT_CONFIG, else the embedded defaults).")
    var config: String?

    @Option(help: "An x402 facilitator to use over HTTP instead of the payments service over RPC.")
    var facilitatorURL: String?

    @Option(help: "Price per call in USDC (up to 6 decimals).")
    var price = "0.10"

    @Option(help: "Address paid (default: $PAYGENT_MARKET_PAY_TO, else the sample payee 0x2096…287C).")
    var payTo: String?

    func run() async throws {
        let config: PaygentConfig
        do {
            config = try PaygentConfig.load(file: self.config)
        } catch {
            throw ValidationError("\(error)")
        }
        let parts = config.marketHTTP.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("marketHTTP must be host:port") }
        let amount: Amount
        do {
            amount = try Amount(parsing: price, decimals: 6)
        } catch {
            throw ValidationError("--price: \(error.message)")
        }
        guard amount.baseUnits > 0 else { throw ValidationError("--price must be more than 0") }
        let baseUnits = amount.description
        let payee = payTo ?? ProcessInfo.processInfo.environment["PAYGENT_MARKET_PAY_TO"] ?? "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
        do {
            _ = try Address(payee)
        } catch {
            throw ValidationError("pay-to: \(error.message)")
        }
        let (facilitator, facilitatorName) = try Self.facilitator(url: facilitatorURL, config: config)
        var logger = Logger(label: "paygent-market")
        logger.logLevel = .info
        let registryEndpoint = config.endpoints(.registry).rpc
        let registry: RPCClient
        do {
            registry = try RPCClient(endpoint: registryEndpoint, serviceName: "registry", context: ZMQContext())
        } catch {
            throw ValidationError("cannot open the registry endpoint \(registryEndpoint): \(error)")
        }
        let signIn = MarketSubscriptions.signIn(registry: registry, now: { Date() }, randomBytes: RandomSource.system.bytes)
        let app = MarketAPI.application(
            .init(host: String(parts[0]), port: port, payTo: payee, price: baseUnits), facilitator: facilitator, logger: logger,
            now: { Date() }, signIn: signIn)
        FileHandle.standardOutput.write(Data(
            "ready market http=\(config.marketURL) facilitator=\(facilitatorName) price=\(price) USDC payTo=\(payee)\n".utf8))
        try await app.runService()
    }

    /// The payments service over RPC, or an HTTP facilitator when a URL is given.
    static func facilitator(url: String?, config: PaygentConfig) throws -> (any Facilitator, String) {
        if let url {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw ValidationError("--facilitator-url must be an http(s) URL, got '\(url)'")
            }
            return (HTTPFacilitatorClient(baseURL: url), url)
        }
        let endpoint = config.endpoints(.payments).rpc
        do {
            return (RPCFacilitator(client: try RPCClient(endpoint: endpoint, serviceName: "payments", context: ZMQContext())), endpoint)
        } catch {
            throw ValidationError("cannot open the payments endpoint \(endpoint): \(error)")
        }
    }
}
