import Foundation
import PaygentMoney

/// `moonlander.open`: the wallet signs `collateral` USDC to the vault; the position's size is
/// collateral × leverage, its entry the oracle's price. Opening and execution fees come out of the
/// collateral.
public struct OpenRequest: Codable, Sendable, Equatable {
    public var wallet: String
    public var market: String
    /// `long` or `short`.
    public var side: String
    /// USDC, human decimals.
    public var collateral: String
    public var leverage: Int
    /// Optional triggers, USD prices.
    public var stopLoss: String?
    public var takeProfit: String?

    public init(wallet: String, market: String, side: String, collateral: String, leverage: Int, stopLoss: String? = nil, takeProfit: String? = nil) {
        (self.wallet, self.market, self.side, self.collateral, self.leverage, self.stopLoss, self.takeProfit) =
            (wallet, market, side, collateral, leverage, stopLoss, takeProfit)
    }
}

/// `moonlander.close`: all of a position, or `size` of it (USDC of size, human decimals).
public struct CloseRequest: Codable, Sendable, Equatable {
    public var wallet: String
    public var position: String
    public var size: String?

    public init(wallet: String, position: String, size: String? = nil) {
        (self.wallet, self.position, self.size) = (wallet, position, size)
    }
}

/// `moonlander.collateral`: adds (the wallet signs it to the vault) or removes (the vault pays it
/// back) collateral, within the market's leverage limit.
public struct CollateralRequest: Codable, Sendable, Equatable {
    public enum Change: String, Codable, Sendable, CaseIterable {
        case add
        case remove
    }

    public var wallet: String
    public var position: String
    public var change: Change
    /// USDC, human decimals.
    public var amount: String

    public init(wallet: String, position: String, change: Change, amount: String) {
        (self.wallet, self.position, self.change, self.amount) = (wallet, position, change, amount)
    }
}

/// `moonlander.triggers`: sets or clears a position's stop-loss and take-profit. A field absent
/// is left as it is; `none` clears it.
public struct TriggersRequest: Codable, Sendable, Equatable {
    public var wallet: String
    public var position: String
    public var stopLoss: String?
    public var takeProfit: String?

    public init(wallet: String, position: String, stopLoss: String? = nil, takeProfit: String? = nil) {
        (self.wallet, self.position, self.stopLoss, self.takeProfit) = (wallet, position, stopLoss, takeProfit)
    }
}

public struct PositionsRequest: Codable, Sendable, Equatable {
    public var wallet: String
    /// Closed and liquidated positions too.
    public var includeClosed: Bool

    public init(wallet: String, includeClosed: Bool = false) {
        (self.wallet, self.includeClosed) = (wallet, includeClosed)
    }
}

/// A position as it stands (amounts USDC base units, prices USD decimal strings).
public struct PositionInfo: Codable, Sendable, Equatable {
    public var id: String
    public var wallet: String
    public var market: String
    public var side: String
    /// `open`, `closed` or `liquidated`.
    public var state: String
    /// Collateral after the opening fees.
    public var collateral: Amount
    public var size: Amount
    public var entryPrice: String
    /// The oracle's price now (open) or the closing price.
    public var markPrice: String?
    /// Signed USDC base units, e.g. "-12500000": at the mark price, or realized.
    public var pnl: String
    /// Holding fees and funding paid since opening, and funding received.
    public var accruedFees: Amount
    public var fundingReceived: Amount
    /// Absent when no price down to zero liquidates a long.
    public var liquidationPrice: String?
    public var stopLoss: String?
    public var takeProfit: String?
    public var openedAt: Date
    public var closedAt: Date?
    /// What the vault paid the wallet when closed.
    public var payout: Amount?
    /// `user`, `stop_loss`, `take_profit` or `liquidation`.
    public var closeReason: String?

    public init(
        id: String, wallet: String, market: String, side: String, state: String, collateral: Amount, size: Amount, entryPrice: String,
        markPrice: String?, pnl: String, accruedFees: Amount, fundingReceived: Amount, liquidationPrice: String?, stopLoss: String?,
        takeProfit: String?, openedAt: Date, closedAt: Date? = nil, payout: Amount? = nil, closeReason: String? = nil
    ) {
        (self.id, self.wallet, self.market, self.side, self.state, self.collateral, self.size) = (id, wallet, market, side, state, collateral, size)
        (self.entryPrice, self.markPrice, self.pnl, self.accruedFees, self.fundingReceived) = (entryPrice, markPrice, pnl, accruedFees, fundingReceived)
        (self.liquidationPrice, self.stopLoss, self.takeProfit, self.openedAt, self.closedAt, self.payout, self.closeReason) =
            (liquidationPrice, stopLoss, takeProfit, openedAt, closedAt, payout, closeReason)
    }
}

public struct PositionsReply: Codable, Sendable, Equatable {
    public var wallet: String
    public var positions: [PositionInfo]

    public init(wallet: String, positions: [PositionInfo]) {
        (self.wallet, self.positions) = (wallet, positions)
    }
}

/// What an open, close, collateral change or trigger change did (also the position events).
public struct PositionReply: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable, CaseIterable {
        case open
        case close
        case addCollateral = "add_collateral"
        case removeCollateral = "remove_collateral"
        case triggers
        case stopLoss = "stop_loss"
        case takeProfit = "take_profit"
        case liquidation
    }

    public var action: Action
    public var position: PositionInfo
    /// The price it was done at.
    public var price: String
    /// Fees charged by this action (opening or closing and execution), base units.
    public var fees: Amount
    /// USDC moved to the vault (open, add) or paid by it (close, remove), base units.
    public var moved: Amount
    /// Signed USDC base units realized by a close (the price's PnL), "0" otherwise.
    public var realizedPnl: String
    /// What the closed part paid while open (holding fees and funding) and received in funding,
    /// settled by a close; zero for other actions.
    public var carriedFees: Amount
    public var fundingReceived: Amount
    public var transactions: [String]

    public init(
        action: Action, position: PositionInfo, price: String, fees: Amount, moved: Amount, realizedPnl: String, carriedFees: Amount = .zero,
        fundingReceived: Amount = .zero, transactions: [String]
    ) {
        (self.action, self.position, self.price, self.fees, self.moved, self.realizedPnl, self.transactions) =
            (action, position, price, fees, moved, realizedPnl, transactions)
        (self.carriedFees, self.fundingReceived) = (carriedFees, fundingReceived)
    }
}
