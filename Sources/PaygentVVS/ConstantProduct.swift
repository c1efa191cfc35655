import BigInt

/// Uniswap V2's pair arithmetic, as VVS Finance (a V2 fork) runs it: unsigned integers of any
/// size (the contracts use uint256; these never overflow), division rounding down, the 0.3 % fee
/// taken from the input.
public enum ConstantProduct {
    /// LP tokens locked for ever by a pool's first deposit (`MINIMUM_LIQUIDITY`).
    public static let minimumLiquidity = BigUInt(1000)

    public enum Failure: Error, Equatable, Sendable {
        case insufficientInputAmount
        case insufficientOutputAmount
        case insufficientLiquidity
        case insufficientLiquidityMinted
        case insufficientLiquidityBurned
        /// The balances after a swap fail `(b0·1000 − in0·3)·(b1·1000 − in1·3) ≥ r0·r1·1000²`.
        case invariant
    }

    /// `getAmountOut`: what `amountIn` of one token buys from a pool holding `reserveIn` of it and
    /// `reserveOut` of the other.
    public static func amountOut(_ amountIn: BigUInt, reserveIn: BigUInt, reserveOut: BigUInt) throws(Failure) -> BigUInt {
        guard amountIn > 0 else { throw .insufficientInputAmount }
        guard reserveIn > 0, reserveOut > 0 else { throw .insufficientLiquidity }
        let inWithFee = amountIn * 997
        return (inWithFee * reserveOut) / (reserveIn * 1000 + inWithFee)
    }

    /// `getAmountIn`: the least input that buys `amountOut` (which must be less than `reserveOut`).
    public static func amountIn(_ amountOut: BigUInt, reserveIn: BigUInt, reserveOut: BigUInt) throws(Failure) -> BigUInt {
        guard amountOut > 0 else { throw .insufficientOutputAmount }
        guard reserveIn > 0, reserveOut > 0, amountOut < reserveOut else { throw .insufficientLiquidity }
        return (reserveIn * amountOut * 1000) / ((reserveOut - amountOut) * 997) + 1
    }

    /// The pair's swap check on the balances after a swap (`amountsIn` is what came in on each
    /// side): the fee-adjusted product must not fall below the old one.
    public static func checkSwap(
        balances: (BigUInt, BigUInt), amountsIn: (BigUInt, BigUInt), reserves: (BigUInt, BigUInt)
    ) throws(Failure) {
        guard amountsIn.0 > 0 || amountsIn.1 > 0 else { throw .insufficientInputAmount }
        let scaled0 = balances.0 * 1000, scaled1 = balances.1 * 1000
        let fee0 = amountsIn.0 * 3, fee1 = amountsIn.1 * 3
        guard scaled0 >= fee0, scaled1 >= fee1 else { throw .invariant }
        guard (scaled0 - fee0) * (scaled1 - fee1) >= reserves.0 * reserves.1 * 1_000_000 else { throw .invariant }
    }

    /// LP tokens minted for depositing `amounts` into a pool with `reserves` and `supply` LP in
    /// existence. A first deposit mints `sqrt(a0·a1) − 1000` (the 1000 are locked); later ones
    /// `min(a0·supply/r0, a1·supply/r1)`.
    public static func liquidityMinted(amounts: (BigUInt, BigUInt), reserves: (BigUInt, BigUInt), supply: BigUInt) throws(Failure) -> BigUInt {
        let minted: BigUInt
        if supply == 0 {
            let root = (amounts.0 * amounts.1).squareRoot()
            guard root > minimumLiquidity else { throw .insufficientLiquidityMinted }
            minted = root - minimumLiquidity
        } else {
            guard reserves.0 > 0, reserves.1 > 0 else { throw .insufficientLiquidity }
            minted = min(amounts.0 * supply / reserves.0, amounts.1 * supply / reserves.1)
        }
        guard minted > 0 else { throw .insufficientLiquidityMinted }
        return minted
    }

    /// What burning `liquidity` LP of `supply` returns from `balances`: the proportional share of
    /// each, rounded down.
    public static func burned(_ liquidity: BigUInt, balances: (BigUInt, BigUInt), supply: BigUInt) throws(Failure) -> (BigUInt, BigUInt) {
        guard supply > 0, liquidity <= supply else { throw .insufficientLiquidityBurned }
        let amounts = (liquidity * balances.0 / supply, liquidity * balances.1 / supply)
        guard amounts.0 > 0, amounts.1 > 0 else { throw .insufficientLiquidityBurned }
        return amounts
    }

    /// The router's `quote`: the amount of the other token worth `amount` at the pool's ratio.
    public static func quote(_ amount: BigUInt, reserveA: BigUInt, reserveB: BigUInt) throws(Failure) -> BigUInt {
        guard amount > 0 else { throw .insufficientInputAmount }
        guard reserveA > 0, reserveB > 0 else { throw .insufficientLiquidity }
        return amount * reserveB / reserveA
    }

    /// The router's `_addLiquidity`: the amounts actually deposited when a depositor offers up to
    /// `desired` and accepts no less than `minimum`, at the pool's current ratio (all of
    /// `desired` for an empty pool).
    public static func optimalDeposit(
        desired: (BigUInt, BigUInt), minimum: (BigUInt, BigUInt), reserves: (BigUInt, BigUInt)
    ) throws(OptimalDepositFailure) -> (BigUInt, BigUInt) {
        if reserves.0 == 0 && reserves.1 == 0 { return desired }
        guard let bOptimal = try? quote(desired.0, reserveA: reserves.0, reserveB: reserves.1) else { throw .insufficientLiquidity }
        if bOptimal <= desired.1 {
            guard bOptimal >= minimum.1 else { throw .insufficientBAmount }
            return (desired.0, bOptimal)
        }
        guard let aOptimal = try? quote(desired.1, reserveA: reserves.1, reserveB: reserves.0) else { throw .insufficientLiquidity }
        guard aOptimal <= desired.0, aOptimal >= minimum.0 else { throw .insufficientAAmount }
        return (aOptimal, desired.1)
    }

    public enum OptimalDepositFailure: Error, Equatable, Sendable {
        case insufficientAAmount, insufficientBAmount, insufficientLiquidity
    }

    /// The protocol fee (VVS's `_mintFee`): when on, LP minted to the treasury at a liquidity
    /// event for a `share` (1/`shareDenominator`) of the growth of `sqrt(k)` since `kLast`:
    /// `supply·(√k − √kLast) / ((n − 1)·√k + √kLast)`. VVS takes a third (n = 3); Uniswap V2 a
    /// sixth (n = 6, the familiar `5·√k + √kLast`).
    public static func protocolFee(reserves: (BigUInt, BigUInt), kLast: BigUInt, supply: BigUInt, shareDenominator: BigUInt = 3) -> BigUInt {
        guard kLast > 0, shareDenominator > 1 else { return 0 }
        let rootK = (reserves.0 * reserves.1).squareRoot()
        let rootKLast = kLast.squareRoot()
        guard rootK > rootKLast else { return 0 }
        let numerator = supply * (rootK - rootKLast)
        let denominator = rootK * (shareDenominator - 1) + rootKLast
        return numerator / denominator
    }
}
