import BigInt
import PaygentVVS
import XCTest

final class QuoteFiguresTests: XCTestCase {
    let pools = [
        PoolReserves(id: "a-b", token0: "A", token1: "B", reserve0: 1_000_000, reserve1: 2_000_000),
        PoolReserves(id: "b-c", token0: "B", token1: "C", reserve0: 4_000_000, reserve1: 1_000_000),
    ]

    /// 10,000 A into a 1:2 pool buys 19,743 B: 1.285 % short of the mid price (the fee and the
    /// move), a 30 A fee, and at 0.5 % slippage no less than 19,644 B accepted.
    func testOneHop() throws {
        let route = try XCTUnwrap(Router(pools: pools).bestExactInput(10_000, from: "A", to: "B"))
        XCTAssertEqual(route.amountOut, 19_743)
        let figures = try QuoteFigures.of(route, pools: pools, slippageBps: 50)
        XCTAssertEqual(figures.priceImpactPPM, 12_850)
        XCTAssertEqual(figures.fees, [30])
        XCTAssertEqual(figures.minimumReceived, 19_644)
        XCTAssertEqual(figures.maximumSold, 10_050)
    }

    /// Two hops: the mid price is the product (2 × 1/4), the fee is taken at each hop in its input.
    func testTwoHopsAndBadTolerances() throws {
        let route = try XCTUnwrap(Router(pools: pools).bestExactInput(10_000, from: "A", to: "C"))
        XCTAssertEqual(route.tokens, ["A", "B", "C"])
        XCTAssertEqual(route.amounts, [10_000, 19_743, 4_896])
        let figures = try QuoteFigures.of(route, pools: pools, slippageBps: 0)
        // 1 − 4896 / (10000 · 2 / 4) = 0.0208
        XCTAssertEqual(figures.priceImpactPPM, 20_800)
        XCTAssertEqual(figures.fees, [30, 59])
        XCTAssertEqual(figures.minimumReceived, 4_896)
        XCTAssertThrowsError(try QuoteFigures.of(route, pools: pools, slippageBps: 5001))
        XCTAssertThrowsError(try QuoteFigures.of(route, pools: pools, slippageBps: -1))
        XCTAssertThrowsError(try QuoteFigures.of(route, pools: [pools[0]], slippageBps: 10), "a pool of the route is missing")
    }
}
