import BigInt

/// A change of a minted token's supply, signed by the token's minter in the token's EIP-712
/// domain, in the manner of EIP-3009: `MintWithAuthorization` creates `value` for `account`,
/// `BurnWithAuthorization` destroys `value` of what `account` (the minter itself) holds. Each
/// is valid between `validAfter` and `validBefore`, once per `nonce`. Their own type names keep
/// a mint's signature from ever passing as a transfer's, or the other way round.
///
/// A pool's LP token works this way: the pool's account is the minter; it mints LP for a
/// deposit and burns the LP returned to it on a withdrawal, as Uniswap V2's pair contract does.
public struct SupplyAuthorization: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case mint
        case burn
    }

    public var kind: Kind
    /// For a mint, who receives; for a burn, whose tokens are destroyed.
    public var account: Address
    public var value: BigUInt
    public var validAfter: BigUInt
    public var validBefore: BigUInt
    /// 32 bytes, chosen at random by the signer.
    public var nonce: [UInt8]

    public init(kind: Kind, account: Address, value: BigUInt, validAfter: BigUInt, validBefore: BigUInt, nonce: [UInt8]) {
        self.kind = kind
        self.account = account
        self.value = value
        self.validAfter = validAfter
        self.validBefore = validBefore
        self.nonce = nonce
    }

    public var typeName: String { kind == .mint ? "MintWithAuthorization" : "BurnWithAuthorization" }

    public var fields: [TypedField] {
        [
            TypedField(kind == .mint ? "to" : "from", "address"), TypedField("value", "uint256"), TypedField("validAfter", "uint256"),
            TypedField("validBefore", "uint256"), TypedField("nonce", "bytes32"),
        ]
    }

    public func typedData(domain: TokenDomain) -> TypedData {
        TypedData(
            types: [typeName: fields], primaryType: typeName, domain: domain.typedValue,
            message: [
                kind == .mint ? "to" : "from": .address(account), "value": .uint(value), "validAfter": .uint(validAfter),
                "validBefore": .uint(validBefore), "nonce": .bytes(nonce),
            ])
    }

    public func digest(domain: TokenDomain) throws(CryptoError) -> [UInt8] {
        guard nonce.count == 32 else {
            throw CryptoError(.invalidTypedData, "\(typeName).nonce must be 32 bytes, got \(nonce.count)")
        }
        return try typedData(domain: domain).digest()
    }

    public func sign(with key: PrivateKey, domain: TokenDomain) throws(CryptoError) -> Signature {
        try key.sign(digest: try digest(domain: domain))
    }

    public func signer(of signature: Signature, domain: TokenDomain) throws(CryptoError) -> Address {
        try signature.recoverSigner(digest: try digest(domain: domain))
    }
}
