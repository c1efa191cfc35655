import BigInt
import Foundation
import PaygentLedgerAccounts
import PaygentMoney
import PaygentMoonlanderAPI
import PaygentServiceKit
import PaygentWire

extension PositionReply: SettledReply {}

/// What the desk shows: positions with their mark, PnL and liquidation price; markets; funding.
extension PerpDesk {
    static func amount(_ units: BigUInt) -> Amount {
        (try? Amount(baseUnits: units)) ?? .zero
    }

    /// A position as shown: an open one at `mark` (the oracle's price; none yet: entry), a closed
    /// one at its closing price with its realized PnL.
    func info(_ record: PositionRecord, mark: BigUInt?) -> PositionInfo {
        let spec = MarketSpec.named(record.market)
        var markPrice = mark
        var pnl = PerpFormat.signed(profit: record.realizedProfit, record.realizedPnl)
        var liquidation: String?
        if record.state == .open {
            let at = mark ?? record.position.entryPrice
            let (profit, amount) = PerpMath.pnl(record.position, at: at)
            pnl = PerpFormat.signed(profit: profit, amount)
            markPrice = at
            liquidation = spec.flatMap { PerpMath.liquidationPrice(record.position, market: $0.terms) }.map(PerpFormat.price)
        } else {
            markPrice = record.closePrice
        }
        return PositionInfo(
            id: record.id, wallet: record.wallet, market: record.market, side: record.position.side.rawValue, state: record.state.rawValue,
            collateral: Self.amount(record.position.collateral), size: Self.amount(record.position.size),
            entryPrice: PerpFormat.price(record.position.entryPrice), markPrice: markPrice.map(PerpFormat.price), pnl: pnl,
            accruedFees: Self.amount(record.position.accruedFees), fundingReceived: Self.amount(record.position.fundingReceived),
            liquidationPrice: liquidation, stopLoss: record.stopLoss.map(PerpFormat.price), takeProfit: record.takeProfit.map(PerpFormat.price),
            openedAt: record.openedAt, closedAt: record.closedAt, payout: record.state == .open ? nil : Self.amount(record.payout),
            closeReason: record.closeReason)
    }

    func positions(_ request: PositionsRequest) async throws -> PositionsReply {
        try ready()
        let wallet = try await walletAddress(request.wallet)
        let records = try store.positions(wallet: wallet, includeClosed: request.includeClosed)
        return PositionsReply(wallet: wallet, positions: records.map { info($0, mark: prices.latest($0.market)?.price) })
    }

    func markets() throws -> MarketsReply {
        let state = try ready()
        let now = time.now()
        return MarketsReply(
            vault: state.vaultAddress, vaultBalance: Self.amount(state.vaultBalance),
            markets: MarketSpec.all.map { spec in
                let market = state.markets[spec.symbol]
                let price = prices.latest(spec.symbol)
                return MarketInfo(
                    symbol: spec.symbol, maxLeverage: spec.terms.maxLeverage, minCollateral: Self.amount(spec.minCollateral),
                    openFeeBps: spec.terms.openFeeBps, closeFeeBps: spec.terms.closeFeeBps, executionFee: Self.amount(spec.terms.executionFee),
                    holdingFeeBps: spec.terms.holdingFeeBps, maintenanceMarginBps: spec.terms.maintenanceMarginBps,
                    maxOpenInterest: Self.amount(spec.maxOpenInterest(vaultSeed: state.vaultSeed)),
                    longOpenInterest: Self.amount(market?.longOpenInterest ?? 0), shortOpenInterest: Self.amount(market?.shortOpenInterest ?? 0),
                    price: price.map { PerpFormat.price($0.price) }, priceTime: price?.publishTime, stale: price.map { prices.isStale($0, now: now) } ?? true)
            })
    }

    func funding(_ request: FundingRequest) throws -> FundingReply {
        let state = try ready()
        var specs = MarketSpec.all
        if let wanted = request.market { specs = [try Self.market(wanted)] }
        return FundingReply(
            markets: specs.compactMap { spec in
                guard let market = state.markets[spec.symbol] else { return nil }
                let rate = PerpMath.fundingRate(longOpenInterest: market.longOpenInterest, shortOpenInterest: market.shortOpenInterest, market: spec.terms)
                return FundingInfo(
                    market: spec.symbol, payer: rate.payer?.rawValue, ratePPM: Int(rate.ppm), holdingFeeBps: spec.terms.holdingFeeBps,
                    intervalSeconds: Int(fundingInterval), nextFunding: market.nextFunding, longOpenInterest: Self.amount(market.longOpenInterest),
                    shortOpenInterest: Self.amount(market.shortOpenInterest))
            })
    }

    // MARK: input

    static func market(_ symbol: String) throws(PaygentError) -> MarketSpec {
        guard let spec = MarketSpec.named(symbol) else {
            throw PaygentError(.notFound, "no market '\(symbol)'; the markets are \(MarketSpec.all.map(\.symbol).joined(separator: ", "))")
        }
        return spec
    }

    /// The highest price taken: 1,000,000,000 USD.
    static let maxPrice = BigUInt(100_000_000_000_000_000)

    /// A USD price of up to 8 decimals, above zero and at most `maxPrice`; `field` as a person
    /// reads it ("stop-loss").
    static func price(_ text: String, field: String) throws(PaygentError) -> BigUInt {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !text.isEmpty, parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) else {
            throw PaygentError(.badRequest, "\(field): '\(text)' is not a price; write USD as digits with an optional point, like 96210.5; nothing moved")
        }
        guard parts.count < 2 || parts[1].count <= PerpMath.priceDecimals else {
            throw PaygentError(.badRequest, "\(field): '\(text)' has \(parts[1].count) decimals; prices have at most \(PerpMath.priceDecimals); nothing moved")
        }
        guard parts[0].count <= 12, let units = try? Amount(parsing: text, decimals: PerpMath.priceDecimals).baseUnits, units <= maxPrice else {
            throw PaygentError(.badRequest, "\(field): '\(text)' is above the highest price taken, 1000000000 USD; nothing moved")
        }
        guard units > 0 else { throw PaygentError(.badRequest, "\(field): a price must be above zero; nothing moved") }
        return units
    }

    static func usdc(_ text: String, field: String) throws(PaygentError) -> BigUInt {
        try Validate.amount(text, decimals: collateralDecimals, field: field).baseUnits
    }

    static func usdcText(_ units: BigUInt) -> String {
        PerpFormat.decimal(units, decimals: collateralDecimals)
    }

    func walletAddress(_ wallet: String) async throws -> String {
        try await WalletDirectory(payments: payments).address(of: wallet).lowercased()
    }
}
