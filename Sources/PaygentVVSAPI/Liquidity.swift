import Foundation
import PaygentMoney

/// `vvs.add_liquidity`: deposits into the pool of `tokenA` and `tokenB` at its current ratio, as
/// Uniswap V2's router does: all of one desired amount and the other's optimal amount, refused
/// when an optimal amount falls below its minimum. LP is minted to the wallet on the ledger.
public struct AddLiquidityRequest: Codable, Sendable, Equatable {
    /// The wallet (held by the payments service) that deposits and receives the LP.
    public var wallet: String
    /// Token symbols, in either order.
    public var tokenA: String
    public var tokenB: String
    /// The most of each to deposit, human decimals.
    public var amountA: String
    public var amountB: String
    /// The least of each to deposit (a bound set from the ratio the depositor saw); absent means
    /// none beyond the desired amounts, which are never exceeded.
    public var amountAMin: String?
    public var amountBMin: String?
    /// Refused, with nothing moved, after this; absent means two minutes from now.
    public var deadline: Date?

    public init(
        wallet: String, tokenA: String, tokenB: String, amountA: String, amountB: String, amountAMin: String? = nil, amountBMin: String? = nil,
        deadline: Date? = nil
    ) {
        (self.wallet, self.tokenA, self.tokenB, self.amountA, self.amountB) = (wallet, tokenA, tokenB, amountA, amountB)
        (self.amountAMin, self.amountBMin, self.deadline) = (amountAMin, amountBMin, deadline)
    }
}

/// `vvs.remove_liquidity`: returns `liquidity` LP to the pool, which burns it and pays the
/// wallet its proportional share of both reserves.
public struct RemoveLiquidityRequest: Codable, Sendable, Equatable {
    public var wallet: String
    public var tokenA: String
    public var tokenB: String
    /// LP to burn, human decimals (LP tokens have 18).
    public var liquidity: String
    /// The least of each to receive; absent means no bound.
    public var amountAMin: String?
    public var amountBMin: String?
    public var deadline: Date?

    public init(
        wallet: String, tokenA: String, tokenB: String, liquidity: String, amountAMin: String? = nil, amountBMin: String? = nil, deadline: Date? = nil
    ) {
        (self.wallet, self.tokenA, self.tokenB, self.liquidity) = (wallet, tokenA, tokenB, liquidity)
        (self.amountAMin, self.amountBMin, self.deadline) = (amountAMin, amountBMin, deadline)
    }
}

/// A settled deposit or withdrawal (also the `vvs.liquidity` event).
public struct LiquidityReply: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case add
        case remove
    }

    public var id: String
    public var kind: Kind
    public var pool: String
    /// The pool's LP token symbol on the ledger (`LP-CRO-USDC`).
    public var lpToken: String
    /// The wallet's address.
    public var wallet: String
    /// Deposited (add) or paid out (remove), base units, in pair order.
    public var amount0: Amount
    public var amount1: Amount
    public var decimals0: Int
    public var decimals1: Int
    /// LP minted to (add) or burned from (remove) the wallet, base units (18 decimals).
    public var liquidity: Amount
    /// LP minted to the protocol's treasury at this event (VVS's `_mintFee`).
    public var protocolFee: Amount
    /// The pool after the event.
    public var reserve0: Amount
    public var reserve1: Amount
    public var lpSupply: Amount
    /// Ledger transaction hashes.
    public var transactions: [String]

    public init(
        id: String, kind: Kind, pool: String, lpToken: String, wallet: String, amount0: Amount, amount1: Amount, decimals0: Int, decimals1: Int,
        liquidity: Amount, protocolFee: Amount, reserve0: Amount, reserve1: Amount, lpSupply: Amount, transactions: [String]
    ) {
        (self.id, self.kind, self.pool, self.lpToken, self.wallet) = (id, kind, pool, lpToken, wallet)
        (self.amount0, self.amount1, self.decimals0, self.decimals1) = (amount0, amount1, decimals0, decimals1)
        (self.liquidity, self.protocolFee, self.reserve0, self.reserve1, self.lpSupply, self.transactions) =
            (liquidity, protocolFee, reserve0, reserve1, lpSupply, transactions)
    }
}

public struct PositionsRequest: Codable, Sendable, Equatable {
    public var wallet: String

    public init(wallet: String) {
        self.wallet = wallet
    }
}

/// A wallet's stake in one pool: the LP it holds and has staked in the pool's farm, its share of
/// the supply and what that share withdraws today.
public struct LiquidityPosition: Codable, Sendable, Equatable {
    public var pool: String
    public var lpToken: String
    /// LP held by the wallet, base units.
    public var liquidity: Amount
    /// LP staked in the pool's farm, base units.
    public var staked: Amount
    public var lpSupply: Amount
    /// (held + staked) / supply, in millionths.
    public var sharePPM: Int
    /// What the held and staked LP withdraw now, base units, in pair order.
    public var amount0: Amount
    public var amount1: Amount
    public var token0: String
    public var token1: String
    public var decimals0: Int
    public var decimals1: Int

    public init(
        pool: String, lpToken: String, liquidity: Amount, staked: Amount, lpSupply: Amount, sharePPM: Int, amount0: Amount, amount1: Amount,
        token0: String, token1: String, decimals0: Int, decimals1: Int
    ) {
        (self.pool, self.lpToken, self.liquidity, self.staked, self.lpSupply, self.sharePPM) = (pool, lpToken, liquidity, staked, lpSupply, sharePPM)
        (self.amount0, self.amount1, self.token0, self.token1, self.decimals0, self.decimals1) = (amount0, amount1, token0, token1, decimals0, decimals1)
    }
}

public struct PositionsReply: Codable, Sendable, Equatable {
    /// The wallet's address.
    public var wallet: String
    /// Pools where the wallet holds or stakes LP.
    public var positions: [LiquidityPosition]

    public init(wallet: String, positions: [LiquidityPosition]) {
        self.wallet = wallet
        self.positions = positions
    }
}
