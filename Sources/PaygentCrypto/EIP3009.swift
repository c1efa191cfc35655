import BigInt

/// A token's EIP-712 domain: what an EIP-3009 authorization is bound to.
public struct TokenDomain: Sendable, Equatable {
    public var name: String
    public var version: String
    public var chainID: BigUInt
    public var verifyingContract: Address

    public init(name: String, version: String, chainID: BigUInt, verifyingContract: Address) {
        self.name = name
        self.version = version
        self.chainID = chainID
        self.verifyingContract = verifyingContract
    }

    var typedValue: [String: TypedValue] {
        [
            "name": .string(name), "version": .string(version), "chainId": .uint(chainID),
            "verifyingContract": .address(verifyingContract),
        ]
    }
}

/// EIP-3009 `transferWithAuthorization`: `from` signs that `to` may receive `value` of the token
/// between `validAfter` and `validBefore`, once (per `nonce`). x402's `exact` scheme on EVM.
public struct TransferWithAuthorization: Sendable, Equatable {
    public var from: Address
    public var to: Address
    public var value: BigUInt
    public var validAfter: BigUInt
    public var validBefore: BigUInt
    /// 32 bytes, chosen at random by the signer.
    public var nonce: [UInt8]

    public init(from: Address, to: Address, value: BigUInt, validAfter: BigUInt, validBefore: BigUInt, nonce: [UInt8]) {
        self.from = from
        self.to = to
        self.value = value
        self.validAfter = validAfter
        self.validBefore = validBefore
        self.nonce = nonce
    }

    public static let typeName = "TransferWithAuthorization"
    public static let fields: [TypedField] = [
        TypedField("from", "address"), TypedField("to", "address"), TypedField("value", "uint256"),
        TypedField("validAfter", "uint256"), TypedField("validBefore", "uint256"), TypedField("nonce", "bytes32"),
    ]

    public func typedData(domain: TokenDomain) -> TypedData {
        TypedData(
            types: [Self.typeName: Self.fields], primaryType: Self.typeName, domain: domain.typedValue,
            message: [
                "from": .address(from), "to": .address(to), "value": .uint(value),
                "validAfter": .uint(validAfter), "validBefore": .uint(validBefore), "nonce": .bytes(nonce),
            ])
    }

    public func digest(domain: TokenDomain) throws(CryptoError) -> [UInt8] {
        try typedData(domain: domain).digest()
    }

    public func sign(with key: PrivateKey, domain: TokenDomain) throws(CryptoError) -> Signature {
        try key.sign(digest: try digest(domain: domain))
    }

    /// The address that signed this authorization for `domain`.
    public func signer(of signature: Signature, domain: TokenDomain) throws(CryptoError) -> Address {
        try signature.recoverSigner(digest: try digest(domain: domain))
    }
}
