import BigInt
import Foundation
import PaygentCrypto
import PaygentMoney
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentWire

/// Signs what a service's own accounts put in a ledger batch: transfers out of them and, for a
/// token's minter, mints and burns. Every signature is valid for a short window
/// (`validSeconds`): a batch not settled by then never will be.
public struct AccountSigner: Sendable {
    let tokens: LedgerTokens
    let random: RandomSource
    public static let validSeconds = 60

    public init(tokens: LedgerTokens, random: RandomSource) {
        (self.tokens, self.random) = (tokens, random)
    }

    /// The end of the window for a batch made at `now`.
    public static func validBefore(_ now: Date) -> BigUInt {
        BigUInt(UInt64(max(0, now.timeIntervalSince1970)) + UInt64(validSeconds))
    }

    /// A transfer of `amount` of `symbol` from `key`'s account to `to`.
    public func transfer(from key: PrivateKey, token symbol: String, amount: BigUInt, to: String, validBefore: BigUInt) throws -> SignedTransferMessage {
        let (token, domain) = try self.domain(symbol)
        let authorization = TransferWithAuthorization(
            from: key.address, to: try Address(to), value: amount, validAfter: 0, validBefore: validBefore, nonce: random.nonce())
        let signature = try authorization.sign(with: key, domain: domain)
        return SignedTransferMessage(
            token: token.address, from: key.address.eip55, to: authorization.to.eip55, value: try Amount(baseUnits: amount), validAfter: "0",
            validBefore: validBefore.description, nonce: Data(authorization.nonce), signature: Data(signature.bytes))
    }

    /// A mint (to `account`) or burn (of the minter's own) of the token `symbol`, signed by its
    /// minter `key`.
    public func supply(_ kind: SupplyAuthorization.Kind, minter key: PrivateKey, token symbol: String, account: String, amount: BigUInt, validBefore: BigUInt)
        throws -> SignedSupplyMessage
    {
        let (token, domain) = try self.domain(symbol)
        let authorization = SupplyAuthorization(
            kind: kind, account: try Address(account), value: amount, validAfter: 0, validBefore: validBefore, nonce: random.nonce())
        let signature = try authorization.sign(with: key, domain: domain)
        return SignedSupplyMessage(
            token: token.address, kind: kind.rawValue, account: authorization.account.eip55, value: try Amount(baseUnits: amount),
            validAfter: "0", validBefore: validBefore.description, nonce: Data(authorization.nonce), signature: Data(signature.bytes))
    }

    private func domain(_ symbol: String) throws -> (TokenInfo, TokenDomain) {
        guard let token = try tokens.all()[symbol], let name = token.domainName, let version = token.domainVersion else {
            throw PaygentError(.internal, "no EIP-712 domain for \(symbol)")
        }
        return (token, TokenDomain(name: name, version: version, chainID: BigUInt(tokens.chainID), verifyingContract: try Address(token.address)))
    }
}
