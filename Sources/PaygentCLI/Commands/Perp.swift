import ArgumentParser
import BigInt
import Foundation
import PaygentMoney
import PaygentMoonlanderAPI
import PaygentWire

/// `paygent perp`: perpetual futures on Moonlander.
struct Perp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Trade perpetual futures on Moonlander: long or short BTC, ETH and CRO with leverage, USDC collateral.",
        discussion: """
            The vault is the counterparty of every position. Opening costs 0.05% of the size plus a 0.30 USDC execution \
            fee, closing the same; every funding interval charges a holding fee, and the side with more open interest \
            pays the other a funding rate. A position whose remaining margin falls below maintenance is liquidated at \
            the tick that takes it there; its collateral goes to the vault. Amounts are USDC, prices USD.
            """,
        subcommands: [Markets.self, Open.self, Close.self, Positions.self, Collateral.self, StopLoss.self, TakeProfit.self, Funding.self, Price.self])

    struct Markets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every market: price, leverage limit, fees, open interest and its cap.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await ServiceCall(config: try global.load(), service: .moonlander).show(MoonlanderMethod.markets, MarketsRequest(), json: json) { reply in
                var table = Table(headers: ["MARKET", "PRICE", "MAX LEVERAGE", "MIN COLLATERAL", "OPEN/CLOSE FEE", "LONG OI", "SHORT OI", "OI CAP"])
                for market in reply.markets {
                    table.rows.append([
                        market.symbol, (market.price ?? "—") + (market.stale ? " (stale)" : ""), "\(market.maxLeverage)×",
                        Perp.usdc(market.minCollateral), "\(Perp.percent(market.openFeeBps))/\(Perp.percent(market.closeFeeBps)) + \(Perp.usdc(market.executionFee))",
                        Perp.usdc(market.longOpenInterest), Perp.usdc(market.shortOpenInterest), Perp.usdc(market.maxOpenInterest),
                    ])
                }
                print(table.render(style: Style.forStandardOutput()))
                print("vault \(reply.vault): \(Perp.usdc(reply.vaultBalance)) USDC")
            }
        }
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a long or short: the wallet puts up USDC collateral, the size is collateral × leverage.",
            discussion: "Example: paygent perp open long BTC-USD 100 --leverage 10 --wallet agent --stop-loss 90000")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("long or short.", valueName: "side")) var side: String
        @Argument(help: ArgumentHelp("The market (BTC-USD, ETH-USD, CRO-USD).", valueName: "market")) var market: String
        @Argument(help: ArgumentHelp("USDC collateral.", valueName: "collateral")) var collateral: String
        @Option(help: ArgumentHelp("1 up to the market's maximum.", valueName: "x")) var leverage: Int
        @Option(help: ArgumentHelp("The wallet that pays the collateral.", valueName: "wallet")) var wallet: String
        @Option(name: .customLong("stop-loss"), help: ArgumentHelp("Close at this price against you.", valueName: "price")) var stopLoss: String?
        @Option(name: .customLong("take-profit"), help: ArgumentHelp("Close at this price in your favour.", valueName: "price")) var takeProfit: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let request = OpenRequest(
                wallet: wallet, market: market, side: side, collateral: collateral, leverage: leverage, stopLoss: stopLoss, takeProfit: takeProfit)
            try await Perp.send(MoonlanderMethod.open, request, global: global, json: json)
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a position, or part of it, at the oracle's price.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The position's id.", valueName: "position")) var position: String
        @Option(help: ArgumentHelp("The wallet that owns it.", valueName: "wallet")) var wallet: String
        @Option(help: ArgumentHelp("Close only this much of the size (USDC); all when absent.", valueName: "usdc")) var size: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await Perp.send(MoonlanderMethod.close, CloseRequest(wallet: wallet, position: position, size: size), global: global, json: json)
        }
    }

    struct Positions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A wallet's positions: side, size, entry, mark, PnL and liquidation price.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The wallet (name or address).", valueName: "wallet")) var wallet: String
        @Flag(help: "Include closed and liquidated positions.") var all = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let request = PositionsRequest(wallet: wallet, includeClosed: all)
            try await ServiceCall(config: try global.load(), service: .moonlander).show(MoonlanderMethod.positions, request, json: json) { reply in
                guard !reply.positions.isEmpty else {
                    print("\(reply.wallet) has no \(all ? "" : "open ")positions")
                    return
                }
                let style = Style.forStandardOutput()
                var table = Table(headers: [
                    "ID", "MARKET", "SIDE", "SIZE", "COLLATERAL", "ENTRY", "MARK", "PNL", "FEES+FUNDING", "LIQ. PRICE", "SL / TP", "STATE",
                ])
                for position in reply.positions {
                    let carried = Perp.signed(position.fundingReceived.baseUnits, minus: position.accruedFees.baseUnits)
                    table.rows.append([
                        position.id, position.market, position.side, Perp.usdc(position.size), Perp.usdc(position.collateral), position.entryPrice,
                        position.markPrice ?? "—", Perp.signedUSDC(position.pnl), carried, position.liquidationPrice ?? "—",
                        "\(position.stopLoss ?? "—") / \(position.takeProfit ?? "—")", position.closeReason.map { "\(position.state) (\($0))" } ?? position.state,
                    ])
                }
                print(table.render(style: style) { _, column, text in
                    column == 7 || column == 8 ? (text.hasPrefix("-") ? style.red(text) : style.green(text)) : text
                })
                print(style.dim("amounts in USDC, prices in USD; FEES+FUNDING: funding received less holding fees and funding paid so far"))
            }
        }
    }

    struct Collateral: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add collateral to a position, or take some back within the leverage limit.",
            discussion: "Example: paygent perp collateral add pos_1a2b 25 --wallet agent")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("add (the wallet puts more USDC in) or remove (the vault pays some back).", valueName: "add|remove"))
        var change: CollateralRequest.Change
        @Argument(help: ArgumentHelp("The position's id.", valueName: "position")) var position: String
        @Argument(help: ArgumentHelp("USDC.", valueName: "amount")) var amount: String
        @Option(help: ArgumentHelp("The wallet that owns it.", valueName: "wallet")) var wallet: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let request = CollateralRequest(wallet: wallet, position: position, change: change, amount: amount)
            try await Perp.send(MoonlanderMethod.collateral, request, global: global, json: json)
        }
    }

    /// What `sl` and `tp` take: the position, the price (or `none`), the owner.
    struct TriggerArguments: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The position's id.", valueName: "position")) var position: String
        @Argument(help: ArgumentHelp("USD price, or none.", valueName: "price")) var price: String
        @Option(help: ArgumentHelp("The wallet that owns it.", valueName: "wallet")) var wallet: String
        @Flag(help: "Print JSON.") var json = false

        func send(stopLoss: Bool) async throws {
            let request = TriggersRequest(wallet: wallet, position: position, stopLoss: stopLoss ? price : nil, takeProfit: stopLoss ? nil : price)
            try await Perp.send(MoonlanderMethod.triggers, request, global: global, json: json)
        }
    }

    struct StopLoss: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sl", abstract: "Set a position's stop-loss (below the price for a long, above for a short); `none` clears it.")
        @OptionGroup var arguments: TriggerArguments

        func run() async throws {
            try await arguments.send(stopLoss: true)
        }
    }

    struct TakeProfit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tp", abstract: "Set a position's take-profit (above the price for a long, below for a short); `none` clears it.")
        @OptionGroup var arguments: TriggerArguments

        func run() async throws {
            try await arguments.send(stopLoss: false)
        }
    }

    struct Funding: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each market's funding rate, next funding time and open interest per side.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("One market; all when absent.", valueName: "market")) var market: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await ServiceCall(config: try global.load(), service: .moonlander).show(MoonlanderMethod.funding, FundingRequest(market: market), json: json) {
                reply in
                var table = Table(headers: ["MARKET", "PAYER", "RATE / INTERVAL", "HOLDING FEE", "INTERVAL", "NEXT FUNDING", "LONG OI", "SHORT OI"])
                for market in reply.markets {
                    table.rows.append([
                        market.market, market.payer ?? "—", String(format: "%.4f%%", Double(market.ratePPM) / 10_000),
                        Perp.percent(market.holdingFeeBps), humanDuration(Double(market.intervalSeconds)),
                        market.nextFunding.formatted(.iso8601), Perp.usdc(market.longOpenInterest), Perp.usdc(market.shortOpenInterest),
                    ])
                }
                print(table.render(style: Style.forStandardOutput()))
            }
        }
    }

    struct Price: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Admin: set a market's oracle price (demos and tests).", subcommands: [Set.self])

        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Set a market's price: a tick the keeper evaluates at once (stop-losses, take-profits, liquidations).",
                discussion: "Example: paygent perp price set BTC-USD 90000")
            @OptionGroup var global: GlobalOptions
            @Argument(help: ArgumentHelp("The market.", valueName: "market")) var market: String
            @Argument(help: ArgumentHelp("USD, up to 8 decimals.", valueName: "price")) var price: String
            @Flag(help: "Print JSON.") var json = false

            func run() async throws {
                let request = PriceSetRequest(market: market, price: price)
                try await ServiceCall(config: try global.load(), service: .moonlander).show(
                    MoonlanderMethod.priceSet, request, json: json, idempotencyKey: "perp-price-\(UUID().uuidString)"
                ) { tick in
                    print("\(tick.market) set to \(tick.price)")
                    if !tick.triggered.isEmpty { print("closed by a stop-loss or take-profit: \(tick.triggered.joined(separator: ", "))") }
                    if !tick.liquidated.isEmpty { print("liquidated: \(tick.liquidated.joined(separator: ", "))") }
                }
            }
        }
    }

    static func send<Request: Codable & Sendable>(
        _ method: RPCMethod<Request, PositionReply>, _ request: Request, global: GlobalOptions, json: Bool
    ) async throws {
        try await ServiceCall(config: try global.load(), service: .moonlander).show(method, request, json: json, idempotencyKey: "perp-\(UUID().uuidString)") {
            reply in
            let style = Style.forStandardOutput()
            let position = reply.position
            switch reply.action {
            case .open:
                print("opened \(position.side) \(position.market) \(position.id): size \(usdc(position.size)) USDC at \(reply.price)")
                print("collateral \(usdc(position.collateral)) USDC after \(usdc(reply.fees)) USDC of fees; liquidation at \(position.liquidationPrice ?? "—")")
            case .close, .stopLoss, .takeProfit, .liquidation:
                print("closed \(position.id) at \(reply.price): PnL \(signedUSDC(reply.realizedPnl)) USDC, fees \(usdc(reply.fees)) USDC, paid \(usdc(reply.moved)) USDC")
                if reply.carriedFees.baseUnits > 0 || reply.fundingReceived.baseUnits > 0 {
                    print("while open: \(usdc(reply.carriedFees)) USDC of holding fees and funding paid, \(usdc(reply.fundingReceived)) USDC of funding received")
                }
                if position.state == "open" { print("still open: size \(usdc(position.size)) USDC, collateral \(usdc(position.collateral)) USDC") }
            case .addCollateral, .removeCollateral:
                print("\(reply.action == .addCollateral ? "added" : "removed") \(usdc(reply.moved)) USDC: collateral now \(usdc(position.collateral)) USDC")
                print("liquidation price \(position.liquidationPrice ?? "—")")
            case .triggers:
                print("\(position.id): stop-loss \(position.stopLoss ?? "none"), take-profit \(position.takeProfit ?? "none")")
            }
            if !reply.transactions.isEmpty { print(style.dim("tx \(reply.transactions.joined(separator: ", "))")) }
        }
    }

    static func usdc(_ amount: Amount) -> String {
        amount.formatted(decimals: 6)
    }

    /// Signed base units ("-12500000") as signed USDC ("-12.5").
    static func signedUSDC(_ text: String) -> String {
        let negative = text.hasPrefix("-")
        guard let amount = try? Amount(baseUnitsString: negative ? String(text.dropFirst()) : text) else { return text }
        return (negative ? "-" : "") + usdc(amount)
    }

    /// `plus − minus` in base units, as signed USDC.
    static func signed(_ plus: BigUInt, minus: BigUInt) -> String {
        plus >= minus ? usdc((try? Amount(baseUnits: plus - minus)) ?? .zero) : "-" + usdc((try? Amount(baseUnits: minus - plus)) ?? .zero)
    }

    static func percent(_ bps: Int) -> String {
        String(format: "%.2f%%", Double(bps) / 100)
    }
}

extension CollateralRequest.Change: ExpressibleByArgument {}
