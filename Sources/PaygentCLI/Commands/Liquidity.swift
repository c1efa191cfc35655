import ArgumentParser
import BigInt
import Foundation
import PaygentMoney
import PaygentVVSAPI

/// `paygent liquidity`: deposits into and withdrawals from VVS pools, and a wallet's positions.
struct Liquidity: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add liquidity to VVS pools, remove it, and show a wallet's positions.", subcommands: [Add.self, Remove.self, Positions.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deposit two tokens into their pool at its current ratio; the pool mints LP tokens to the wallet.",
            discussion: """
                Example: paygent liquidity add 1000 CRO 90 USDC --wallet agent. The pool takes all of one amount and \
                what matches it of the other at the pool's ratio (never more than offered); --slippage bounds how far \
                below the offer either may fall. Both deposits and the LP minted settle as one all-or-nothing batch.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Most of token A to deposit.", valueName: "amount-a")) var amountA: String
        @Argument(help: ArgumentHelp("Token A.", valueName: "token-a")) var tokenA: String
        @Argument(help: ArgumentHelp("Most of token B to deposit.", valueName: "amount-b")) var amountB: String
        @Argument(help: ArgumentHelp("Token B.", valueName: "token-b")) var tokenB: String
        @Option(help: ArgumentHelp("The wallet that deposits and receives the LP.", valueName: "wallet")) var wallet: String
        @Option(help: ArgumentHelp("How far below the offer a deposit may fall, percent 0 to 50.", valueName: "percent")) var slippage: Double = 0.5
        @Option(help: ArgumentHelp("Seconds from now after which the deposit is refused.", valueName: "seconds")) var deadline: Int = 120
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard slippage.isFinite, slippage >= 0, slippage <= 50 else { throw ValidationError("--slippage is 0 to 50 (percent)") }
            guard (1...3600).contains(deadline) else { throw ValidationError("--deadline is 1 to 3600 seconds") }
        }

        func run() async throws {
            let call = ServiceCall(config: try global.load(), service: .vvs)
            let (minA, minB) = try await minimums(call)
            let request = AddLiquidityRequest(
                wallet: wallet, tokenA: tokenA, tokenB: tokenB, amountA: amountA, amountB: amountB, amountAMin: minA, amountBMin: minB,
                deadline: Date().addingTimeInterval(TimeInterval(deadline)))
            try await call.show(VVSMethod.addLiquidity, request, json: json, idempotencyKey: "liquidity-\(UUID().uuidString)", human: Liquidity.describe)
        }

        /// The deposit at the pool's ratio now (the router's optimal amounts), less --slippage: how
        /// far the ratio may move before the deposit settles. Nil when the pool or amounts are
        /// unknown here; the service then explains.
        private func minimums(_ call: ServiceCall) async throws -> (String?, String?) {
            let pools = try await call.call(VVSMethod.pools, PoolsRequest()).pools
            let (a, b) = (tokenA.uppercased(), tokenB.uppercased())
            guard let pool = pools.first(where: { Set([$0.token0.symbol, $0.token1.symbol]) == Set([a, b]) }) else { return (nil, nil) }
            let aIs0 = pool.token0.symbol == a
            let (tokenOfA, tokenOfB) = aIs0 ? (pool.token0, pool.token1) : (pool.token1, pool.token0)
            let (reserveA, reserveB) = aIs0 ? (pool.reserve0.baseUnits, pool.reserve1.baseUnits) : (pool.reserve1.baseUnits, pool.reserve0.baseUnits)
            guard let desiredA = try? Amount(parsing: amountA, decimals: tokenOfA.decimals).baseUnits,
                let desiredB = try? Amount(parsing: amountB, decimals: tokenOfB.decimals).baseUnits, reserveA > 0, reserveB > 0
            else { return (nil, nil) }
            var (depositA, depositB) = (desiredA, desiredA * reserveB / reserveA)
            if depositB > desiredB { (depositA, depositB) = (desiredB * reserveA / reserveB, desiredB) }
            let kept = BigUInt(10_000 - Int((slippage * 100).rounded()))
            return (
                try Amount(baseUnits: depositA * kept / 10_000).formatted(decimals: tokenOfA.decimals),
                try Amount(baseUnits: depositB * kept / 10_000).formatted(decimals: tokenOfB.decimals)
            )
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Return LP tokens to their pool, which burns them and pays the wallet its share of both tokens.",
            discussion: "Example: paygent liquidity remove 12.5 CRO USDC --wallet agent --min-a 900 --min-b 80.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("LP tokens to return.", valueName: "liquidity")) var liquidity: String
        @Argument(help: ArgumentHelp("Token A of the pool.", valueName: "token-a")) var tokenA: String
        @Argument(help: ArgumentHelp("Token B of the pool.", valueName: "token-b")) var tokenB: String
        @Option(help: ArgumentHelp("The wallet that holds the LP.", valueName: "wallet")) var wallet: String
        @Option(name: .customLong("min-a"), help: ArgumentHelp("Least of token A accepted.", valueName: "amount")) var minA: String?
        @Option(name: .customLong("min-b"), help: ArgumentHelp("Least of token B accepted.", valueName: "amount")) var minB: String?
        @Option(help: ArgumentHelp("Seconds from now after which the withdrawal is refused.", valueName: "seconds")) var deadline: Int = 120
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard (1...3600).contains(deadline) else { throw ValidationError("--deadline is 1 to 3600 seconds") }
        }

        func run() async throws {
            let request = RemoveLiquidityRequest(
                wallet: wallet, tokenA: tokenA, tokenB: tokenB, liquidity: liquidity, amountAMin: minA, amountBMin: minB,
                deadline: Date().addingTimeInterval(TimeInterval(deadline)))
            try await ServiceCall(config: try global.load(), service: .vvs).show(
                VVSMethod.removeLiquidity, request, json: json, idempotencyKey: "liquidity-\(UUID().uuidString)", human: Liquidity.describe)
        }
    }

    struct Positions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A wallet's LP in each pool, held and staked, its share and what it withdraws now.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The wallet (name or address).", valueName: "wallet")) var wallet: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await ServiceCall(config: try global.load(), service: .vvs).show(VVSMethod.positions, PositionsRequest(wallet: wallet), json: json) { reply in
                guard !reply.positions.isEmpty else {
                    print("\(reply.wallet) holds no LP")
                    return
                }
                var table = Table(headers: ["POOL", "LP HELD", "LP STAKED", "SHARE", "WITHDRAWS"])
                for position in reply.positions {
                    table.rows.append([
                        position.pool, position.liquidity.formatted(decimals: 18), position.staked.formatted(decimals: 18),
                        position.sharePPM == 0 ? "< 0.0001%" : "\(Swap.decimal(Double(position.sharePPM) / 10_000))%",
                        "\(position.amount0.formatted(decimals: position.decimals0)) \(position.token0) + "
                            + "\(position.amount1.formatted(decimals: position.decimals1)) \(position.token1)",
                    ])
                }
                print(table.render(style: Style.forStandardOutput()))
            }
        }
    }

    static func describe(_ reply: LiquidityReply) {
        let style = Style.forStandardOutput()
        let pair = reply.pool.split(separator: "-").map(String.init)
        let amounts = "\(reply.amount0.formatted(decimals: reply.decimals0)) \(pair.first ?? "") + \(reply.amount1.formatted(decimals: reply.decimals1)) \(pair.last ?? "")"
        switch reply.kind {
        case .add: print("deposited \(amounts); minted \(reply.liquidity.formatted(decimals: 18)) \(reply.lpToken)")
        case .remove: print("burned \(reply.liquidity.formatted(decimals: 18)) \(reply.lpToken); received \(amounts)")
        }
        print(style.dim("\(reply.id): pool \(reply.pool) now \(reply.reserve0.formatted(decimals: reply.decimals0)) + \(reply.reserve1.formatted(decimals: reply.decimals1)), LP supply \(reply.lpSupply.formatted(decimals: 18))"))
        print(style.dim("tx \(reply.transactions.joined(separator: ", "))"))
    }
}
