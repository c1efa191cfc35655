import Foundation
import PaygentMoney

public struct TokenInfo: Codable, Sendable, Equatable {
    public var symbol: String
    public var address: String
    public var decimals: Int
    /// The token contract's EIP-712 domain name and version: what an EIP-3009 authorization for
    /// it is signed over (with the chain id and `address` as the verifying contract).
    public var domainName: String?
    public var domainVersion: String?

    public init(symbol: String, address: String, decimals: Int, domainName: String? = nil, domainVersion: String? = nil) {
        self.symbol = symbol
        self.address = address
        self.decimals = decimals
        self.domainName = domainName
        self.domainVersion = domainVersion
    }
}

public struct TokensRequest: Codable, Sendable, Equatable {
    public init() {}
}

public struct TokensReply: Codable, Sendable, Equatable {
    public var chainID: UInt64
    public var tokens: [TokenInfo]

    public init(chainID: UInt64, tokens: [TokenInfo]) {
        self.chainID = chainID
        self.tokens = tokens
    }
}

public struct BalancesRequest: Codable, Sendable, Equatable {
    /// EIP-55 or lowercase address.
    public var owner: String

    public init(owner: String) {
        self.owner = owner
    }
}

public struct TokenBalance: Codable, Sendable, Equatable {
    public var token: TokenInfo
    public var amount: Amount

    public init(token: TokenInfo, amount: Amount) {
        self.token = token
        self.amount = amount
    }
}

public struct BalancesReply: Codable, Sendable, Equatable {
    public var owner: String
    public var balances: [TokenBalance]

    public init(owner: String, balances: [TokenBalance]) {
        self.owner = owner
        self.balances = balances
    }
}

public struct FaucetRequest: Codable, Sendable, Equatable {
    public var to: String
    /// Token symbol, e.g. `USDC`.
    public var token: String
    /// Human decimal amount, e.g. `100` or `0.5`.
    public var amount: String

    public init(to: String, token: String, amount: String) {
        self.to = to
        self.token = token
        self.amount = amount
    }
}

/// One EIP-3009 authorization and its signature, as the ledger settles it.
public struct SignedTransferMessage: Codable, Sendable, Equatable {
    /// Token contract address.
    public var token: String
    public var from: String
    public var to: String
    public var value: Amount
    /// Unix seconds, as decimal strings (uint256 on chain).
    public var validAfter: String
    public var validBefore: String
    /// 32 bytes.
    public var nonce: Data
    /// 65 bytes r ‖ s ‖ v.
    public var signature: Data

    public init(token: String, from: String, to: String, value: Amount, validAfter: String, validBefore: String, nonce: Data, signature: Data) {
        self.token = token
        self.from = from
        self.to = to
        self.value = value
        self.validAfter = validAfter
        self.validBefore = validBefore
        self.nonce = nonce
        self.signature = signature
    }
}

public struct SettleRequest: Codable, Sendable, Equatable {
    public var transfers: [SignedTransferMessage]

    public init(transfers: [SignedTransferMessage]) {
        self.transfers = transfers
    }
}

/// One entry of the ledger's transaction log.
public struct LedgerEntry: Codable, Sendable, Equatable {
    public var sequence: Int64
    public var hash: String
    /// `transfer` or `mint`.
    public var kind: String
    public var token: TokenInfo
    public var from: String
    public var to: String
    public var value: Amount
    public var time: Date
    public var idempotencyKey: String?

    public init(sequence: Int64, hash: String, kind: String, token: TokenInfo, from: String, to: String, value: Amount, time: Date, idempotencyKey: String?) {
        self.sequence = sequence
        self.hash = hash
        self.kind = kind
        self.token = token
        self.from = from
        self.to = to
        self.value = value
        self.time = time
        self.idempotencyKey = idempotencyKey
    }
}

public struct LedgerReceipt: Codable, Sendable, Equatable {
    public var transactions: [LedgerEntry]
    /// True when a repeated idempotency key was answered from the log; nothing moved.
    public var replayed: Bool

    public init(transactions: [LedgerEntry], replayed: Bool) {
        self.transactions = transactions
        self.replayed = replayed
    }
}

public struct LedgerHistoryRequest: Codable, Sendable, Equatable {
    public var owner: String?
    /// Token symbol.
    public var token: String?
    public var limit: Int
    public var beforeSequence: Int64?

    public init(owner: String? = nil, token: String? = nil, limit: Int = 50, beforeSequence: Int64? = nil) {
        self.owner = owner
        self.token = token
        self.limit = limit
        self.beforeSequence = beforeSequence
    }
}

public struct LedgerHistoryReply: Codable, Sendable, Equatable {
    public var transactions: [LedgerEntry]

    public init(transactions: [LedgerEntry]) {
        self.transactions = transactions
    }
}
