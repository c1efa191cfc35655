import BigInt

/// The arithmetic of a perpetual position against a liquidity vault, in integer base units: the
/// same rules as GMX's `Vault.sol` (PnL `size·|P − entry|/entry`) with Moonlander's fee schedule.
///
/// Amounts (collateral, size, fees, PnL) are in the collateral token's base units (USDC, 6
/// decimals); prices are USD with `priceDecimals` decimals (8, as Pyth publishes them). One
/// rounding rule throughout: **always in the vault's favour**, as the contracts do — what the
/// trader is owed rounds down, what the trader owes rounds up, and a liquidation price rounds
/// towards liquidation.
public enum PerpMath {
    public static let priceDecimals = 8
    static let bps = BigUInt(10_000)

    public enum Side: String, Sendable, Codable, CaseIterable {
        case long
        case short
    }

    /// The fee schedule and risk limits of one market.
    public struct Market: Sendable, Equatable {
        public var maxLeverage: Int
        public var openFeeBps: Int
        public var closeFeeBps: Int
        /// Charged on each open and on each close, in collateral base units ($0.30 = 300000).
        public var executionFee: BigUInt
        /// Charged on the size at each funding interval.
        public var holdingFeeBps: Int
        /// The margin a position must keep, in basis points of its size.
        public var maintenanceMarginBps: Int
        /// The funding rate per interval at full imbalance, and its cap, in millionths of size.
        public var fundingFactorPPM: Int
        public var maxFundingPPM: Int

        public init(
            maxLeverage: Int = 100, openFeeBps: Int = 5, closeFeeBps: Int = 5, executionFee: BigUInt = 300_000, holdingFeeBps: Int = 1,
            maintenanceMarginBps: Int = 50, fundingFactorPPM: Int = 100, maxFundingPPM: Int = 100
        ) {
            (self.maxLeverage, self.openFeeBps, self.closeFeeBps, self.executionFee) = (maxLeverage, openFeeBps, closeFeeBps, executionFee)
            (self.holdingFeeBps, self.maintenanceMarginBps, self.fundingFactorPPM, self.maxFundingPPM) =
                (holdingFeeBps, maintenanceMarginBps, fundingFactorPPM, maxFundingPPM)
        }
    }

    /// An open position: what was put in and what it has paid since.
    public struct Position: Sendable, Equatable, Codable {
        public var side: Side
        /// Collateral left after the opening fees.
        public var collateral: BigUInt
        public var size: BigUInt
        public var entryPrice: BigUInt
        /// Funding and holding fees charged since opening (funding received is subtracted, never
        /// below zero: a position's margin never grows from funding beyond what it paid).
        public var accruedFees: BigUInt
        public var fundingReceived: BigUInt

        public init(side: Side, collateral: BigUInt, size: BigUInt, entryPrice: BigUInt, accruedFees: BigUInt = 0, fundingReceived: BigUInt = 0) {
            (self.side, self.collateral, self.size, self.entryPrice, self.accruedFees, self.fundingReceived) =
                (side, collateral, size, entryPrice, accruedFees, fundingReceived)
        }
    }

    public enum Failure: Error, Equatable, Sendable {
        case leverageOutOfRange
        case collateralTooSmall
        case invalidPrice
    }

    /// `amount · bps / 10000`, rounded up (a fee).
    static func feeUp(_ amount: BigUInt, _ basisPoints: Int) -> BigUInt {
        (amount * BigUInt(basisPoints) + bps - 1) / bps
    }

    /// Opening with `deposit` at `leverage` at `price`: the size is the deposit times the
    /// leverage; the opening fee (on the size) and the execution fee come out of the deposit.
    public static func open(_ side: Side, deposit: BigUInt, leverage: Int, price: BigUInt, market: Market) throws(Failure) -> (position: Position, fees: BigUInt) {
        guard (1...market.maxLeverage).contains(leverage) else { throw .leverageOutOfRange }
        guard price > 0 else { throw .invalidPrice }
        let size = deposit * BigUInt(leverage)
        let fees = feeUp(size, market.openFeeBps) + market.executionFee
        guard deposit > fees else { throw .collateralTooSmall }
        return (Position(side: side, collateral: deposit - fees, size: size, entryPrice: price), fees)
    }

    /// Unrealized PnL at `price`: `size·|price − entry|/entry`, a profit rounded down and a loss
    /// rounded up. A profit is capped at the size (what a short gains at a price of zero), so the
    /// vault's liability per position is bounded and open interest can be capped by its
    /// liquidity. Returns (profit?, amount).
    public static func pnl(_ position: Position, at price: BigUInt) -> (profit: Bool, amount: BigUInt) {
        let up = price >= position.entryPrice
        let delta = up ? price - position.entryPrice : position.entryPrice - price
        let profit = (position.side == .long) == up
        let numerator = position.size * delta
        let amount = profit ? min(numerator / position.entryPrice, position.size) : (numerator + position.entryPrice - 1) / position.entryPrice
        return (profit || delta == 0, amount)
    }

    /// What the position would be left with at `price` before closing fees: collateral + PnL −
    /// fees + funding received; zero when the loss takes it all.
    public static func remainingMargin(_ position: Position, at price: BigUInt) -> BigUInt {
        let (profit, amount) = pnl(position, at: price)
        let credits = position.collateral + position.fundingReceived + (profit ? amount : 0)
        let debits = position.accruedFees + (profit ? 0 : amount)
        return credits > debits ? credits - debits : 0
    }

    /// The margin a position must keep: `maintenanceMarginBps` of its size, rounded up.
    public static func maintenanceMargin(_ position: Position, market: Market) -> BigUInt {
        feeUp(position.size, market.maintenanceMarginBps)
    }

    /// Liquidated at `price` when the remaining margin is below the maintenance margin.
    public static func isLiquidatable(_ position: Position, at price: BigUInt, market: Market) -> Bool {
        remainingMargin(position, at: price) < maintenanceMargin(position, market: market)
    }

    /// The price (in price units) at which the position becomes liquidatable: for a long the
    /// highest price at or below which it is, for a short the lowest at or above which it is. Nil
    /// for a long that no price down to zero liquidates (margin beyond its size). Worked out in
    /// closed form; the tests check it against `isLiquidatable` on both sides of the boundary.
    public static func liquidationPrice(_ position: Position, market: Market) -> BigUInt? {
        // Margin before PnL, less what must be kept: the loss that may be taken before liquidation.
        let buffer = position.collateral + position.fundingReceived
        let owed = position.accruedFees + maintenanceMargin(position, market: market)
        guard buffer >= owed else {
            // Below the maintenance margin without a profit: kept only while the profit,
            // ⌊size·|P − E|/E⌋ (capped at the size), covers the deficit, that is while
            // |P − E| ≥ ⌈deficit·E/size⌉ on the winning side; liquidatable at every price when
            // even the capped profit cannot cover it.
            let deficit = owed - buffer
            guard deficit <= position.size else { return position.side == .long ? BigUInt(UInt64.max) : 0 }
            let distance = (deficit * position.entryPrice + position.size - 1) / position.size
            switch position.side {
            case .long:
                return position.entryPrice + distance - 1
            case .short:
                return distance <= position.entryPrice ? position.entryPrice + 1 - distance : 0
            }
        }
        let room = buffer - owed
        // Liquidatable when the loss, ⌈size·|P − E|/E⌉, passes `room`: when size·|P − E| > room·E,
        // that is |P − E| ≥ ⌊room·E/size⌋ + 1. Exact in integers, with `pnl`'s rounding.
        let distance = room * position.entryPrice / position.size + 1
        switch position.side {
        case .long:
            return distance <= position.entryPrice ? position.entryPrice - distance : nil
        case .short:
            return position.entryPrice + distance
        }
    }

    /// Closing `position` at `price`: the closing fee (on the size) and the execution fee are
    /// charged; the trader receives what margin remains after them. When they exceed it, nothing
    /// is paid and the fees taken are the margin there was.
    public static func close(_ position: Position, at price: BigUInt, market: Market) -> (payout: BigUInt, fees: BigUInt) {
        let margin = remainingMargin(position, at: price)
        let fees = feeUp(position.size, market.closeFeeBps) + market.executionFee
        return margin > fees ? (margin - fees, fees) : (0, margin)
    }

    /// The margin the leverage limit is checked on: collateral and funding received less the fees
    /// owed and any loss at `price`; a profit not yet realized does not count.
    public static func marginWithoutProfit(_ position: Position, at price: BigUInt) -> BigUInt {
        let (profit, amount) = pnl(position, at: price)
        let credits = position.collateral + position.fundingReceived
        let debits = position.accruedFees + (profit ? 0 : amount)
        return credits > debits ? credits - debits : 0
    }

    /// The funding rate for one interval, in millionths of size: the heavier side pays
    /// `fundingFactor · |long − short| / (long + short)`, capped at `maxFunding`, rounded up;
    /// zero when balanced or empty. Returns the paying side and the rate.
    public static func fundingRate(longOpenInterest: BigUInt, shortOpenInterest: BigUInt, market: Market) -> (payer: Side?, ppm: BigUInt) {
        let total = longOpenInterest + shortOpenInterest
        guard total > 0, longOpenInterest != shortOpenInterest else { return (nil, 0) }
        let payer: Side = longOpenInterest > shortOpenInterest ? .long : .short
        let imbalance = payer == .long ? longOpenInterest - shortOpenInterest : shortOpenInterest - longOpenInterest
        let rate = (BigUInt(market.fundingFactorPPM) * imbalance + total - 1) / total
        return (payer, min(rate, BigUInt(market.maxFundingPPM)))
    }

    /// One funding interval applied to a position: the payer side pays `size·rate` (rounded up),
    /// the other side receives its share of what the payers paid, `size·rate·payerOI/receiverOI`
    /// (rounded down), so receivers never get more than payers pay; every position pays the
    /// holding fee on its size (rounded up).
    public static func applyInterval(
        _ position: inout Position, rate: (payer: Side?, ppm: BigUInt), longOpenInterest: BigUInt, shortOpenInterest: BigUInt, market: Market
    ) {
        position.accruedFees += feeUp(position.size, market.holdingFeeBps)
        guard let payer = rate.payer, rate.ppm > 0 else { return }
        let million = BigUInt(1_000_000)
        if position.side == payer {
            position.accruedFees += (position.size * rate.ppm + million - 1) / million
        } else {
            let (payerOI, receiverOI) = payer == .long ? (longOpenInterest, shortOpenInterest) : (shortOpenInterest, longOpenInterest)
            guard receiverOI > 0 else { return }
            position.fundingReceived += position.size * rate.ppm * payerOI / (million * receiverOI)
        }
    }

    /// `size` of a position taken out to close, the rest left open: the closing part takes its
    /// share of the collateral and of the funding received rounded down, and of the fees owed
    /// rounded up (the vault's favour); the two parts sum to the whole.
    public static func split(_ position: Position, closing size: BigUInt) -> (closing: Position, remaining: Position) {
        let share = { (amount: BigUInt) in amount * size / position.size }
        let shareUp = { (amount: BigUInt) in (amount * size + position.size - 1) / position.size }
        let closing = Position(
            side: position.side, collateral: share(position.collateral), size: size, entryPrice: position.entryPrice,
            accruedFees: min(shareUp(position.accruedFees), position.accruedFees), fundingReceived: share(position.fundingReceived))
        let remaining = Position(
            side: position.side, collateral: position.collateral - closing.collateral, size: position.size - size, entryPrice: position.entryPrice,
            accruedFees: position.accruedFees - closing.accruedFees, fundingReceived: position.fundingReceived - closing.fundingReceived)
        return (closing, remaining)
    }

    /// The sum of two signed amounts, each (non-negative?, magnitude).
    public static func add(_ a: (profit: Bool, amount: BigUInt), _ b: (profit: Bool, amount: BigUInt)) -> (profit: Bool, amount: BigUInt) {
        if a.profit == b.profit { return (a.profit, a.amount + b.amount) }
        return a.amount >= b.amount ? (a.profit || a.amount == b.amount, a.amount - b.amount) : (b.profit, b.amount - a.amount)
    }
}
