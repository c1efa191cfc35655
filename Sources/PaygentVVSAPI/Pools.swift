import Foundation
import PaygentMoney

/// A token as the vvs service names it: its symbol on the payments ledger, contract and decimals.
public struct PoolToken: Codable, Sendable, Equatable {
    public var symbol: String
    public var address: String
    public var decimals: Int

    public init(symbol: String, address: String, decimals: Int) {
        self.symbol = symbol
        self.address = address
        self.decimals = decimals
    }
}

/// A constant-product pool: its pair (sorted by token address, as the factory sorts them), its
/// reserves (its balances on the payments ledger), and its LP supply.
public struct PoolInfo: Codable, Sendable, Equatable {
    /// `CRO-USDC`: the symbols in pair order.
    public var id: String
    public var token0: PoolToken
    public var token1: PoolToken
    public var reserve0: Amount
    public var reserve1: Amount
    public var lpSupply: Amount
    /// The swap fee, in basis points of the input (30: 0.3 %).
    public var feeBps: Int
    /// The pool's own account on the ledger.
    public var address: String
    /// The pool's LP token on the ledger (`LP-CRO-USDC`, 18 decimals; the pool mints and burns it).
    public var lpToken: String

    public init(
        id: String, token0: PoolToken, token1: PoolToken, reserve0: Amount, reserve1: Amount, lpSupply: Amount, feeBps: Int, address: String,
        lpToken: String
    ) {
        (self.id, self.token0, self.token1, self.reserve0, self.reserve1) = (id, token0, token1, reserve0, reserve1)
        (self.lpSupply, self.feeBps, self.address, self.lpToken) = (lpSupply, feeBps, address, lpToken)
    }
}

public struct PoolsRequest: Codable, Sendable, Equatable {
    public init() {}
}

public struct PoolsReply: Codable, Sendable, Equatable {
    public var pools: [PoolInfo]

    public init(pools: [PoolInfo]) {
        self.pools = pools
    }
}

/// Which side of a swap is fixed.
public enum SwapSide: String, Codable, Sendable, CaseIterable {
    /// Sell exactly `amount` of `from`.
    case exactInput = "exact-input"
    /// Buy exactly `amount` of `to`.
    case exactOutput = "exact-output"
}

/// A quote for swapping `from` into `to` over the best route of up to 3 pools.
public struct QuoteRequest: Codable, Sendable, Equatable {
    /// Token symbols.
    public var from: String
    public var to: String
    /// Human decimals of `from` (exact input) or `to` (exact output).
    public var amount: String
    public var side: SwapSide
    /// Tolerance for the minimum received (or maximum sold), basis points 0–5000; 50 when absent.
    public var slippageBps: Int?

    public init(from: String, to: String, amount: String, side: SwapSide = .exactInput, slippageBps: Int? = nil) {
        (self.from, self.to, self.amount, self.side, self.slippageBps) = (from, to, amount, side, slippageBps)
    }
}

public struct QuoteReply: Codable, Sendable, Equatable {
    /// Token symbols from input to output.
    public var path: [String]
    /// Pool ids, one per hop.
    public var pools: [String]
    public var amountIn: Amount
    public var amountOut: Amount
    public var decimalsIn: Int
    public var decimalsOut: Int
    /// How far the output falls short of the route's mid price, fee included, in parts per million.
    public var priceImpactPPM: Int
    /// The fee at each hop, in that hop's input token (base units).
    public var fees: [Amount]
    public var slippageBps: Int
    /// Exact input: the least output a swap on this quote accepts.
    public var minimumReceived: Amount
    /// Exact output: the most input a swap on this quote pays.
    public var maximumSold: Amount

    public init(
        path: [String], pools: [String], amountIn: Amount, amountOut: Amount, decimalsIn: Int, decimalsOut: Int, priceImpactPPM: Int,
        fees: [Amount], slippageBps: Int, minimumReceived: Amount, maximumSold: Amount
    ) {
        (self.path, self.pools, self.amountIn, self.amountOut, self.decimalsIn, self.decimalsOut) = (path, pools, amountIn, amountOut, decimalsIn, decimalsOut)
        (self.priceImpactPPM, self.fees, self.slippageBps, self.minimumReceived, self.maximumSold) = (priceImpactPPM, fees, slippageBps, minimumReceived, maximumSold)
    }
}

/// A swap from a wallet of the payments service: quoted again at execution over the best route,
/// refused when it would fall short of the caller's bound or its deadline has passed, and settled
/// as one all-or-nothing ledger batch (the wallet's input and every pool's payout).
public struct SwapRequest: Codable, Sendable, Equatable {
    /// Wallet name or address, at the payments service.
    public var wallet: String
    public var from: String
    public var to: String
    /// Human decimals of `from` (exact input) or `to` (exact output).
    public var amount: String
    public var side: SwapSide
    /// Exact input: the least output accepted, human decimals of `to` (usually a quote's
    /// `minimumReceived`). Absent: the execution quote with `slippageBps`.
    public var minimumReceived: String?
    /// Exact output: the most input paid, human decimals of `from`.
    public var maximumSold: String?
    /// Used only when the bound above is absent: 0–5000, 50 when absent.
    public var slippageBps: Int?
    /// The swap is refused after this time; 2 minutes after it arrives when absent.
    public var deadline: Date?

    public init(
        wallet: String, from: String, to: String, amount: String, side: SwapSide = .exactInput, minimumReceived: String? = nil,
        maximumSold: String? = nil, slippageBps: Int? = nil, deadline: Date? = nil
    ) {
        (self.wallet, self.from, self.to, self.amount, self.side) = (wallet, from, to, amount, side)
        (self.minimumReceived, self.maximumSold, self.slippageBps, self.deadline) = (minimumReceived, maximumSold, slippageBps, deadline)
    }
}

public struct SwapReply: Codable, Sendable, Equatable {
    /// `swap_` followed by 12 hex digits.
    public var id: String
    public var path: [String]
    public var pools: [String]
    public var amountIn: Amount
    public var amountOut: Amount
    public var decimalsIn: Int
    public var decimalsOut: Int
    /// The wallet's address: where the input came from and the output went.
    public var trader: String
    /// The ledger transactions of the batch, input first.
    public var transactions: [String]

    public init(
        id: String, path: [String], pools: [String], amountIn: Amount, amountOut: Amount, decimalsIn: Int, decimalsOut: Int, trader: String,
        transactions: [String]
    ) {
        (self.id, self.path, self.pools, self.amountIn, self.amountOut) = (id, path, pools, amountIn, amountOut)
        (self.decimalsIn, self.decimalsOut, self.trader, self.transactions) = (decimalsIn, decimalsOut, trader, transactions)
    }
}
