import Foundation
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

    /// keccak256(typeString) of `EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)`.
    static let domainTypeHash = Keccak256.hash("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
    /// keccak256 of this type's `encodeType`.
    static let typeHash = Keccak256.hash(
        "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")

    /// The EIP-712 digest. The same bytes as `typedData(domain:).digest()` (the tests check both),
    /// computed directly: verification does this for every payment.
    public func digest(domain: TokenDomain) throws(CryptoError) -> [UInt8] {
        guard nonce.count == 32 else {
            throw CryptoError(.invalidTypedData, "TransferWithAuthorization.nonce must be 32 bytes, got \(nonce.count)")
        }
        let limit = BigUInt(1) << 256
        guard value < limit, validAfter < limit, validBefore < limit, domain.chainID < limit else {
            throw CryptoError(.invalidTypedData, "a TransferWithAuthorization number does not fit uint256")
        }
        let zeros12 = [UInt8](repeating: 0, count: 12)
        var domainData = Self.domainTypeHash
        domainData += Keccak256.hash(domain.name)
        domainData += Keccak256.hash(domain.version)
        domainData += Self.word(domain.chainID)
        domainData += zeros12 + domain.verifyingContract.bytes
        var structData = Self.typeHash
        structData += zeros12 + from.bytes
        structData += zeros12 + to.bytes
        structData += Self.word(value)
        structData += Self.word(validAfter)
        structData += Self.word(validBefore)
        structData += nonce
        return Keccak256.hash([0x19, 0x01] + Keccak256.hash(domainData) + Keccak256.hash(structData))
    }

    public func sign(with key: PrivateKey, domain: TokenDomain) throws(CryptoError) -> Signature {
        try key.sign(digest: try digest(domain: domain))
    }

    /// A uint256 as a 32-byte big-endian word; values that fit 64 bits skip BigUInt's serializer.
    static func word(_ value: BigUInt) -> [UInt8] {
        if value.bitWidth <= 64 {
            var out = [UInt8](repeating: 0, count: 32)
            let small = UInt64(value)
            for index in 0..<8 { out[31 - index] = UInt8(truncatingIfNeeded: small >> (8 * UInt64(index))) }
            return out
        }
        return TypedData.word(value.serialize())
    }

    /// The address that signed this authorization for `domain`; `cache` remembers it for the
    /// next check of the same signature.
    public func signer(of signature: Signature, domain: TokenDomain, cache: SignerCache? = nil) throws(CryptoError) -> Address {
        let digest = try digest(domain: domain)
        if let cache { return try cache.signer(of: signature, digest: digest) }
        return try signature.recoverSigner(digest: digest)
    }
}

/// EIP-3009 `cancelAuthorization`: the authorizer signs that `nonce` may no longer be used, so an
/// authorization it signed with that nonce can never move funds. A payer that handed a signed
/// authorization to a server that did not settle it takes it back this way.
public struct CancelAuthorization: Sendable, Equatable {
    public var authorizer: Address
    /// 32 bytes: the nonce of the authorization being cancelled.
    public var nonce: [UInt8]

    public init(authorizer: Address, nonce: [UInt8]) {
        self.authorizer = authorizer
        self.nonce = nonce
    }

    public static let typeName = "CancelAuthorization"
    public static let fields: [TypedField] = [TypedField("authorizer", "address"), TypedField("nonce", "bytes32")]

    public func typedData(domain: TokenDomain) -> TypedData {
        TypedData(
            types: [Self.typeName: Self.fields], primaryType: Self.typeName, domain: domain.typedValue,
            message: ["authorizer": .address(authorizer), "nonce": .bytes(nonce)])
    }

    public func digest(domain: TokenDomain) throws(CryptoError) -> [UInt8] {
        guard nonce.count == 32 else {
            throw CryptoError(.invalidTypedData, "CancelAuthorization.nonce must be 32 bytes, got \(nonce.count)")
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
