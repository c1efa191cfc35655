import BigInt
import Foundation
import PaygentCommands
import PaygentMoney
import PaygentMoonlanderAPI
import PaygentOrchestratorAPI
import PaygentVVSAPI

/// Steps that call VVS (swaps, liquidity, farms) and Moonlander (perpetuals).
extension StepContext {
    mutating func vvs(_ calls: inout [ToolCall]) async throws -> String {
        let clients = agent.tools
        switch todo.tool {
        case "vvs.quote":
            let (from, to, text) = try swapTerms()
            let quote = try await clients.call(VVSMethod.quote, QuoteRequest(from: from, to: to, amount: text), step: todo.step, log: &calls)
            self["minimum"] = quote.minimumReceived.formatted(decimals: quote.decimalsOut)
            return "\(quote.amountIn.formatted(decimals: quote.decimalsIn)) \(from) → \(quote.amountOut.formatted(decimals: quote.decimalsOut)) \(to) over \(quote.pools.joined(separator: ", ")), price impact \(String(format: "%.2f", Double(quote.priceImpactPPM) / 10_000))%, at least \(quote.minimumReceived.formatted(decimals: quote.decimalsOut)) \(to)"
        case "vvs.swap":
            let costs = try checkedCosts()
            let (from, to, text) = try swapTerms()
            let reply = try await clients.call(
                VVSMethod.swap, SwapRequest(wallet: wallet, from: from, to: to, amount: text, minimumReceived: self["minimum"]), step: todo.step, key: key,
                log: &calls)
            spent.append(contentsOf: costs)
            self["transactions"] = reply.transactions.first ?? ""
            self["payer"] = reply.trader
            let out = reply.amountOut.formatted(decimals: reply.decimalsOut)
            memory["last_swap"] = "\(out)|\(to)|\(from)"
            return "swapped \(reply.amountIn.formatted(decimals: reply.decimalsIn)) \(from) for \(out) \(to) (\(reply.id))"
        case "vvs.add_liquidity":
            let costs = try checkedCosts()
            let reply = try await clients.call(
                VVSMethod.addLiquidity,
                AddLiquidityRequest(wallet: wallet, tokenA: intent.token ?? "", tokenB: intent.toToken ?? "", amountA: intent.amount ?? "", amountB: intent.toAmount ?? ""),
                step: todo.step, key: key, log: &calls)
            spent.append(contentsOf: costs)
            self["transactions"] = reply.transactions.prefix(2).joined(separator: ",")
            return "deposited \(reply.amount0.formatted(decimals: reply.decimals0)) and \(reply.amount1.formatted(decimals: reply.decimals1)) in \(reply.pool) for \(reply.liquidity.formatted(decimals: 18)) LP"
        case "vvs.positions":
            let reply = try await clients.call(VVSMethod.positions, PaygentVVSAPI.PositionsRequest(wallet: wallet), step: todo.step, log: &calls)
            let wanted = Set((intent.pool ?? "").split(separator: "-").map(String.init))
            guard let position = reply.positions.first(where: { Set($0.pool.split(separator: "-").map(String.init)) == wanted }) else {
                throw StepFailure("\(wallet) has no LP in \(intent.pool ?? "that pool")")
            }
            self["lp.held"] = position.liquidity.formatted(decimals: 18)
            self["lp.staked"] = position.staked.formatted(decimals: 18)
            return "\(position.liquidity.formatted(decimals: 18)) LP held, \(position.staked.formatted(decimals: 18)) staked in \(position.pool)"
        case "vvs.remove_liquidity":
            let pair = (intent.pool ?? "").split(separator: "-").map(String.init)
            guard pair.count == 2 else { throw StepFailure("no pool named") }
            let liquidity = intent.amount == "all" ? (self["lp.held"] ?? "0") : (intent.amount ?? "0")
            guard liquidity != "0" else { throw StepFailure("\(wallet) holds no LP of \(intent.pool ?? "") to withdraw (staked LP must be unstaked first)") }
            let reply = try await clients.call(
                VVSMethod.removeLiquidity, RemoveLiquidityRequest(wallet: wallet, tokenA: pair[0], tokenB: pair[1], liquidity: liquidity), step: todo.step,
                key: key, log: &calls)
            return "withdrew \(reply.liquidity.formatted(decimals: 18)) LP from \(reply.pool): \(reply.amount0.formatted(decimals: reply.decimals0)) and \(reply.amount1.formatted(decimals: reply.decimals1))"
        default:
            let action = String(todo.tool.dropFirst("vvs.farm_".count))
            let amount: String? =
                switch action {
                case "harvest": nil
                case "stake": intent.amount == "all" ? self["lp.held"] : intent.amount
                default: intent.amount == "all" ? self["lp.staked"] : intent.amount
                }
            if action != "harvest", amount == nil || amount == "0" {
                throw StepFailure("\(wallet) has no LP of \(intent.pool ?? "") to \(action)")
            }
            let method = action == "stake" ? VVSMethod.farmStake : action == "unstake" ? VVSMethod.farmUnstake : VVSMethod.farmHarvest
            let reply = try await clients.call(method, FarmRequest(wallet: wallet, pool: intent.pool ?? "", amount: amount), step: todo.step, key: key, log: &calls)
            return "\(action) in the \(reply.pool) farm: \(reply.amount.formatted(decimals: 18)) LP, \(reply.reward.formatted(decimals: 18)) VVS paid, \(reply.staked.formatted(decimals: 18)) LP staked"
        }
    }

    mutating func moonlander(_ calls: inout [ToolCall]) async throws -> String {
        let clients = agent.tools
        switch todo.tool {
        case "moonlander.markets":
            let reply = try await clients.call(MoonlanderMethod.markets, MarketsRequest(), step: todo.step, log: &calls)
            guard let market = reply.markets.first(where: { $0.symbol == intent.market }) else {
                throw StepFailure("no market \(intent.market ?? ""); markets: \(reply.markets.map(\.symbol).joined(separator: ", "))")
            }
            if let leverage = intent.leverage, leverage > market.maxLeverage {
                throw StepFailure("leverage \(leverage)× is above \(market.symbol)'s limit of \(market.maxLeverage)×")
            }
            let collateral = try amount(intent.collateral ?? Planner.defaultCollateral, "USDC", field: "collateral")
            if collateral < market.minCollateral {
                throw StepFailure(
                    "collateral \(collateral.formatted(decimals: 6)) USDC is below \(market.symbol)'s minimum of \(market.minCollateral.formatted(decimals: 6)) USDC; nothing was spent")
            }
            return "\(market.symbol) at \(market.price ?? "no price yet"), leverage up to \(market.maxLeverage)×, collateral from \(market.minCollateral.formatted(decimals: 6)) USDC"
        case "moonlander.open":
            let costs = try checkedCosts()
            let reply = try await clients.call(
                MoonlanderMethod.open,
                OpenRequest(wallet: wallet, market: intent.market ?? "", side: intent.side ?? "", collateral: intent.collateral ?? Planner.defaultCollateral, leverage: intent.leverage ?? 1),
                step: todo.step, key: key, log: &calls)
            spent.append(contentsOf: costs)
            self["transactions"] = reply.transactions.first ?? ""
            memory["last_position"] = reply.position.id
            return "opened a \(intent.leverage ?? 1)× \(reply.position.side) on \(reply.position.market) (\(reply.position.id)): size \(reply.position.size.formatted(decimals: 6)) USDC at \(reply.price), liquidation at \(reply.position.liquidationPrice ?? "none")"
        case "moonlander.positions":
            let reply = try await clients.call(
                MoonlanderMethod.positions, PaygentMoonlanderAPI.PositionsRequest(wallet: wallet), step: todo.step, log: &calls)
            let open = reply.positions.filter { $0.state == "open" }
            let position: PositionInfo?
            if let id = intent.position {
                position = open.first { $0.id == id }
            } else if let market = intent.market {
                position = open.filter { $0.market == market }.max { $0.openedAt < $1.openedAt }
            } else {
                position = session.memory["last_position"].flatMap { id in open.first { $0.id == id } }
            }
            guard let position else {
                throw StepFailure("\(wallet) has no open position \(intent.position ?? intent.market.map { "on \($0)" } ?? "opened last in this session")")
            }
            self["position"] = position.id
            return "\(position.id): \(position.side) \(position.market), size \(position.size.formatted(decimals: 6)) USDC, entry \(position.entryPrice), mark \(position.markPrice ?? "?")"
        case "moonlander.close":
            guard let id = self["position"] else { throw StepFailure("no position was found to close") }
            let reply = try await clients.call(MoonlanderMethod.close, CloseRequest(wallet: wallet, position: id), step: todo.step, key: key, log: &calls)
            return "closed \(id) at \(reply.price): PnL \(Self.signedUSDC(reply.realizedPnl)) USDC, fees \(reply.fees.formatted(decimals: 6)) USDC, paid \(reply.moved.formatted(decimals: 6)) USDC"
        case "moonlander.triggers":
            guard let id = self["position"], let price = intent.price else { throw StepFailure("no position was found") }
            let stopLoss = intent.intent == .setStopLoss ? price : nil
            let request = TriggersRequest(wallet: wallet, position: id, stopLoss: stopLoss, takeProfit: stopLoss == nil ? price : nil)
            let reply = try await clients.call(MoonlanderMethod.triggers, request, step: todo.step, key: key, log: &calls)
            return "\(id): stop-loss \(reply.position.stopLoss ?? "none"), take-profit \(reply.position.takeProfit ?? "none")"
        default:
            let reply = try await clients.call(MoonlanderMethod.funding, FundingRequest(market: intent.market), step: todo.step, log: &calls)
            return reply.markets.map {
                "\($0.market): \(String(format: "%.4f", Double($0.ratePPM) / 10_000))% per \($0.intervalSeconds / 3600)h paid by \($0.payer ?? "neither side"), holding fee \(String(format: "%.2f", Double($0.holdingFeeBps) / 100))%"
            }.joined(separator: "; ")
        }
    }

    /// Signed base units of USDC ("-12500000") as "-12.5".
    static func signedUSDC(_ text: String) -> String {
        let negative = text.hasPrefix("-")
        let digits = negative ? String(text.dropFirst()) : text
        let amount = (try? Amount(baseUnitsString: digits))?.formatted(decimals: 6) ?? digits
        return (negative ? "-" : "") + amount
    }
}
