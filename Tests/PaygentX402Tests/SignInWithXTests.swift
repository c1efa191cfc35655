import Foundation
import PaygentCrypto
import PaygentX402
import XCTest

/// `sign-in-with-x` proofs: the EIP-4361 message and EIP-191 signature agree byte for byte with
/// the official x402 Python SDK (2.25.0, `create_siwx_message` with eth-account's
/// `sign_message`), and every field a server checks refuses what it should.
final class SignInWithXTests: XCTestCase {
    /// Made with the SDK from the challenge below and the key 0x11…11.
    static let sdkMessage =
        "127.0.0.1:8402 wants you to sign in with your Ethereum account:\n0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A\n\n"
        + "Sign in to use your subscription\n\nURI: http://127.0.0.1:8402/feed\nVersion: 1\nChain ID: 338\n"
        + "Nonce: a1b2c3d4e5f67890a1b2c3d4e5f67890\nIssued At: 2026-12-02T12:00:00.000Z\nExpiration Time: 2026-12-02T12:05:00.000Z\n"
        + "Resources:\n- http://127.0.0.1:8402/feed"
    static let sdkSignature =
        "0x5b92e466c06b493ebf2f6b23f63fc51a9279ce5ade0fa54c6b821d97ef60dfc64e19088fb27cbcf7150619382da8f426d12c57a475521a446ff7f1e7110de7131b"
    /// The same challenge without statement, expiration or resources, as the SDK writes it.
    static let sdkMessageWithoutStatement =
        "127.0.0.1:8402 wants you to sign in with your Ethereum account:\n0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A\n\n\n"
        + "URI: http://127.0.0.1:8402/feed\nVersion: 1\nChain ID: 338\nNonce: a1b2c3d4e5f67890a1b2c3d4e5f67890\n"
        + "Issued At: 2026-12-02T12:00:00.000Z"

    let key = try! PrivateKey(hex: "0x" + String(repeating: "11", count: 32))
    let issued = ISO8601DateFormatter().date(from: "2026-12-02T12:00:00Z")!
    let origin = URL(string: "http://127.0.0.1:8402")!

    func challenge() -> SignInChallenge {
        SignInChallenge(
            domain: "127.0.0.1:8402", uri: "http://127.0.0.1:8402/feed", nonce: "a1b2c3d4e5f67890a1b2c3d4e5f67890", issuedAt: issued,
            expirationTime: issued.addingTimeInterval(300), statement: "Sign in to use your subscription",
            resources: ["http://127.0.0.1:8402/feed"])
    }

    func testMessageAndSignatureMatchTheOfficialSDK() throws {
        let proof = try SignInProof.sign(challenge(), chainId: "eip155:338", with: key)
        XCTAssertEqual(proof.address, "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A")
        XCTAssertEqual(proof.message(), Self.sdkMessage)
        XCTAssertEqual(proof.signature, Self.sdkSignature)
        var bare = SignInChallenge(
            domain: "127.0.0.1:8402", uri: "http://127.0.0.1:8402/feed", nonce: "a1b2c3d4e5f67890a1b2c3d4e5f67890", issuedAt: issued)
        bare.resources = nil
        XCTAssertEqual(try SignInProof.sign(bare, chainId: "eip155:338", with: key).message(), Self.sdkMessageWithoutStatement)
    }

    func testAProofRoundTripsThroughItsHeaderAndVerifies() throws {
        let proof = try SignInProof.sign(challenge(), chainId: "eip155:338", with: key)
        let parsed = try SignInProof.parse(header: try proof.header())
        XCTAssertEqual(parsed, proof)
        XCTAssertEqual(try parsed.verify(origin: origin, chainId: "eip155:338", now: issued.addingTimeInterval(10)).get(), key.address)
    }

    func testEachCheckRefusesWhatItShould() throws {
        let good = try SignInProof.sign(challenge(), chainId: "eip155:338", with: key)
        func refusal(_ proof: SignInProof, now: TimeInterval = 10, origin: String = "http://127.0.0.1:8402", chain: String = "eip155:338") -> String? {
            if case .failure(let why) = proof.verify(origin: URL(string: origin)!, chainId: chain, now: issued.addingTimeInterval(now)) { return why.message }
            return nil
        }
        XCTAssertNil(refusal(good))
        XCTAssertEqual(refusal(good, origin: "http://127.0.0.1:9999"), "the proof is for 127.0.0.1:8402, this server is 127.0.0.1:9999")
        XCTAssertEqual(refusal(good, chain: "eip155:25"), "the proof is for eip155:338 (eip191); this server accepts eip155:25 (eip191)")
        XCTAssertEqual(refusal(good, now: -1), "issuedAt is in the future")
        var brief = challenge()
        brief.expirationTime = SignInWithX.timestamp(issued.addingTimeInterval(60))
        XCTAssertEqual(
            refusal(try SignInProof.sign(brief, chainId: "eip155:338", with: key), now: 61), "the proof expired at 2026-12-02T12:01:00.000Z")
        var old = challenge()
        old.expirationTime = nil
        XCTAssertEqual(
            refusal(try SignInProof.sign(old, chainId: "eip155:338", with: key), now: 301),
            "the proof was issued more than 300 seconds ago; sign a new one")

        var tampered = good
        tampered.statement = "Sign in to pay me everything"
        XCTAssertEqual(refusal(tampered), "the signature is not by 0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A")
        var borrowed = good
        borrowed.address = try PrivateKey.generate().address.eip55
        XCTAssertTrue(refusal(borrowed)?.hasPrefix("the signature is not by") ?? false)
        let elsewhere = try SignInProof.sign(
            SignInChallenge(domain: "127.0.0.1:8402", uri: "http://evil.example/feed", nonce: "a1b2c3d4e5f67890", issuedAt: issued),
            chainId: "eip155:338", with: key)
        XCTAssertEqual(refusal(elsewhere), "the proof's uri http://evil.example/feed is not on http://127.0.0.1:8402")
        var short = good
        short.nonce = "short"
        XCTAssertEqual(refusal(short), "the nonce is 8 to 64 letters and digits")

        XCTAssertThrowsError(try SignInProof.parse(header: "not base64!")) { error in
            XCTAssertEqual((error as? X402DecodingError)?.message, "the sign-in header is not base64 JSON")
        }
        XCTAssertThrowsError(try SignInProof.parse(header: Data(#"{"domain":"x"}"#.utf8).base64EncodedString())) { error in
            XCTAssertEqual((error as? X402DecodingError)?.message, "the sign-in header is not a sign-in-with-x proof (no address)")
        }
        XCTAssertThrowsError(try SignInProof.parse(header: String(repeating: "A", count: 9000)))
    }

    func testTheDeclarationNamesTheChallengeAndItsChain() throws {
        let declared = SignInWithX.declaration(challenge(), chainId: "eip155:338")
        let extensions = JSONValue.object([SignInWithX.extensionKey: declared])
        XCTAssertEqual(SignInWithX.challenge(in: extensions, chainId: "eip155:338"), challenge())
        XCTAssertNil(SignInWithX.challenge(in: extensions, chainId: "eip155:25"), "no chain this signer can answer")
        XCTAssertNil(SignInWithX.challenge(in: .object([:]), chainId: "eip155:338"))
    }
}
