import BigInt
import Foundation
import PaygentCrypto
import PaygentX402
import XCTest

/// Every verification failure, each from a payment that fails for exactly that reason.
final class VerificationReasonTests: XCTestCase {
    let now: UInt64 = 1_767_225_600
    let key = try! PrivateKey(hex: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
    let offer = Offer(PaymentRequirements(
        scheme: "exact", network: "eip155:338", asset: "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0", amount: "100000",
        payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", maxTimeoutSeconds: 300,
        extra: .object(["name": .string("Bridged USDC (Stargate)"), "version": .string("1")])))

    func payment(_ offer: Offer? = nil, signedAt: UInt64? = nil) throws -> PaymentPayload {
        guard case .v2(let payload) = try ExactSigner.pay(offer ?? self.offer, with: key, now: signedAt ?? now) else {
            throw X402DecodingError("expected v2")
        }
        return payload
    }

    func reason(_ payload: PaymentPayload, offer: Offer? = nil, now: UInt64? = nil, chain: ChainState? = nil) -> InvalidReason? {
        ExactVerifier.verify(.v2(payload), against: offer ?? self.offer, now: now ?? self.now, chain: chain).reason
    }

    /// Re-signs an authorization whose fields were changed, so that only the intended rule fails.
    func resigned(_ payload: PaymentPayload, offer: Offer? = nil) throws -> PaymentPayload {
        var payload = payload
        let a = payload.payload.authorization
        let offer = offer ?? self.offer
        let transfer = TransferWithAuthorization(
            from: try Address(a.from), to: try Address(a.to), value: BigUInt(a.value)!, validAfter: BigUInt(a.validAfter)!,
            validBefore: BigUInt(a.validBefore)!, nonce: Array(hexString: a.nonce)!)
        let domain = TokenDomain(
            name: offer.extra!["name"]!, version: offer.extra!["version"]!, chainID: BigUInt(Network(offer.network)!.chainID),
            verifyingContract: try Address(offer.asset))
        payload.payload.signature = try transfer.sign(with: key, domain: domain).hex
        return payload
    }

    func ledger(used: Bool = false, balance: BigUInt = 1_000_000, name: String = "Bridged USDC (Stargate)", version: String = "1", deployed: Bool = true) -> ChainState {
        ChainState(
            token: { _, _ in deployed ? (name, version) : nil }, nonceUsed: { _, _, _, _ in used }, balance: { _, _, _ in balance })
    }

    func testValidPaymentPassesEveryRule() throws {
        let result = ExactVerifier.verify(.v2(try payment()), against: offer, now: now, chain: ledger())
        XCTAssertTrue(result.isValid, result.message)
        XCTAssertEqual(result.payer, key.address)
        XCTAssertEqual(result.response, VerifyResponse(isValid: true, payer: key.address.eip55))
    }

    func testEachReason() throws {
        let valid = try payment()

        var scheme = valid
        scheme.accepted.scheme = "upto"
        XCTAssertEqual(reason(scheme), .unsupportedScheme)

        var network = valid
        network.accepted.network = "eip155:25"
        XCTAssertEqual(reason(network), .networkMismatch)

        var unknownNetwork = offer
        unknownNetwork.network = "solana:mainnet"
        var onUnknown = valid
        onUnknown.accepted.network = "solana:mainnet"
        XCTAssertEqual(reason(onUnknown, offer: unknownNetwork), .networkConfig)

        var noDomain = offer
        noDomain.extra = .object(["name": .string("Bridged USDC (Stargate)")])
        XCTAssertEqual(reason(valid, offer: noDomain), .missingDomain)

        var recipient = valid
        recipient.payload.authorization.to = "0x0000000000000000000000000000000000000001"
        XCTAssertEqual(reason(try resigned(recipient)), .recipientMismatch)

        var value = valid
        value.payload.authorization.value = "99999"
        XCTAssertEqual(reason(try resigned(value)), .valueMismatch)

        XCTAssertEqual(reason(valid, now: now + 300 - 5), .validBefore, "less than 6 s left")
        XCTAssertNil(reason(valid, now: now + 300 - 6))

        var later = valid
        later.payload.authorization.validAfter = "\(now + 60)"
        XCTAssertEqual(reason(try resigned(later)), .validAfter)

        var unsigned = valid
        unsigned.payload.signature = nil
        XCTAssertEqual(reason(unsigned), .signature)

        let stranger = try PrivateKey.generate()
        var forged = valid
        forged.payload.signature = try stranger.sign(digest: Keccak256.hash("x")).hex
        XCTAssertEqual(reason(forged), .signature)

        var tampered = valid
        tampered.payload.authorization.nonce = "0x" + String(repeating: "ab", count: 32)
        XCTAssertEqual(reason(tampered), .signature, "a field changed after signing")

        var short = valid
        short.payload.signature = String(valid.payload.signature!.dropLast(2))
        XCTAssertEqual(reason(short), .signatureUnverifiable)

        var badV = valid
        badV.payload.signature = String(valid.payload.signature!.dropLast(2)) + "1d"
        XCTAssertEqual(reason(badV), .signatureUnverifiable)

        XCTAssertEqual(reason(valid, chain: ledger(deployed: false)), .assetNotDeployed)
        XCTAssertEqual(reason(valid, chain: ledger(name: "USD Coin")), .tokenNameMismatch)
        XCTAssertEqual(reason(valid, chain: ledger(version: "2")), .tokenVersionMismatch)
        XCTAssertEqual(reason(valid, chain: ledger(used: true)), .nonceUsed)
        XCTAssertEqual(reason(valid, chain: ledger(balance: 99_999)), .insufficientBalance)
        XCTAssertNil(reason(valid, chain: ledger(balance: 100_000)), "exactly enough is enough")
    }

    func testHighSTwinIsRefused() throws {
        let valid = try payment()
        let signature = try Signature(hex: valid.payload.signature!)
        // s' = n − s with v flipped recovers the same key; the token contract refuses it.
        let n = BigUInt("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", radix: 16)!
        let highS = n - BigUInt(Data(signature.s))
        var sBytes = Array(highS.serialize())
        sBytes = [UInt8](repeating: 0, count: 32 - sBytes.count) + sBytes
        let twin = signature.r + sBytes + [signature.v == 27 ? 28 : 27]
        var malleated = valid
        malleated.payload.signature = "0x" + twin.map { String(format: "%02x", $0) }.joined()
        let result = ExactVerifier.verify(.v2(malleated), against: offer, now: now)
        XCTAssertEqual(result.reason, .signature)
        XCTAssertTrue(result.message.contains("high s"), result.message)
    }

    func testFirstFailingRuleWins() throws {
        var both = try payment()
        both.accepted.scheme = "upto"
        both.payload.authorization.value = "1"
        XCTAssertEqual(reason(both), .unsupportedScheme)
    }

    func testV1NetworkNamesAndAliases() throws {
        XCTAssertEqual(Network("cronos")?.chainID, 25)
        XCTAssertEqual(Network("cronos-mainnet")?.chainID, 25)
        XCTAssertEqual(Network("cronos-testnet")?.chainID, 338)
        XCTAssertEqual(Network("base")?.chainID, 8453)
        XCTAssertEqual(Network("base-sepolia")?.chainID, 84532)
        XCTAssertEqual(Network("eip155:338")?.v1Name, "cronos-testnet")
        XCTAssertNil(Network("cronos-devnet"))
        XCTAssertEqual(KnownAsset.lookup(network: .cronosTestnet, address: "0xc01efaaf7c5c61bebfaeb358e1161b537b8bc0e0")?.domainName, "Bridged USDC (Stargate)")
    }

    func testMalformedHeadersAreExplained() {
        XCTAssertThrowsError(try HeaderCodec.decodePayment("not base64 at all!")) { XCTAssertTrue("\($0)".contains("base64")) }
        let noVersion = Data(#"{"payload":{}}"#.utf8).base64EncodedString()
        XCTAssertThrowsError(try HeaderCodec.decodePayment(noVersion)) { XCTAssertTrue("\($0)".contains("x402Version")) }
        let v3 = Data(#"{"x402Version":3}"#.utf8).base64EncodedString()
        XCTAssertThrowsError(try HeaderCodec.decodePayment(v3)) { XCTAssertTrue("\($0)".contains("not supported")) }
    }
}
