import Foundation
import PaygentMoney

/// A daily spending limit of one token, and what is left of it today (UTC).
public struct DailyLimit: Codable, Sendable, Equatable {
    /// Token symbol.
    public var token: String
    public var decimals: Int
    public var limit: Amount
    public var spentToday: Amount
    public var remaining: Amount

    public init(token: String, decimals: Int, limit: Amount, spentToday: Amount, remaining: Amount) {
        self.token = token
        self.decimals = decimals
        self.limit = limit
        self.spentToday = spentToday
        self.remaining = remaining
    }
}

public struct WalletInfo: Codable, Sendable, Equatable {
    public var name: String
    public var address: String
    public var createdAt: Date
    public var limits: [DailyLimit]

    public init(name: String, address: String, createdAt: Date, limits: [DailyLimit]) {
        self.name = name
        self.address = address
        self.createdAt = createdAt
        self.limits = limits
    }
}

public struct WalletCreateRequest: Codable, Sendable, Equatable {
    /// Letters, digits, `-` and `_`; unique.
    public var name: String

    public init(name: String) {
        self.name = name
    }
}

public struct WalletListRequest: Codable, Sendable, Equatable {
    public init() {}
}

public struct WalletListReply: Codable, Sendable, Equatable {
    public var wallets: [WalletInfo]

    public init(wallets: [WalletInfo]) {
        self.wallets = wallets
    }
}

public struct WalletLimitRequest: Codable, Sendable, Equatable {
    /// Wallet name or address.
    public var wallet: String
    /// Token symbol.
    public var token: String
    /// Human decimals per UTC day; nil removes the limit.
    public var amount: String?

    public init(wallet: String, token: String, amount: String?) {
        self.wallet = wallet
        self.token = token
        self.amount = amount
    }
}

public struct WalletTransferRequest: Codable, Sendable, Equatable {
    /// Wallet name or address.
    public var wallet: String
    public var to: String
    /// Token symbol.
    public var token: String
    /// Human decimals.
    public var amount: String

    public init(wallet: String, to: String, token: String, amount: String) {
        self.wallet = wallet
        self.to = to
        self.token = token
        self.amount = amount
    }
}

/// A keystore v3 file to adopt. The key stays encrypted in transit; the service decrypts it with
/// `password` and re-encrypts it with its own. The password is never logged or stored.
public struct WalletImportRequest: Codable, Sendable, Equatable {
    public var name: String
    /// The keystore file's JSON.
    public var keystore: String
    public var password: String

    public init(name: String, keystore: String, password: String) {
        self.name = name
        self.keystore = keystore
        self.password = password
    }
}

/// A signed EIP-3009 transfer from a wallet that is not settled here: the caller settles it with
/// others in one all-or-nothing `payments.settle` carrying the same idempotency key (a swap: the
/// input to the pool and the pool's payouts). The amount counts against the wallet's daily limit
/// at once; if no settlement with that key is recorded by the time the authorization expires, the
/// spend is released.
public struct WalletAuthorizeRequest: Codable, Sendable, Equatable {
    /// Wallet name or address.
    public var wallet: String
    public var to: String
    /// Token symbol.
    public var token: String
    /// Human decimals.
    public var amount: String
    /// Seconds the authorization stays valid, 10 to 300 (120 when absent).
    public var validSeconds: Int?

    public init(wallet: String, to: String, token: String, amount: String, validSeconds: Int? = nil) {
        (self.wallet, self.to, self.token, self.amount, self.validSeconds) = (wallet, to, token, amount, validSeconds)
    }
}
