import BigInt
import Foundation
import GRDB
import PaygentCrypto

/// A mint or burn of a token created with a minter, signed by that minter: settled in the same
/// all-or-nothing batch as transfers, after them (a pool mints LP against the deposit the batch's
/// transfers bring, and burns the LP a transfer returned to it).
public struct SignedSupplyChange: Sendable, Equatable {
    public var token: Address
    public var authorization: SupplyAuthorization
    public var signature: Signature

    public init(token: Address, authorization: SupplyAuthorization, signature: Signature) {
        self.token = token
        self.authorization = authorization
        self.signature = signature
    }
}

extension LocalLedger {
    /// What needs no ledger state: the token mints, the amount and recipient are valid, and the
    /// minter signed it.
    static func checkSupplyChange(_ change: SignedSupplyChange, index: Int, tokens: [Address: LedgerToken], chainID: UInt64) throws(LedgerError) {
        guard let token = tokens[change.token] else {
            throw LedgerError(.unknownToken, "no token \(change.token) on the local chain", index: index)
        }
        guard let minter = token.minter else {
            throw LedgerError(.unsupported, "\(token.symbol) has no minter: only the faucet creates it", index: index)
        }
        let a = change.authorization
        guard a.value > 0, a.value < BigUInt(1) << 256 else {
            throw LedgerError(.invalidAmount, "a \(a.kind.rawValue) changes the supply by a positive uint256", index: index)
        }
        switch a.kind {
        case .mint:
            guard a.account != Address.zero else { throw LedgerError(.invalidRecipient, "the zero address cannot receive a mint", index: index) }
        case .burn:
            guard a.account == minter else {
                throw LedgerError(.invalidRecipient, "only the minter burns, and only what it holds; \(a.account) is not \(minter)", index: index)
            }
        }
        let signer: Address
        do {
            signer = try a.signer(of: change.signature, domain: token.domain(chainID: chainID))
        } catch {
            throw LedgerError(.badSignature, "the signature does not verify: \(error)", index: index)
        }
        guard signer == minter else {
            throw LedgerError(.badSignature, "\(a.kind.rawValue) of \(token.symbol) signed by \(signer), not by its minter \(minter)", index: index)
        }
    }

    /// One mint or burn inside the current transaction: its time window, nonce (the minter's) and,
    /// for a burn, the minter's balance.
    static func applySupplyChange(
        _ db: Database, _ change: SignedSupplyChange, index: Int, job: SettlementJob, seconds: BigUInt, chainID: UInt64,
        tokens: [Address: LedgerToken]
    ) throws -> LedgerTransaction {
        let a = change.authorization
        guard let token = tokens[change.token], let minter = token.minter else {
            throw LedgerError(.unknownToken, "no minted token \(change.token)", index: index)
        }
        guard a.validAfter <= seconds else { throw LedgerError(.notYetValid, "valid only after \(a.validAfter) (now \(seconds))", index: index) }
        guard seconds < a.validBefore else { throw LedgerError(.expired, "expired at \(a.validBefore) (now \(seconds))", index: index) }
        let address = change.token.lowercase
        let used = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM authorization WHERE token = ? AND authorizer = ? AND nonce = ?"),
            arguments: [address, minter.lowercase, Data(a.nonce)]) ?? false
        guard !used else { throw LedgerError(.nonceUsed, "\(minter) already used this nonce on \(token.symbol)", index: index) }
        let held = try balance(db, token: address, owner: a.account.lowercase)
        let after: BigUInt
        switch a.kind {
        case .mint:
            after = held + a.value
            guard after < BigUInt(1) << 256 else { throw LedgerError(.invalidAmount, "the balance would exceed uint256", index: index) }
        case .burn:
            guard held >= a.value else {
                throw LedgerError(.insufficientBalance, "\(a.account) holds \(held) base units of \(token.symbol), the burn needs \(a.value)", index: index)
            }
            after = held - a.value
        }
        try setBalance(db, token: address, owner: a.account.lowercase, after)
        let digest = try a.digest(domain: token.domain(chainID: chainID))
        let hash = HexField.string(Keccak256.hash(Array("paygent-local-tx".utf8) + change.token.bytes + digest))
        try db.cachedStatement(sql: "INSERT INTO authorization (token, authorizer, nonce, tx_hash) VALUES (?, ?, ?, ?)")
            .execute(arguments: [address, minter.lowercase, Data(a.nonce), hash])
        let (from, to) = a.kind == .mint ? (zeroAddress, a.account.lowercase) : (a.account.lowercase, zeroAddress)
        return try append(
            db, hash: hash, kind: a.kind == .mint ? .mint : .burn, token: address, from: from, to: to, value: a.value,
            idempotencyKey: job.idempotencyKey, time: job.time)
    }
}
