import ArgumentParser
import Foundation
import PaygentVVSAPI

/// `paygent pools`: the VVS pools, their reserves and LP supply.
struct Pools: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the VVS pools: pair, reserves (the pools' ledger balances), price, LP supply.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await ServiceCall(config: try global.load(), service: .vvs).show(VVSMethod.pools, PoolsRequest(), json: json) { reply in
            var table = Table(headers: ["POOL", "RESERVE 0", "RESERVE 1", "PRICE", "LP SUPPLY", "FEE", "ADDRESS"])
            for pool in reply.pools {
                let r0 = pool.reserve0.formatted(decimals: pool.token0.decimals, minimumFractionDigits: 2)
                let r1 = pool.reserve1.formatted(decimals: pool.token1.decimals, minimumFractionDigits: 2)
                table.rows.append([
                    pool.id, "\(r0) \(pool.token0.symbol)", "\(r1) \(pool.token1.symbol)", Pools.price(pool),
                    pool.lpSupply.formatted(decimals: 18), String(format: "%.2f%%", Double(pool.feeBps) / 100), pool.address,
                ])
            }
            print(reply.pools.isEmpty ? "no pools" : table.render(style: Style.forStandardOutput()))
        }
    }

    /// 1 token0 in token1, at the reserves' ratio.
    static func price(_ pool: PoolInfo) -> String {
        let r0 = Double(pool.reserve0.formatted(decimals: pool.token0.decimals)) ?? 0
        let r1 = Double(pool.reserve1.formatted(decimals: pool.token1.decimals)) ?? 0
        guard r0 > 0 else { return "-" }
        return "1 \(pool.token0.symbol) = \(Swap.decimal(r1 / r0)) \(pool.token1.symbol)"
    }
}

/// `paygent swap`: VVS swaps. Quotes for now; executing a swap comes with the rest of the VVS issue.
struct Swap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Quote swaps on VVS Finance pools.", subcommands: [Quote.self])

    struct Quote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The best route (up to 3 pools) for a swap, with price impact, fees and a slippage bound.",
            discussion: "Example: paygent swap quote 1000 CRO USDC --slippage 0.5. With --exact-output, AMOUNT is what to receive in TO.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Amount of FROM to sell (or, with --exact-output, of TO to buy).", valueName: "amount")) var amount: String
        @Argument(help: ArgumentHelp("Token to sell.", valueName: "from")) var from: String
        @Argument(help: ArgumentHelp("Token to buy.", valueName: "to")) var to: String
        @Flag(name: .customLong("exact-output"), help: "AMOUNT is the output to receive.") var exactOutput = false
        @Option(help: ArgumentHelp("Slippage tolerance in percent, 0 to 50.", valueName: "percent")) var slippage: Double = 0.5
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard slippage.isFinite, slippage >= 0, slippage <= 50 else { throw ValidationError("--slippage is 0 to 50 (percent)") }
        }

        func run() async throws {
            let request = QuoteRequest(
                from: from, to: to, amount: amount, side: exactOutput ? .exactOutput : .exactInput, slippageBps: Int((slippage * 100).rounded()))
            try await ServiceCall(config: try global.load(), service: .vvs).show(VVSMethod.quote, request, json: json) { quote in
                let style = Style.forStandardOutput()
                let sold = "\(quote.amountIn.formatted(decimals: quote.decimalsIn)) \(quote.path.first ?? from)"
                let bought = "\(quote.amountOut.formatted(decimals: quote.decimalsOut)) \(quote.path.last ?? to)"
                print("\(sold) → \(bought)")
                print(style.dim("route \(quote.path.joined(separator: " → ")) (pools \(quote.pools.joined(separator: ", ")))"))
                print(style.dim("price impact \(Swap.decimal(Double(quote.priceImpactPPM) / 10_000))%"))
                let tolerance = "\(Swap.decimal(Double(quote.slippageBps) / 100))%"
                print(style.dim(
                    request.side == .exactInput
                        ? "minimum received at \(tolerance) slippage: \(quote.minimumReceived.formatted(decimals: quote.decimalsOut)) \(quote.path.last ?? to)"
                        : "maximum sold at \(tolerance) slippage: \(quote.maximumSold.formatted(decimals: quote.decimalsIn)) \(quote.path.first ?? from)"))
            }
        }
    }

    /// A number as a person reads it: up to 6 significant digits, no exponent.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite, value != 0 else { return "0" }
        let digits = max(0, 5 - Int(floor(log10(abs(value)))))
        var text = String(format: "%.\(min(digits, 12))f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
