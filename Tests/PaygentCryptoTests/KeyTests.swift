import BigInt
import Foundation
import PaygentCrypto
import XCTest

final class KeyTests: XCTestCase {
    func testGeneratedKeysSignAndRecover() throws {
        let key = try PrivateKey.generate()
        let other = try PrivateKey.generate()
        XCTAssertNotEqual(key.address, other.address)
        let digest = Keccak256.hash("pay 0.10 USDC")
        let signature = try key.sign(digest: digest)
        XCTAssertTrue(signature.hasLowS)
        XCTAssertEqual(try signature.recoverSigner(digest: digest), key.address)
        XCTAssertNotEqual(try signature.recoverSigner(digest: Keccak256.hash("pay 1.00 USDC")), key.address)
        XCTAssertTrue(key.publicKey.isValidSignature(signature, digest: digest))
        XCTAssertFalse(other.publicKey.isValidSignature(signature, digest: digest))
        XCTAssertFalse(key.publicKey.isValidSignature(signature, digest: Keccak256.hash("pay 1.00 USDC")))
    }

    func testSignerCacheAnswersAsRecoveryDoes() throws {
        let cache = SignerCache(capacity: 4)
        let keys = try (0..<6).map { _ in try PrivateKey.generate() }
        for round in 0..<3 {
            for (index, key) in keys.enumerated() {
                let digest = Keccak256.hash("payment \(index)")
                let signature = try key.sign(digest: digest)
                XCTAssertEqual(try cache.signer(of: signature, digest: digest), key.address, "round \(round), key \(index)")
                let other = Keccak256.hash("payment \(index) tampered")
                XCTAssertEqual(try cache.signer(of: signature, digest: other), try signature.recoverSigner(digest: other))
                XCTAssertNotEqual(try cache.signer(of: signature, digest: other), key.address)
            }
        }
        var raw = [UInt8](repeating: 0, count: 65)
        raw[64] = 27
        let zero = try Signature(bytes: raw)
        for _ in 0..<2 {
            XCTAssertThrowsError(try cache.signer(of: zero, digest: Keccak256.hash("x"))) { error in
                XCTAssertEqual((error as? CryptoError)?.kind, .invalidSignature)
            }
        }
    }

    func testPrivateKeyNeverPrints() throws {
        let hexKey = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
        let key = try PrivateKey(hex: hexKey)
        for text in ["\(key)", String(reflecting: key), "\([key])"] {
            XCTAssertFalse(text.contains("4c0883a6"), text)
        }
        XCTAssertThrowsError(try PrivateKey(hex: "0x" + String(repeating: "0", count: 64))) { error in
            XCTAssertEqual((error as? CryptoError)?.kind, .invalidPrivateKey)
        }
        XCTAssertThrowsError(try PrivateKey(hex: "0x" + String(repeating: "f", count: 64)))
        XCTAssertThrowsError(try PrivateKey(hex: "0x1234")) { error in
            XCTAssertFalse("\(error)".contains("1234"), "errors do not echo key material")
        }
    }

    func testSignatureParsing() throws {
        XCTAssertThrowsError(try Signature(bytes: [UInt8](repeating: 1, count: 64)))
        var raw = [UInt8](repeating: 1, count: 65)
        raw[64] = 29
        XCTAssertThrowsError(try Signature(bytes: raw)) { error in
            XCTAssertTrue("\(error)".contains("29"))
        }
        raw[64] = 1
        XCTAssertEqual(try Signature(bytes: raw).v, 28)
    }

    func testTypedDataWithArraysAndNestedStructs() throws {
        // The EIP-712 specification's "Mail" example, extended with an array of structs.
        let person: [TypedField] = [TypedField("name", "string"), TypedField("wallet", "address")]
        let mail: [TypedField] = [
            TypedField("from", "Person"), TypedField("to", "Person"), TypedField("contents", "string"),
        ]
        let cow = try Address("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")
        let bob = try Address("0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB")
        let typed = TypedData(
            types: ["Person": person, "Mail": mail], primaryType: "Mail",
            domain: [
                "name": .string("Ether Mail"), "version": .string("1"), "chainId": .uint(1),
                "verifyingContract": .address(try Address("0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC")),
            ],
            message: [
                "from": .structure(["name": .string("Cow"), "wallet": .address(cow)]),
                "to": .structure(["name": .string("Bob"), "wallet": .address(bob)]),
                "contents": .string("Hello, Bob!"),
            ])
        // Published values from the EIP-712 specification's example.
        XCTAssertEqual(try typed.encodeType("Mail"), "Mail(Person from,Person to,string contents)Person(string name,address wallet)")
        XCTAssertEqual(hex(try typed.domainSeparator()), "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f")
        XCTAssertEqual(hex(try typed.hashStruct("Mail", typed.message)), "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e")
        XCTAssertEqual(hex(try typed.digest()), "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")

        var withArray = typed
        withArray.types["Group"] = [TypedField("members", "Person[]"), TypedField("tags", "bytes32[2]")]
        withArray.primaryType = "Group"
        withArray.message = [
            "members": .array([typed.message["from"]!, typed.message["to"]!]),
            "tags": .array([.bytes([UInt8](repeating: 1, count: 32)), .bytes([UInt8](repeating: 2, count: 32))]),
        ]
        XCTAssertEqual(try withArray.encodeType("Group"), "Group(Person[] members,bytes32[2] tags)Person(string name,address wallet)")
        XCTAssertEqual(try withArray.digest().count, 32)
        withArray.message["tags"] = .array([.bytes([UInt8](repeating: 1, count: 32))])
        XCTAssertThrowsError(try withArray.digest()) { XCTAssertEqual(($0 as? CryptoError)?.kind, .invalidTypedData) }
    }

    /// A value of 18-decimal tokens above 2^64 (100,001 CRO) signs as eth-account signs it (the
    /// 64-bit fast path once took it for a small number and trapped), and a uint too wide for its
    /// EIP-712 type is refused.
    func testValuesAboveSixtyFourBits() throws {
        let key = try PrivateKey(hex: "0x" + String(repeating: "22", count: 32))
        XCTAssertEqual(key.address.eip55, "0x1563915e194D8CfBA1943570603F7606A3115508")
        let authorization = TransferWithAuthorization(
            from: key.address, to: try Address("0x00000000000000000000000000000000000000B3"), value: BigUInt("100001000000000000000000", radix: 10)!,
            validAfter: 0, validBefore: 1_800_000_000, nonce: [UInt8](repeating: 1, count: 32))
        let domain = TokenDomain(name: "Cronos", version: "1", chainID: 338, verifyingContract: try Address("0x000000000000000000000000000000000000c0c0"))
        XCTAssertEqual(
            try authorization.sign(with: key, domain: domain).hex,
            "0x3fa58f1c179ac4da0e664d1392577b9a77d7304457537365bc3bc6a88b1c948911ed25feea8f17adf8403403e7afcab87a328e5c377a73b1b35088138ce7af291b")
        var narrow = TypedData(
            types: ["Small": [TypedField("n", "uint8")]], primaryType: "Small", domain: [:], message: ["n": .uint(300)])
        XCTAssertThrowsError(try narrow.digest()) { XCTAssertEqual(($0 as? CryptoError)?.kind, .invalidTypedData) }
        narrow.message["n"] = .uint(255)
        XCTAssertNoThrow(try narrow.digest())
    }
}
