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
    /// For a token created on the ledger (a pool's LP token): the only account that mints and
    /// burns it. Absent for the catalog's tokens.
    public var minter: String?

    public init(symbol: String, address: String, decimals: Int, domainName: String? = nil, domainVersion: String? = nil, minter: String? = nil) {
        self.symbol = symbol
        self.address = address
        self.decimals = decimals
        self.domainName = domainName
        self.domainVersion = domainVersion
        self.minter = minter
    }
}

/// `payments.token_create`: a token that only `minter` mints and burns, with signed supply
/// changes in a settlement batch. Its address derives from the minter and the symbol, so
/// creating it again answers the same token.
public struct TokenCreateRequest: Codable, Sendable, Equatable {
    /// 1 to 24 of A-Z, 0-9 and '-', beginning with a letter.
    public var symbol: String
    /// The EIP-712 domain name its authorizations are signed over.
    public var name: String
    public var decimals: Int
    public var minter: String

    public init(symbol: String, name: String, decimals: Int, minter: String) {
        self.symbol = symbol
        self.name = name
        self.decimals = decimals
        self.minter = minter
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

/// A mint or burn of a minted token, signed by its minter (EIP-712 `MintWithAuthorization` or
/// `BurnWithAuthorization` in the token's domain).
public struct SignedSupplyMessage: Codable, Sendable, Equatable {
    /// Token contract address.
    public var token: String
    /// `mint` or `burn`.
    public var kind: String
    /// Who receives a mint; whose tokens a burn destroys (the minter's own).
    public var account: String
    public var value: Amount
    /// Unix seconds, as decimal strings.
    public var validAfter: String
    public var validBefore: String
    /// 32 bytes.
    public var nonce: Data
    /// 65 bytes r ‖ s ‖ v.
    public var signature: Data

    public init(token: String, kind: String, account: String, value: Amount, validAfter: String, validBefore: String, nonce: Data, signature: Data) {
        self.token = token
        self.kind = kind
        self.account = account
        self.value = value
        self.validAfter = validAfter
        self.validBefore = validBefore
        self.nonce = nonce
        self.signature = signature
    }
}

/// `payments.settle`: the transfers, then the supply changes, all applied or none.
public struct SettleRequest: Codable, Sendable, Equatable {
    public var transfers: [SignedTransferMessage]
    /// Mints and burns, applied after the transfers; absent on the wire means none (and none is
    /// sent as absent).
    public var supply: [SignedSupplyMessage]

    enum CodingKeys: String, CodingKey {
        case transfers
        case supply
    }

    public init(transfers: [SignedTransferMessage], supply: [SignedSupplyMessage] = []) {
        self.transfers = transfers
        self.supply = supply
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        transfers = try container.decode([SignedTransferMessage].self, forKey: .transfers)
        supply = try container.decodeIfPresent([SignedSupplyMessage].self, forKey: .supply) ?? []
    }

    /// Without supply changes, the same bytes as before they existed.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(transfers, forKey: .transfers)
        if !supply.isEmpty { try container.encode(supply, forKey: .supply) }
    }
}

/// One entry of the ledger's transaction log.
public struct LedgerEntry: Codable, Sendable, Equatable {
    public var sequence: Int64
    public var hash: String
    /// `transfer`, `mint` or `burn`.
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
