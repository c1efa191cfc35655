import BigInt
import Foundation
import PaygentCrypto
import PaygentWire

/// An EIP-3009 authorization with its signature, for one token: what moves funds.
public struct SignedTransfer: Sendable, Equatable {
    public var token: Address
    public var authorization: TransferWithAuthorization
    public var signature: Signature

    public init(token: Address, authorization: TransferWithAuthorization, signature: Signature) {
        self.token = token
        self.authorization = authorization
        self.signature = signature
    }
}

/// One applied movement of funds.
public struct LedgerTransaction: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        case transfer
        case mint
        /// A minted token destroyed by its minter (to the zero address).
        case burn
    }

    public var sequence: Int64
    /// 0x + 64 hex digits.
    public var hash: String
    public var kind: Kind
    public var token: String
    public var from: String
    public var to: String
    /// Base units, decimal string.
    public var value: String
    public var idempotencyKey: String?
    public var time: Date
}

/// What a settlement produced.
public struct SettlementReceipt: Sendable, Hashable, Codable {
    public var transactions: [LedgerTransaction]
    /// True when this answers a repeated idempotency key: nothing moved this time.
    public var replayed: Bool
}

/// Why funds did not move. Nothing moved: batches are all-or-nothing.
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case unknownToken = "unknown_token"
        case badSignature = "invalid_exact_evm_payload_signature"
        case notYetValid = "invalid_exact_evm_payload_authorization_valid_after"
        case expired = "invalid_exact_evm_payload_authorization_valid_before"
        case nonceUsed = "invalid_exact_evm_nonce_already_used"
        case insufficientBalance = "invalid_exact_evm_insufficient_balance"
        case invalidAmount = "invalid_amount"
        case invalidRecipient = "invalid_recipient"
        case invalidToken = "invalid_token"
        case unsupported = "unsupported"
        case storage = "storage_failure"
    }

    public var kind: Kind
    public var message: String
    /// Which transfer of a batch failed (from 0).
    public var index: Int?

    public init(_ kind: Kind, _ message: String, index: Int? = nil) {
        self.kind = kind
        self.message = message
        self.index = index
    }

    public var description: String {
        index.map { "transfer \($0): \(message)" } ?? message
    }
}

extension LedgerError: PaygentErrorConvertible {
    /// The refusal's code, with the official x402 reason first in the message.
    public var paygentError: PaygentError {
        let code: ErrorCode =
            switch kind {
            case .unknownToken: .notFound
            case .nonceUsed: .conflict
            case .insufficientBalance, .unsupported: .failedPrecondition
            case .storage: .internal
            case .badSignature, .notYetValid, .expired, .invalidAmount, .invalidRecipient, .invalidToken: .badRequest
            }
        return PaygentError(code, "\(kind.rawValue): \(description)", cause: self)
    }
}

/// Where signed transfers are settled: everything the payments service's handlers, facilitator
/// and reconciler ask of a chain. The embedded SQLite ledger is the default ("local chain"); a
/// backend that submits `transferWithAuthorization` and `cancelAuthorization` to a Cronos node
/// over JSON-RPC, and reads balances, nonces and logs from it, implements the same calls.
public protocol SettlementBackend: Sendable {
    var chainID: UInt64 { get }

    /// The tokens settled here, by contract address and by symbol (case-insensitive).
    func token(_ address: Address) -> LedgerToken?
    func token(symbol: String) -> LedgerToken?
    /// Every token, the catalog's first.
    var allTokens: [LedgerToken] { get }
    /// Creates a token minted and burned only by `minter` (`LocalLedger.createToken`).
    func createToken(symbol: String, name: String, decimals: Int, minter: Address) async throws(LedgerError) -> LedgerToken

    /// Recovered signers, remembered so that a payment verified and then settled is recovered once.
    var signers: SignerCache { get }

    /// Applies every transfer and then every supply change, or none, checking signatures, nonces,
    /// time windows and balances. A repeated `idempotencyKey` returns the first receipt and moves
    /// nothing.
    func settle(_ transfers: [SignedTransfer], supply: [SignedSupplyChange], idempotencyKey: String?) async throws(LedgerError) -> SettlementReceipt

    /// Test funds: a local chain mints them; a real chain refuses (`unsupported`).
    func mint(token: Address, to: Address, amount: BigUInt, idempotencyKey: String?) async throws(LedgerError) -> SettlementReceipt

    func balance(token: Address, owner: Address) async throws(LedgerError) -> BigUInt
    /// Every token's balance of `owner`, zeros included.
    func balances(owner: Address) async throws(LedgerError) -> [(token: LedgerToken, amount: BigUInt)]

    /// True if `authorizer` has used `nonce` on `token` (EIP-3009 `authorizationState`).
    func authorizationUsed(token: Address, authorizer: Address, nonce: [UInt8]) async throws(LedgerError) -> Bool
    /// What became of an authorization's nonce: unused, settled (by which transaction) or cancelled.
    func authorizationState(token: Address, authorizer: Address, nonce: [UInt8]) async throws(LedgerError) -> AuthorizationState
    /// EIP-3009 `cancelAuthorization`, signed by the authorizer; returns the state the nonce had.
    @discardableResult
    func cancelAuthorization(token: Address, authorizer: Address, nonce: [UInt8], signature: Signature) async throws(LedgerError) -> AuthorizationState
    /// True when a settlement under `idempotencyKey` is on record.
    func settlementRecorded(idempotencyKey: String) async throws(LedgerError) -> Bool

    /// What verifying a payment needs, in one read: the payer's balance and whether the nonce is
    /// used. Async, as a node's answer would be; the local ledger answers at once, on the caller's
    /// thread.
    func paymentState(token: Address, owner: Address, nonce: [UInt8]) async throws(LedgerError) -> (balance: BigUInt, nonceUsed: Bool)

    /// The transaction log, newest first, a page at a time.
    func transactions(owner: Address?, token: Address?, limit: Int, beforeSequence: Int64?) async throws(LedgerError) -> [LedgerTransaction]
}

extension SettlementBackend {
    /// Transfers only.
    public func settle(_ transfers: [SignedTransfer], idempotencyKey: String?) async throws(LedgerError) -> SettlementReceipt {
        try await settle(transfers, supply: [], idempotencyKey: idempotencyKey)
    }
}
