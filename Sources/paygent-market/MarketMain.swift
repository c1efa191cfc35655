import Foundation
import Logging
import PaygentMarket
import PaygentRuntime

/// `paygent-market`: the sample x402-protected market-data API (`paygent up` starts it).
@main
struct MarketMain {
    static func main() async {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.contains("--help") || arguments.contains("-h") {
            print("""
                paygent-market — sample paid API: market data at 0.10 USDC per call over x402.

                Routes: GET /prices, GET /summary (paid), GET /health (free). Listens on the configured
                marketHTTP (default 127.0.0.1:8402) and verifies and settles payments through the payments
                service's facilitator (facilitatorHTTP). PAYGENT_MARKET_PAY_TO sets the payee address.

                USAGE: paygent-market [--config FILE]
                """)
            return
        }
        let configFile = arguments.firstIndex(of: "--config").flatMap { arguments.index(after: $0) < arguments.endIndex ? arguments[arguments.index(after: $0)] : nil }
        let config: PaygentConfig
        do {
            config = try PaygentConfig.load(file: configFile)
        } catch {
            FileHandle.standardError.write(Data("paygent-market: \(error)\n".utf8))
            exit(78)
        }
        let parts = config.marketHTTP.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else {
            FileHandle.standardError.write(Data("paygent-market: marketHTTP must be host:port\n".utf8))
            exit(78)
        }
        let payTo = ProcessInfo.processInfo.environment["PAYGENT_MARKET_PAY_TO"] ?? "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
        var logger = Logger(label: "paygent-market")
        logger.logLevel = .info
        let app = MarketAPI.application(
            .init(host: String(parts[0]), port: port, facilitatorURL: config.facilitatorURL, payTo: payTo), logger: logger)
        FileHandle.standardOutput.write(Data("ready market http=\(config.marketURL) facilitator=\(config.facilitatorURL) payTo=\(payTo)\n".utf8))
        do {
            try await app.runService()
        } catch {
            FileHandle.standardError.write(Data("paygent-market: \(error)\n".utf8))
            exit(1)
        }
    }
}
