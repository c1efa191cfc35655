import BigInt
import PaygentVVS
import XCTest

/// The pair arithmetic against Uniswap V2's formulas, the expected values computed independently
/// (Python integers) on small, 10^30-scale and uint256-range operands, where 64-bit arithmetic
/// would overflow.
final class ConstantProductTests: XCTestCase {
    func big(_ text: String) -> BigUInt { BigUInt(text, radix: 10)! }

    func testAmountOutAndInFollowTheFormulas() throws {
        let outs: [(String, String, String, String)] = [
            ("100", "1000", "1000", "90"),
            ("1000000000000000000", "5000000000000000000000000", "3000000000000000000000000000000", "598199880718943784642609"),
            ("1730765619511609209510165443073365", "5192296858534827628530496329220095", "5192296858534827628530496329220095",
             "1295151355506435613121067010315845"),
            ("1606938044258990275541962092341162602522202993782792835301376",
             "57896044618658097711785492504343953926634992332820282019728792003956564819968",
             "1809251394333065553493296640760748560207343510400633813116524750123642650624",
             "50066163441444164386907916811615249529907834510595535947282"),
        ]
        for (amount, reserveIn, reserveOut, expected) in outs {
            XCTAssertEqual(try ConstantProduct.amountOut(big(amount), reserveIn: big(reserveIn), reserveOut: big(reserveOut)), big(expected))
        }
        let ins: [(String, String, String, String)] = [
            ("90", "1000", "1000", "100"),
            ("100000000000000000000", "5000000000000000000000000", "3000000000000000000000000000000", "167168171185780"),
            ("904625697166532776746648320380374280103671755200316906558262375061821325312",
             "57896044618658097711785492504343953926634992332820282019728792003956564819968",
             "1809251394333065553493296640760748560207343510400633813116524750123642650624",
             "58070255384812535317738708630234657900336000333821747261513331999956434122336"),
        ]
        for (amount, reserveIn, reserveOut, expected) in ins {
            XCTAssertEqual(try ConstantProduct.amountIn(big(amount), reserveIn: big(reserveIn), reserveOut: big(reserveOut)), big(expected))
        }
        XCTAssertThrowsError(try ConstantProduct.amountOut(0, reserveIn: 1, reserveOut: 1))
        XCTAssertThrowsError(try ConstantProduct.amountOut(1, reserveIn: 0, reserveOut: 1))
        XCTAssertThrowsError(try ConstantProduct.amountIn(1000, reserveIn: 1000, reserveOut: 1000), "an output of the whole reserve")
    }

    /// What `getAmountIn` asks always buys at least the output asked for, and one less does not
    /// (the +1 rounds in the pool's favour), on random reserves up to 2^200.
    func testAmountInIsTheLeastThatBuysTheOutput() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let reserveIn = BigUInt.randomInteger(withMaximumWidth: 200, using: &generator) + 1000
            let reserveOut = BigUInt.randomInteger(withMaximumWidth: 200, using: &generator) + 1000
            let wanted = BigUInt.randomInteger(lessThan: reserveOut - 1, using: &generator) + 1
            let needed = try ConstantProduct.amountIn(wanted, reserveIn: reserveIn, reserveOut: reserveOut)
            XCTAssertGreaterThanOrEqual(try ConstantProduct.amountOut(needed, reserveIn: reserveIn, reserveOut: reserveOut), wanted)
            if needed > 1 {
                let short = try ConstantProduct.amountOut(needed - 1, reserveIn: reserveIn, reserveOut: reserveOut)
                XCTAssertLessThanOrEqual(short, wanted, "at most one unit of rounding in the pool's favour")
            }
            // The swap that pays `needed` for `wanted` passes the pair's check; one more out fails it.
            let reserves = (reserveIn, reserveOut)
            try ConstantProduct.checkSwap(balances: (reserveIn + needed, reserveOut - wanted), amountsIn: (needed, 0), reserves: reserves)
            let greedy = try ConstantProduct.amountOut(needed, reserveIn: reserveIn, reserveOut: reserveOut) + 1
            if greedy < reserveOut {
                XCTAssertThrowsError(
                    try ConstantProduct.checkSwap(balances: (reserveIn + needed, reserveOut - greedy), amountsIn: (needed, 0), reserves: reserves))
            }
        }
    }

    func testLiquidityMintBurnAndTheProtocolFee() throws {
        XCTAssertEqual(try ConstantProduct.liquidityMinted(amounts: (big("1000000000000000000"), big("4000000000000000000")), reserves: (0, 0), supply: 0),
                       big("1999999999999999000"), "sqrt(a0·a1) − 1000")
        XCTAssertEqual(try ConstantProduct.liquidityMinted(amounts: (BigUInt(1) << 128, BigUInt(1) << 127), reserves: (0, 0), supply: 0),
                       big("240615969168004511545033772477625055927"))
        XCTAssertThrowsError(try ConstantProduct.liquidityMinted(amounts: (1000, 1000), reserves: (0, 0), supply: 0), "the locked 1000 need more")
        // Later deposits: the smaller of the two shares.
        XCTAssertEqual(try ConstantProduct.liquidityMinted(amounts: (100, 300), reserves: (1000, 2000), supply: 5000), 500)
        let burned = try ConstantProduct.burned(500, balances: (1100, 2300), supply: 5500)
        XCTAssertEqual([burned.0, burned.1], [100, 209])
        XCTAssertThrowsError(try ConstantProduct.burned(5501, balances: (1100, 2300), supply: 5500))
        // √k grew from 10^21 to 2·10^21 over 10^21 LP: a third of the growth is 2·10^20 LP; a sixth, 90909090909090909090.
        let reserves = (big("2000000000000000000000"), big("2000000000000000000000"))
        XCTAssertEqual(ConstantProduct.protocolFee(reserves: reserves, kLast: big("1" + String(repeating: "0", count: 42)), supply: big("1000000000000000000000")),
                       big("200000000000000000000"))
        XCTAssertEqual(ConstantProduct.protocolFee(
            reserves: reserves, kLast: big("1" + String(repeating: "0", count: 42)), supply: big("1000000000000000000000"), shareDenominator: 6),
                       big("90909090909090909090"))
        XCTAssertEqual(ConstantProduct.protocolFee(reserves: (10, 10), kLast: 0, supply: 10), 0, "off until a first kLast")
        // The router's optimal amounts for the pool's ratio.
        let ratio = try ConstantProduct.optimalDeposit(desired: (100, 500), minimum: (0, 0), reserves: (1000, 2000))
        XCTAssertEqual([ratio.0, ratio.1], [100, 200])
        let limited = try ConstantProduct.optimalDeposit(desired: (100, 100), minimum: (0, 0), reserves: (1000, 2000))
        XCTAssertEqual([limited.0, limited.1], [50, 100])
        XCTAssertThrowsError(try ConstantProduct.optimalDeposit(desired: (100, 100), minimum: (60, 0), reserves: (1000, 2000)))
    }
}
