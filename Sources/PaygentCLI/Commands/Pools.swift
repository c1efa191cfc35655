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

/// `paygent swap`: VVS swaps.
struct Swap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Quote and make swaps on VVS Finance pools.", subcommands: [Quote.self, Exec.self])

    struct Exec: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Swap from a wallet over the best route, within a slippage bound and a deadline.",
            discussion: """
                Example: paygent swap exec 1000 CRO USDC --wallet agent --min-received 89.2. Without --min-received \
                (or --max-sold with --exact-output) the bound is the execution quote less --slippage. The wallet's input \
                and the pools' payouts settle as one all-or-nothing ledger batch; nothing moves if the bound or the \
                deadline is missed.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Amount of FROM to sell (or, with --exact-output, of TO to buy).", valueName: "amount")) var amount: String
        @Argument(help: ArgumentHelp("Token to sell.", valueName: "from")) var from: String
        @Argument(help: ArgumentHelp("Token to buy.", valueName: "to")) var to: String
        @Option(help: ArgumentHelp("The wallet that swaps (name or address).", valueName: "wallet")) var wallet: String
        @Flag(name: .customLong("exact-output"), help: "AMOUNT is the output to receive.") var exactOutput = false
        @Option(name: .customLong("min-received"), help: ArgumentHelp("Least output accepted, in TO.", valueName: "amount")) var minReceived: String?
        @Option(name: .customLong("max-sold"), help: ArgumentHelp("Most input paid, in FROM (with --exact-output).", valueName: "amount")) var maxSold: String?
        @Option(help: ArgumentHelp("Slippage tolerance in percent, 0 to 50, when no bound is given.", valueName: "percent")) var slippage: Double = 0.5
        @Option(help: ArgumentHelp("Seconds from now after which the swap is refused.", valueName: "seconds")) var deadline: Int = 120
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard slippage.isFinite, slippage >= 0, slippage <= 50 else { throw ValidationError("--slippage is 0 to 50 (percent)") }
            guard (1...3600).contains(deadline) else { throw ValidationError("--deadline is 1 to 3600 seconds") }
            if exactOutput, minReceived != nil { throw ValidationError("--min-received bounds an exact input; use --max-sold with --exact-output") }
            if !exactOutput, maxSold != nil { throw ValidationError("--max-sold bounds an exact output; use --min-received") }
        }

        func run() async throws {
            let request = SwapRequest(
                wallet: wallet, from: from, to: to, amount: amount, side: exactOutput ? .exactOutput : .exactInput, minimumReceived: minReceived,
                maximumSold: maxSold, slippageBps: Int((slippage * 100).rounded()), deadline: Date().addingTimeInterval(TimeInterval(deadline)))
            try await ServiceCall(config: try global.load(), service: .vvs).show(
                VVSMethod.swap, request, json: json, idempotencyKey: "swap-\(UUID().uuidString)"
            ) { swap in
                print("\(swap.amountIn.formatted(decimals: swap.decimalsIn)) \(swap.path.first ?? from) → \(swap.amountOut.formatted(decimals: swap.decimalsOut)) \(swap.path.last ?? to)")
                let style = Style.forStandardOutput()
                print(style.dim("\(swap.id): route \(swap.path.joined(separator: " → ")), settled in one batch"))
                print(style.dim("tx \(swap.transactions.joined(separator: ", "))"))
            }
        }
    }

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
