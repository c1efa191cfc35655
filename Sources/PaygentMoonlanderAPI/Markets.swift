import Foundation
import PaygentMoney

public struct MarketsRequest: Codable, Sendable, Equatable {
    public init() {}
}

/// One perpetual market: its limits, fee schedule and the oracle's latest price. Amounts are USDC
/// base units (6 decimals); prices are USD decimal strings with up to 8 decimals.
public struct MarketInfo: Codable, Sendable, Equatable {
    public var symbol: String
    public var maxLeverage: Int
    public var minCollateral: Amount
    public var openFeeBps: Int
    public var closeFeeBps: Int
    public var executionFee: Amount
    /// Charged on the size at each funding interval.
    public var holdingFeeBps: Int
    public var maintenanceMarginBps: Int
    /// The cap on each side's open interest (size), base units.
    public var maxOpenInterest: Amount
    public var longOpenInterest: Amount
    public var shortOpenInterest: Amount
    /// Absent until the oracle has answered once.
    public var price: String?
    public var priceTime: Date?
    /// The price is older than the service's limit: opening is paused.
    public var stale: Bool

    public init(
        symbol: String, maxLeverage: Int, minCollateral: Amount, openFeeBps: Int, closeFeeBps: Int, executionFee: Amount, holdingFeeBps: Int,
        maintenanceMarginBps: Int, maxOpenInterest: Amount, longOpenInterest: Amount, shortOpenInterest: Amount, price: String?, priceTime: Date?,
        stale: Bool
    ) {
        (self.symbol, self.maxLeverage, self.minCollateral, self.openFeeBps, self.closeFeeBps) = (symbol, maxLeverage, minCollateral, openFeeBps, closeFeeBps)
        (self.executionFee, self.holdingFeeBps, self.maintenanceMarginBps, self.maxOpenInterest) =
            (executionFee, holdingFeeBps, maintenanceMarginBps, maxOpenInterest)
        (self.longOpenInterest, self.shortOpenInterest, self.price, self.priceTime, self.stale) =
            (longOpenInterest, shortOpenInterest, price, priceTime, stale)
    }
}

public struct MarketsReply: Codable, Sendable, Equatable {
    /// The vault's ledger address, the counterparty of every position.
    public var vault: String
    /// The vault's USDC on the ledger, base units.
    public var vaultBalance: Amount
    public var markets: [MarketInfo]

    public init(vault: String, vaultBalance: Amount, markets: [MarketInfo]) {
        (self.vault, self.vaultBalance, self.markets) = (vault, vaultBalance, markets)
    }
}

/// `moonlander.price_set`: an admin sets a market's oracle price (demos and tests); it is a tick
/// like any other: the keeper evaluates it.
public struct PriceSetRequest: Codable, Sendable, Equatable {
    public var market: String
    /// USD, up to 8 decimals.
    public var price: String

    public init(market: String, price: String) {
        (self.market, self.price) = (market, price)
    }
}

/// A price tick (the `moonlander.price.<market>` event, and `price_set`'s reply): what the keeper
/// did with it.
public struct PriceTick: Codable, Sendable, Equatable {
    public var market: String
    public var price: String
    public var time: Date
    /// Positions this tick closed by a stop-loss or take-profit, and liquidated.
    public var triggered: [String]
    public var liquidated: [String]

    public init(market: String, price: String, time: Date, triggered: [String] = [], liquidated: [String] = []) {
        (self.market, self.price, self.time, self.triggered, self.liquidated) = (market, price, time, triggered, liquidated)
    }
}

public struct FundingRequest: Codable, Sendable, Equatable {
    /// One market, or all when absent.
    public var market: String?

    public init(market: String? = nil) {
        self.market = market
    }
}

/// A market's funding: the heavier side pays the lighter `factor·|long − short|/(long + short)`
/// of its size per interval (capped), and every position pays the holding fee.
public struct FundingInfo: Codable, Sendable, Equatable {
    public var market: String
    /// `long`, `short`, or absent when balanced.
    public var payer: String?
    /// Per interval, in millionths of size.
    public var ratePPM: Int
    public var holdingFeeBps: Int
    public var intervalSeconds: Int
    public var nextFunding: Date
    public var longOpenInterest: Amount
    public var shortOpenInterest: Amount

    public init(
        market: String, payer: String?, ratePPM: Int, holdingFeeBps: Int, intervalSeconds: Int, nextFunding: Date, longOpenInterest: Amount,
        shortOpenInterest: Amount
    ) {
        (self.market, self.payer, self.ratePPM, self.holdingFeeBps, self.intervalSeconds) = (market, payer, ratePPM, holdingFeeBps, intervalSeconds)
        (self.nextFunding, self.longOpenInterest, self.shortOpenInterest) = (nextFunding, longOpenInterest, shortOpenInterest)
    }
}

public struct FundingReply: Codable, Sendable, Equatable {
    public var markets: [FundingInfo]

    public init(markets: [FundingInfo]) {
        self.markets = markets
    }
}

/// The `moonlander.funding` event: one interval applied to a market's open positions.
public struct FundingApplied: Codable, Sendable, Equatable {
    public var market: String
    public var payer: String?
    public var ratePPM: Int
    public var time: Date
    public var positions: Int
    /// Funding paid by the heavier side and holding fees charged, base units.
    public var fundingPaid: Amount
    public var holdingFees: Amount

    public init(market: String, payer: String?, ratePPM: Int, time: Date, positions: Int, fundingPaid: Amount, holdingFees: Amount) {
        (self.market, self.payer, self.ratePPM, self.time, self.positions, self.fundingPaid, self.holdingFees) =
            (market, payer, ratePPM, time, positions, fundingPaid, holdingFees)
    }
}
