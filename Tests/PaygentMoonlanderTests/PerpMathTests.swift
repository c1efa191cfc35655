import BigInt
import PaygentMoonlander
import XCTest

/// Perpetual positions through price paths, with every amount worked out here by hand: sizes and
/// fees, PnL rounded in the vault's favour, the exact liquidation boundary (liquidated at it, not
/// one price unit before), closing, and funding that never pays receivers more than payers paid.
final class PerpMathTests: XCTestCase {
    let market = PerpMath.Market()  // 100×, 5 bps open and close, $0.30 execution, 1 bps holding, 50 bps maintenance
    /// $96,210.00 with 8 decimals.
    let entry = BigUInt(9_621_000_000_000)

    func testOpeningChargesTheFeesOnTheSize() throws {
        let (position, fees) = try PerpMath.open(.long, deposit: 100_000_000, leverage: 10, price: entry, market: market)
        XCTAssertEqual(position.size, 1_000_000_000, "100 USDC at 10×")
        XCTAssertEqual(fees, 500_000 + 300_000, "5 bps of the size and $0.30")
        XCTAssertEqual(position.collateral, 99_200_000)
        XCTAssertEqual(position.entryPrice, entry)
        XCTAssertThrowsError(try PerpMath.open(.long, deposit: 100_000_000, leverage: 101, price: entry, market: market))
        XCTAssertThrowsError(try PerpMath.open(.long, deposit: 100_000_000, leverage: 0, price: entry, market: market))
        XCTAssertThrowsError(try PerpMath.open(.short, deposit: 300_000, leverage: 1, price: entry, market: market)) { error in
            XCTAssertEqual(error as? PerpMath.Failure, .collateralTooSmall)
        }
    }

    func testProfitRoundsDownAndLossRoundsUp() throws {
        let (long, _) = try PerpMath.open(.long, deposit: 100_000_000, leverage: 10, price: entry, market: market)
        var short = long
        short.side = .short
        // ±1 %: exactly 10 USDC either way.
        XCTAssertTrue(PerpMath.pnl(long, at: 9_717_210_000_000) == (true, 10_000_000))
        XCTAssertTrue(PerpMath.pnl(long, at: 9_524_790_000_000) == (false, 10_000_000))
        XCTAssertTrue(PerpMath.pnl(short, at: 9_524_790_000_000) == (true, 10_000_000))
        // One cent: 10^9 · 10^6 / 9.621·10^12 = 103.94… base units.
        XCTAssertTrue(PerpMath.pnl(long, at: entry + 1_000_000) == (true, 103), "a profit rounds down")
        XCTAssertTrue(PerpMath.pnl(long, at: entry - 1_000_000) == (false, 104), "a loss rounds up")
        XCTAssertTrue(PerpMath.pnl(short, at: entry + 1_000_000) == (false, 104))
        XCTAssertTrue(PerpMath.pnl(short, at: entry - 1_000_000) == (true, 103))
        XCTAssertTrue(PerpMath.pnl(long, at: entry) == (true, 0))
    }

    /// Collateral 99.2 USDC, maintenance 5 USDC: the loss may reach 94.2 USDC. The loss
    /// `ceil(10^9·(E − P)/E)` passes 94,200,000 exactly when E − P > 94,200,000·E/10^9 =
    /// 906,298,200,000 price units: a long is liquidatable from 8,714,701,799,999 down, a short
    /// from 10,527,298,200,001 up.
    func testLiquidationHappensAtTheBoundaryAndNotOneTickBefore() throws {
        let (long, _) = try PerpMath.open(.long, deposit: 100_000_000, leverage: 10, price: entry, market: market)
        var short = long
        short.side = .short
        XCTAssertEqual(PerpMath.liquidationPrice(long, market: market), 8_714_701_799_999)
        XCTAssertEqual(PerpMath.liquidationPrice(short, market: market), 10_527_298_200_001)
        XCTAssertFalse(PerpMath.isLiquidatable(long, at: 8_714_701_800_000, market: market), "margin exactly at maintenance is kept")
        XCTAssertTrue(PerpMath.isLiquidatable(long, at: 8_714_701_799_999, market: market))
        XCTAssertFalse(PerpMath.isLiquidatable(short, at: 10_527_298_200_000, market: market))
        XCTAssertTrue(PerpMath.isLiquidatable(short, at: 10_527_298_200_001, market: market))

        // A price path falling by a tenth of a cent a tick across the boundary: the first tick
        // that liquidates is the liquidation price's.
        var price = BigUInt(8_714_701_800_000) + 500_000
        var firstLiquidating: BigUInt?
        while price >= 8_714_701_600_000, firstLiquidating == nil {
            if PerpMath.isLiquidatable(long, at: price, market: market) { firstLiquidating = price }
            price -= 100_000
        }
        XCTAssertEqual(firstLiquidating, 8_714_701_700_000, "the first tick below the boundary; the tick at 8,714,701,800,000 kept the position")

        // Fees accrued move the boundary closer: one more USDC owed liquidates 1 USDC of loss earlier.
        var charged = long
        charged.accruedFees = 1_000_000
        let moved = try XCTUnwrap(PerpMath.liquidationPrice(charged, market: market))
        XCTAssertGreaterThan(moved, 8_714_701_799_999)
        XCTAssertTrue(PerpMath.isLiquidatable(charged, at: moved, market: market))
        XCTAssertFalse(PerpMath.isLiquidatable(charged, at: moved + 1, market: market))
    }

    /// The closed-form liquidation price against `isLiquidatable` itself, for 3,000 positions of
    /// every leverage, side and fee load drawn from a fixed sequence — a third of them owing more
    /// than their collateral, kept only by a profit: liquidatable at the price, not one unit on
    /// the safe side of it.
    func testTheLiquidationPriceIsTheExactBoundaryForManyPositions() throws {
        var state: UInt64 = 42
        func next(_ bound: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % bound
        }
        for index in 0..<3_000 {
            let side: PerpMath.Side = next(2) == 0 ? .long : .short
            let price = BigUInt(1 + next(20_000_000_000_000))
            var (position, _) = try PerpMath.open(
                side, deposit: BigUInt(10_000_000 + next(10_000_000_000)), leverage: Int(1 + next(100)), price: price, market: market)
            position.fundingReceived = BigUInt(next(200_000))
            position.accruedFees = index % 3 == 0 ? position.collateral + BigUInt(next(UInt64(position.size / 50) + 1)) : BigUInt(next(5_000_000))
            let boundary = PerpMath.liquidationPrice(position, market: market)
            switch (side, boundary) {
            case (.long, nil):
                XCTAssertFalse(PerpMath.isLiquidatable(position, at: 1, market: market), "\(position)")
            case (.long, let price?) where price >= BigUInt(UInt64.max):
                XCTAssertTrue(PerpMath.isLiquidatable(position, at: position.entryPrice * 1000, market: market), "\(position)")
            case (.long, let price?):
                if price > 0 { XCTAssertTrue(PerpMath.isLiquidatable(position, at: price, market: market), "\(position) at \(price)") }
                XCTAssertFalse(PerpMath.isLiquidatable(position, at: price + 1, market: market), "\(position) at \(price + 1)")
            case (.short, let price?) where price == 0:
                XCTAssertTrue(PerpMath.isLiquidatable(position, at: 1, market: market), "\(position)")
            case (.short, let price?):
                XCTAssertTrue(PerpMath.isLiquidatable(position, at: price, market: market), "\(position) at \(price)")
                XCTAssertFalse(PerpMath.isLiquidatable(position, at: price - 1, market: market), "\(position) at \(price - 1)")
            case (.short, nil):
                XCTFail("a short always has a liquidation price")
            }
        }
    }

    func testClosingPaysTheMarginLessTheClosingFeesAndEverythingSums() throws {
        let deposit = BigUInt(100_000_000)
        let (long, openFees) = try PerpMath.open(.long, deposit: deposit, leverage: 10, price: entry, market: market)
        let (payout, closeFees) = PerpMath.close(long, at: 9_717_210_000_000, market: market)
        XCTAssertEqual(closeFees, 800_000)
        XCTAssertEqual(payout, 99_200_000 + 10_000_000 - 800_000)
        // The vault took the deposit and paid out: what it lost is the profit less both fees.
        XCTAssertEqual(payout + openFees + closeFees, deposit + 10_000_000)

        let (losing, _) = PerpMath.close(long, at: 9_524_790_000_000, market: market)
        XCTAssertEqual(losing, 99_200_000 - 10_000_000 - 800_000)
        let (wiped, _) = PerpMath.close(long, at: 1, market: market)
        XCTAssertEqual(wiped, 0, "a loss beyond the margin pays nothing, never below zero")
    }

    /// Longs 3,000 USDC, shorts 1,000: the longs pay ceil(100 ppm · 2000/4000) = 50 ppm of their
    /// size; the shorts receive their share of what the longs paid; both pay 1 bps holding.
    func testFundingFromTheImbalanceNeverPaysReceiversMoreThanPayersPaid() throws {
        let longs = [BigUInt(1_000_000_000), BigUInt(2_000_000_000)], shorts = [BigUInt(1_000_000_000)]
        let (longOI, shortOI) = (longs.reduce(0, +), shorts.reduce(0, +))
        let rate = PerpMath.fundingRate(longOpenInterest: longOI, shortOpenInterest: shortOI, market: market)
        XCTAssertEqual(rate.payer, .long)
        XCTAssertEqual(rate.ppm, 50)
        XCTAssertEqual(PerpMath.fundingRate(longOpenInterest: 1, shortOpenInterest: 1, market: market).ppm, 0, "balanced: no funding")
        XCTAssertEqual(PerpMath.fundingRate(longOpenInterest: 10, shortOpenInterest: 0, market: market).ppm, 100, "capped at the maximum")

        var paid = BigUInt(0), received = BigUInt(0)
        for size in longs {
            var position = PerpMath.Position(side: .long, collateral: 100_000_000, size: size, entryPrice: entry)
            PerpMath.applyInterval(&position, rate: rate, longOpenInterest: longOI, shortOpenInterest: shortOI, market: market)
            XCTAssertEqual(position.accruedFees, size / 10_000 + size * 50 / 1_000_000, "holding 1 bps plus funding 50 ppm")
            paid += size * 50 / 1_000_000
        }
        for size in shorts {
            var position = PerpMath.Position(side: .short, collateral: 100_000_000, size: size, entryPrice: entry)
            PerpMath.applyInterval(&position, rate: rate, longOpenInterest: longOI, shortOpenInterest: shortOI, market: market)
            XCTAssertEqual(position.accruedFees, size / 10_000, "holding only")
            XCTAssertEqual(position.fundingReceived, 150_000, "1,000 USDC · 50 ppm · 3000/1000")
            received += position.fundingReceived
        }
        XCTAssertEqual(paid, 150_000)
        XCTAssertLessThanOrEqual(received, paid)
    }
}
