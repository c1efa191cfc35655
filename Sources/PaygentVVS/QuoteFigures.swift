import BigInt

/// What a quote tells a trader about a route, as the Uniswap V2 SDK computes it: the price impact
/// (the shortfall from the pools' mid price, fee included), the fee taken at each hop, and the
/// bound a slippage tolerance puts on the trade.
public struct QuoteFigures: Sendable, Equatable {
    /// Parts per million by which the output falls short of the input at the route's mid price.
    public var priceImpactPPM: BigUInt
    /// The 0.3 % fee at each hop, in that hop's input token (base units).
    public var fees: [BigUInt]
    /// For an exact input: the least output accepted, `out / (1 + slippage)`.
    public var minimumReceived: BigUInt
    /// For an exact output: the most input paid, `in · (1 + slippage)`.
    public var maximumSold: BigUInt

    /// The largest slippage tolerance accepted, in basis points (50 %).
    public static let maxSlippageBps = 5000

    public enum Failure: Error, Equatable, Sendable {
        case slippageOutOfRange
        case routeDoesNotMatchPools
    }

    /// The figures of `route` over `pools` (as they were when it was quoted), for a tolerance of
    /// `slippageBps` basis points.
    public static func of(_ route: SwapRoute, pools: [PoolReserves], slippageBps: Int) throws(Failure) -> QuoteFigures {
        guard (0...maxSlippageBps).contains(slippageBps) else { throw .slippageOutOfRange }
        // Mid price of the route: the product of each hop's reserveOut / reserveIn.
        var numerator = BigUInt(1), denominator = BigUInt(1)
        for (step, id) in route.pools.enumerated() {
            guard let pool = pools.first(where: { $0.id == id }), pool.other(route.tokens[step]) == route.tokens[step + 1] else {
                throw .routeDoesNotMatchPools
            }
            let (reserveIn, reserveOut) = pool.reserves(in: route.tokens[step])
            numerator *= reserveOut
            denominator *= reserveIn
        }
        // impact = 1 − out / (in · mid) = 1 − out·denominator / (in·numerator)
        let atMid = route.amountIn * numerator
        let received = route.amountOut * denominator * 1_000_000
        let share = atMid > 0 ? received / atMid : 1_000_000
        let impact = share >= 1_000_000 ? BigUInt(0) : 1_000_000 - share
        let bps = BigUInt(slippageBps)
        return QuoteFigures(
            priceImpactPPM: impact,
            fees: route.amounts.dropLast().map { $0 * 3 / 1000 },
            minimumReceived: route.amountOut * 10_000 / (10_000 + bps),
            maximumSold: route.amountIn * (10_000 + bps) / 10_000)
    }
}
