import Foundation
import PaygentMoney
import PaygentRegistryAPI

/// What the registry holds on its first start, so that discovery shows something real on a fresh
/// machine: the sample paid API's routes (`paygent-market`, started by `paygent up`) and a few
/// realistic entries across categories whose descriptions say that nothing serves them here.
enum SeedCatalog {
    static let samplePayee = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"

    static func entries(marketURL: String, now: Date) -> [ServiceEntry] {
        func entry(
            _ id: String, _ name: String, _ description: String, _ category: String, _ url: String, pricing: PricingModel = .payPerCall,
            price: String, unit: String? = nil, period: Int? = nil, mcp: Bool = false, input: String? = nil, output: String?
        ) -> ServiceEntry {
            ServiceEntry(
                id: id, name: name, description: description, category: category, url: url, method: "GET", pricing: pricing,
                price: try! Amount(baseUnitsString: price), token: "USDC", decimals: 6, unit: unit, periodSeconds: period,
                network: "eip155:338", payTo: samplePayee, mcpCompatible: mcp, inputDescription: input, outputDescription: output,
                reputation: 2.5, totalCalls: 0, successRate: 1, medianLatencyMillis: nil, createdAt: now, updatedAt: now)
        }
        let elsewhere = " An example entry: nothing serves it on this machine."
        return [
            entry(
                "svc_000000000001", "Market data: prices", "Crypto spot prices (CRO, BTC, ETH) from Paygent's sample paid API.",
                "market-data", "\(marketURL)/prices", price: "100000", output: "JSON: {symbol: price in USD}"),
            entry(
                "svc_000000000002", "Market data: summary", "24-hour market summary from Paygent's sample paid API.",
                "market-data", "\(marketURL)/summary", price: "100000", output: "JSON: volume, movers, dominance"),
            entry(
                "svc_000000000003", "Cronos news digest", "Hourly digest of Cronos ecosystem news." + elsewhere,
                "news", "https://news.example.com/cronos/digest", price: "20000", output: "JSON: headlines with sources"),
            entry(
                "svc_000000000004", "City weather", "Current weather and a 24-hour forecast for a city." + elsewhere,
                "weather", "https://weather.example.com/v1/current", price: "10000", input: "query: city", output: "JSON: celsius, forecast"),
            entry(
                "svc_000000000005", "LLM inference", "Chat completion on an open model, billed per 1k tokens." + elsewhere,
                "inference", "https://inference.example.com/v1/chat", pricing: .metered, price: "2000", unit: "1k tokens", mcp: true,
                input: "JSON: messages", output: "JSON: completion"),
            entry(
                "svc_000000000006", "On-chain analytics", "Wallet and token analytics for Cronos, monthly plan." + elsewhere,
                "analytics", "https://analytics.example.com/v1", pricing: .subscription, price: "5000000", period: 30 * 86_400,
                output: "JSON: holdings, flows"),
            entry(
                "svc_000000000007", "Market data: feed (subscription)",
                "Market moves as they happen from Paygent's sample paid API: 1 USDC a day, then calls are served on a sign-in-with-x proof "
                    + "with no payment each (or 0.10 USDC a call without a subscription).",
                "market-data", "\(marketURL)/feed", pricing: .subscription, price: "1000000", period: 86_400, output: "JSON: asOf, events"),
        ]
    }
}
