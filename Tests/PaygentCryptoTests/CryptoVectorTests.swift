import BigInt
import Foundation
import PaygentCrypto
import XCTest

/// Every Keccak, key, EIP-55, personal_sign, EIP-712/EIP-3009 and recovery vector in
/// `../shared/x402/vectors.json`, byte for byte.
final class CryptoVectorTests: XCTestCase {
    func testKeccak256() throws {
        let cases = try Vectors.cases("keccak256")
        XCTAssertGreaterThanOrEqual(cases.count, 12)
        for item in cases {
            XCTAssertEqual(hex(Keccak256.hash(try bytes(item["input_hex"]))), item["digest_hex"] as? String, "\(item["label"] ?? "")")
        }
        // Fed in pieces, the sponge gives the same digest.
        let input = (0..<1000).map { UInt8(($0 * 7 + 3) % 256) }
        var sponge = Keccak256.Sponge()
        sponge.absorb(input[..<135])
        sponge.absorb(input[135..<137])
        sponge.absorb(input[137...])
        XCTAssertEqual(sponge.finish(), Keccak256.hash(input))
    }

    func testKeysAndAddresses() throws {
        for item in try Vectors.cases("keys") {
            let key = try PrivateKey(hex: try XCTUnwrap(item["private_key"] as? String))
            XCTAssertEqual(hex(key.publicKey.uncompressed), item["public_key_uncompressed"] as? String)
            XCTAssertEqual(hex(key.publicKey.compressed), item["public_key_compressed"] as? String)
            XCTAssertEqual(key.address.lowercase, item["address_lower"] as? String)
            XCTAssertEqual(key.address.eip55, item["address_eip55"] as? String)
        }
    }

    func testEIP55() throws {
        for item in try Vectors.cases("eip55") {
            let lower = try XCTUnwrap(item["lower"] as? String)
            let checksummed = try XCTUnwrap(item["eip55"] as? String)
            XCTAssertEqual(try Address(lower).eip55, checksummed)
            XCTAssertEqual(try Address(checksummed).eip55, checksummed)
            XCTAssertEqual(try Address("0x" + lower.dropFirst(2).uppercased()).eip55, checksummed, "all upper case has no checksum")
            // Flip the case of one letter: a mixed-case address with a wrong checksum is refused.
            if let index = checksummed.dropFirst(2).firstIndex(where: { $0.isLetter }) {
                var broken = checksummed
                let char = broken[index]
                broken.replaceSubrange(index...index, with: char.isUppercase ? char.lowercased() : char.uppercased())
                let stillMixed = broken.dropFirst(2).contains { $0.isUppercase } && broken.dropFirst(2).contains { $0.isLowercase }
                if stillMixed {
                    XCTAssertThrowsError(try Address(broken)) { error in
                        XCTAssertEqual((error as? CryptoError)?.kind, .badChecksum)
                        XCTAssertTrue("\(error)".contains(checksummed), "the error names the right checksum")
                    }
                }
            }
        }
        XCTAssertThrowsError(try Address("0x1234")) { XCTAssertEqual(($0 as? CryptoError)?.kind, .invalidAddress) }
        XCTAssertThrowsError(try Address("52908400098527886e0f7030069857d2e4169ee7")) { XCTAssertEqual(($0 as? CryptoError)?.kind, .invalidAddress) }
    }

    func testPersonalSign() throws {
        for item in try Vectors.cases("personal_sign") {
            let key = try PrivateKey(hex: try XCTUnwrap(item["private_key"] as? String))
            let message = try bytes(item["message_hex"])
            let digest = PersonalMessage.digest(message)
            XCTAssertEqual(hex(digest), item["digest"] as? String)
            let signature = try key.sign(digest: digest)
            XCTAssertEqual(signature.hex, item["signature"] as? String)
            XCTAssertEqual(try signature.recoverSigner(digest: digest).eip55, item["address"] as? String)
        }
    }

    func testTransferWithAuthorization() throws {
        let all = try Vectors.load()
        let group = try XCTUnwrap(all["eip712_transfer_with_authorization"] as? [String: Any])
        let cases = try XCTUnwrap(group["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 12)
        for item in cases {
            let key = try PrivateKey(hex: try XCTUnwrap(item["private_key"] as? String))
            let domainJSON = try XCTUnwrap(item["domain"] as? [String: Any])
            let domain = TokenDomain(
                name: try XCTUnwrap(domainJSON["name"] as? String), version: try XCTUnwrap(domainJSON["version"] as? String),
                chainID: BigUInt(try XCTUnwrap(domainJSON["chainId"] as? Int)),
                verifyingContract: try Address(try XCTUnwrap(domainJSON["verifyingContract"] as? String)))
            let message = try XCTUnwrap(item["message"] as? [String: Any])
            func number(_ key: String) throws -> BigUInt { try XCTUnwrap(BigUInt(try XCTUnwrap(message[key] as? String))) }
            let authorization = TransferWithAuthorization(
                from: try Address(try XCTUnwrap(message["from"] as? String)), to: try Address(try XCTUnwrap(message["to"] as? String)),
                value: try number("value"), validAfter: try number("validAfter"), validBefore: try number("validBefore"),
                nonce: try bytes(message["nonce"]))
            let typed = authorization.typedData(domain: domain)
            XCTAssertEqual(try typed.encodeType("EIP712Domain"), group["eip712domain_type"] as? String)
            XCTAssertEqual(try typed.encodeType(TransferWithAuthorization.typeName), group["transfer_with_authorization_type"] as? String)
            XCTAssertEqual(hex(try typed.typeHash("EIP712Domain")), group["eip712domain_typehash"] as? String)
            XCTAssertEqual(hex(try typed.typeHash(TransferWithAuthorization.typeName)), group["transfer_with_authorization_typehash"] as? String)
            XCTAssertEqual(hex(try typed.domainSeparator()), item["domain_separator"] as? String)
            XCTAssertEqual(hex(try typed.hashStruct(TransferWithAuthorization.typeName, typed.message)), item["struct_hash"] as? String)
            XCTAssertEqual(hex(try authorization.digest(domain: domain)), item["digest"] as? String)
            XCTAssertEqual(try typed.digest(), try authorization.digest(domain: domain), "the general and the direct path agree")
            let signature = try authorization.sign(with: key, domain: domain)
            XCTAssertEqual(hex(signature.r), item["r"] as? String)
            XCTAssertEqual(hex(signature.s), item["s"] as? String)
            XCTAssertEqual(Int(signature.v), item["v"] as? Int)
            XCTAssertEqual(signature.hex, item["signature"] as? String)
            XCTAssertEqual(try authorization.signer(of: signature, domain: domain), authorization.from)
        }
    }

    func testRecover() throws {
        for item in try Vectors.cases("recover") {
            let label = try XCTUnwrap(item["label"] as? String)
            let expect = try XCTUnwrap(item["expect"] as? String)
            let digest = try bytes(item["digest"])
            let raw = try bytes(item["signature"])
            let result = Result { () throws(CryptoError) -> Address in
                try Signature(bytes: raw).recoverSigner(digest: digest)
            }
            switch expect {
            case "valid", "sdk_normalizes", "different_address":
                XCTAssertEqual(try result.get().eip55, item["address"] as? String, label)
            case "reject":
                XCTAssertThrowsError(try result.get(), label) { error in
                    XCTAssertEqual((error as? CryptoError)?.kind, .invalidSignature, label)
                }
            default:
                XCTFail("unknown expectation \(expect) in \(label)")
            }
        }
    }
}
