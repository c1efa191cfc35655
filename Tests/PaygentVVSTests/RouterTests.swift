import BigInt
import PaygentVVS
import XCTest

/// Best routes against a brute-force search: every ordered choice of one to three distinct
/// pools that chains from the input token to the output token without visiting a token twice,
/// over random pool graphs.
final class RouterTests: XCTestCase {
    /// The best output (exact input) or least input (exact output) over every chain of pools.
    func bruteForce(_ pools: [PoolReserves], from: String, to: String, amount: BigUInt, exactInput: Bool) -> BigUInt? {
        var best: BigUInt?
        func consider(_ chain: [PoolReserves]) {
            var tokens = [from]
            for pool in chain {
                guard let next = pool.other(tokens.last!), !tokens.contains(next) else { return }
                tokens.append(next)
            }
            guard tokens.last == to else { return }
            if exactInput {
                var amount = amount
                for (step, pool) in chain.enumerated() {
                    let (reserveIn, reserveOut) = pool.reserves(in: tokens[step])
                    guard let out = try? ConstantProduct.amountOut(amount, reserveIn: reserveIn, reserveOut: reserveOut), out > 0 else { return }
                    amount = out
                }
                if best.map({ amount > $0 }) ?? true { best = amount }
            } else {
                var amount = amount
                for (step, pool) in chain.enumerated().reversed() {
                    let (reserveIn, reserveOut) = pool.reserves(in: tokens[step])
                    guard let needed = try? ConstantProduct.amountIn(amount, reserveIn: reserveIn, reserveOut: reserveOut) else { return }
                    amount = needed
                }
                if best.map({ amount < $0 }) ?? true { best = amount }
            }
        }
        for a in pools {
            consider([a])
            for b in pools where b.id != a.id {
                consider([a, b])
                for c in pools where c.id != a.id && c.id != b.id { consider([a, b, c]) }
            }
        }
        return best
    }

    func testBestRoutesMatchABruteForceSearchOverRandomGraphs() {
        var generator = SystemRandomNumberGenerator()
        let tokens = (0..<7).map { "T\($0)" }
        // One path cache for every graph: a new pool set must not be answered with the last one's paths.
        let cache = PathCache()
        for graph in 0..<60 {
            var pools: [PoolReserves] = []
            var pairs = Set<[String]>()
            for index in 0..<Int.random(in: 3...12, using: &generator) {
                let pair = Array(tokens.shuffled(using: &generator).prefix(2)).sorted()
                guard pairs.insert(pair).inserted else { continue }
                pools.append(PoolReserves(
                    id: "p\(index)", token0: pair[0], token1: pair[1],
                    reserve0: BigUInt.randomInteger(withMaximumWidth: 90, using: &generator) + 10_000,
                    reserve1: BigUInt.randomInteger(withMaximumWidth: 90, using: &generator) + 10_000))
            }
            let router = Router(pools: pools, pathCache: cache)
            for _ in 0..<10 {
                let ends = Array(tokens.shuffled(using: &generator).prefix(2))
                let amount = BigUInt.randomInteger(withMaximumWidth: 70, using: &generator) + 1
                let expectedOut = bruteForce(pools, from: ends[0], to: ends[1], amount: amount, exactInput: true)
                let routed = router.bestExactInput(amount, from: ends[0], to: ends[1])
                XCTAssertEqual(routed?.amountOut, expectedOut, "graph \(graph), \(ends), in \(amount)")
                if let routed {
                    XCTAssertEqual(routed.tokens.first, ends[0])
                    XCTAssertEqual(routed.tokens.last, ends[1])
                    XCTAssertEqual(routed.amountIn, amount)
                    XCTAssertLessThanOrEqual(routed.pools.count, 3)
                }
                let expectedIn = bruteForce(pools, from: ends[0], to: ends[1], amount: amount, exactInput: false)
                XCTAssertEqual(router.bestExactOutput(amount, from: ends[0], to: ends[1])?.amountIn, expectedIn, "graph \(graph), \(ends), out \(amount)")
            }
        }
    }

    /// With no direct pool, the route goes through others; a deep direct pool beats a thin detour,
    /// and a thin direct pool loses to a deep detour.
    func testRoutesPreferWhatGivesMore() throws {
        let e18 = BigUInt(10).power(18)
        let pools = [
            PoolReserves(id: "cro-usdc", token0: "CRO", token1: "USDC", reserve0: 1_000_000 * e18, reserve1: 90_000 * e18),
            PoolReserves(id: "usdc-vvs", token0: "USDC", token1: "VVS", reserve0: 50_000 * e18, reserve1: 16_000_000_000 * e18),
            PoolReserves(id: "cro-vvs", token0: "CRO", token1: "VVS", reserve0: 10 * e18, reserve1: 3_000 * e18),
        ]
        let router = Router(pools: pools)
        let route = try XCTUnwrap(router.bestExactInput(1_000 * e18, from: "CRO", to: "VVS"))
        XCTAssertEqual(route.pools, ["cro-usdc", "usdc-vvs"], "the thin direct pool gives less")
        XCTAssertEqual(route.tokens, ["CRO", "USDC", "VVS"])
        let tiny = try XCTUnwrap(router.bestExactInput(1_000, from: "CRO", to: "USDC"))
        XCTAssertEqual(tiny.pools, ["cro-usdc"])
        XCTAssertNil(router.bestExactInput(e18, from: "CRO", to: "WBTC"), "no pool reaches WBTC")
        XCTAssertNil(router.bestExactOutput(90_000 * e18, from: "CRO", to: "USDC", maxHops: 1), "the whole reserve cannot be bought")
    }
}
