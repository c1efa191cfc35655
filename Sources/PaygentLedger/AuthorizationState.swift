import Foundation
import GRDB
import PaygentCrypto

/// What the ledger knows of one (token, authorizer, nonce): EIP-3009's `authorizationState`, with
/// the settling transaction or the cancellation.
public enum AuthorizationState: Sendable, Equatable {
    case unused
    /// Settled by the transaction with this hash.
    case settled(transaction: String)
    /// Cancelled (`cancelAuthorization`): it can never move funds.
    case cancelled
}

extension LocalLedger {
    /// The state of an authorization's nonce.
    public func authorizationState(token: Address, authorizer: Address, nonce: [UInt8]) async throws(LedgerError) -> AuthorizationState {
        try await read { db in try Self.state(db, token: token.lowercase, authorizer: authorizer.lowercase, nonce: nonce) }
    }

    /// EIP-3009 `cancelAuthorization`: marks `nonce` used without moving funds, if `signature` is
    /// the authorizer's over the token's `CancelAuthorization` digest. Returns the state the nonce
    /// had: `.unused` when this call cancelled it; `.settled` when a transfer used it first (then
    /// nothing changes: the money moved); `.cancelled` when it was cancelled before.
    @discardableResult
    public func cancelAuthorization(token: Address, authorizer: Address, nonce: [UInt8], signature: Signature) async throws(LedgerError) -> AuthorizationState {
        guard let known = self.token(token) else { throw LedgerError(.unknownToken, "no token \(token) on the local chain") }
        let cancel = CancelAuthorization(authorizer: authorizer, nonce: nonce)
        let signer: Address
        do {
            signer = try cancel.signer(of: signature, domain: known.domain(chainID: chainID))
        } catch {
            throw LedgerError(.badSignature, "the cancellation's signature does not verify: \(error)")
        }
        guard signer == authorizer else {
            throw LedgerError(.badSignature, "the cancellation is signed by \(signer), not by \(authorizer)")
        }
        let hash = HexField.string(Keccak256.hash(Array("paygent-local-cancel".utf8) + token.bytes + authorizer.bytes + nonce))
        return try await write { db in
            let state = try Self.state(db, token: token.lowercase, authorizer: authorizer.lowercase, nonce: nonce)
            guard state == .unused else { return state }
            try db.execute(
                sql: "INSERT INTO authorization (token, authorizer, nonce, tx_hash, cancelled) VALUES (?, ?, ?, ?, 1)",
                arguments: [token.lowercase, authorizer.lowercase, Data(nonce), hash])
            return .unused
        }
    }

    static func state(_ db: Database, token: String, authorizer: String, nonce: [UInt8]) throws -> AuthorizationState {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT tx_hash, cancelled FROM authorization WHERE token = ? AND authorizer = ? AND nonce = ?",
            arguments: [token, authorizer, Data(nonce)])
        else { return .unused }
        return (row["cancelled"] as Int) != 0 ? .cancelled : .settled(transaction: row["tx_hash"])
    }
}

extension LocalLedger {
    /// True if a settlement with this idempotency key was applied.
    public func settlementRecorded(idempotencyKey: String) async throws(LedgerError) -> Bool {
        try await read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM settlement WHERE idempotency_key = ?", arguments: [idempotencyKey]) ?? false
        }
    }
}
