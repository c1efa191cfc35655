import ArgumentParser
import BigInt
import CSecp256k1
import Foundation
import PaygentCrypto
import PaygentX402

struct CryptoBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto",
        abstract: "Signatures, recoveries and full x402 payment verifications per second, against bare libsecp256k1.",
        discussion: "A full verification decodes the base64 JSON header, computes the EIP-712 digest, recovers the signer and checks every offline rule. The baseline calls libsecp256k1's recover directly on the same signature.")

    @Option(help: "Operations per measurement.")
    var iterations = 5_000

    @Option(help: "Rounds; the median round counts.")
    var rounds = 3

    @Flag(help: "Also show where a verification's time goes.")
    var breakdown = false

    func run() throws {
        let key = try PrivateKey(hex: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
        let now: UInt64 = 1_767_225_600
        let offer = Offer(PaymentRequirements(
            scheme: "exact", network: "eip155:338", asset: "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0", amount: "100000",
            payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", maxTimeoutSeconds: 300,
            extra: .object(["name": .string("Bridged USDC (Stargate)"), "version": .string("1")])))
        let payment = try ExactSigner.pay(offer, with: key, now: now)
        let header = try ExactSigner.header(payment)
        let digest = Keccak256.hash("paygent")
        let signature = try key.sign(digest: digest)

        let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_VERIFY))!
        defer { secp256k1_context_destroy(context) }
        let bare = try rate("bare libsecp256k1 recover") { try bareRecover(context, signature: signature, digest: digest) }
        let signs = try rate("sign (ours)") { _ = try key.sign(digest: digest) }
        let recovers = try rate("recover signer (ours)") { _ = try signature.recoverSigner(digest: digest) }
        let verifications = try rate("x402 payment verification") {
            let decoded = try HeaderCodec.decodePayment(header)
            let result = ExactVerifier.verify(decoded, against: offer, now: now)
            guard result.isValid else { throw ValidationError("verification failed: \(result.message)") }
        }

        print("crypto: \(iterations) operations x \(rounds) rounds (median), one core")
        print("")
        print("\(pad("operation", 30)) \(leftPad("per second", 11)) \(leftPad("µs each", 9))")
        for (name, perSecond) in [
            ("bare libsecp256k1 recover", bare), ("sign (ours)", signs), ("recover signer (ours)", recovers),
            ("x402 payment verification", verifications),
        ] {
            print("\(pad(name, 30)) \(leftPad(format(perSecond, 0), 11)) \(leftPad(format(1e6 / perSecond, 1), 9))")
        }
        if breakdown {
            print("")
            print("where one verification's time goes (µs):")
            let decoded = try HeaderCodec.decodePayment(header)
            let a = decoded.exact.authorization
            let transfer = TransferWithAuthorization(
                from: try Address(a.from), to: try Address(a.to), value: 100_000, validAfter: 0, validBefore: 1, nonce: digest)
            let domain = TokenDomain(name: "Bridged USDC (Stargate)", version: "1", chainID: 338, verifyingContract: try Address(offer.asset))
            let parts: [(String, () throws -> Void)] = [
                ("decode header (base64 + JSON)", { _ = try HeaderCodec.decodePayment(header) }),
                ("rules + digest + recover", { _ = ExactVerifier.verify(decoded, against: offer, now: now) }),
                ("  EIP-712 digest", { _ = try transfer.digest(domain: domain) }),
                ("  parse a checksummed address", { _ = try Address(a.from) }),
                ("  parse the signature", { _ = try Signature(hex: decoded.exact.signature!) }),
                ("  keccak256 of 32 bytes", { _ = Keccak256.hash(digest) }),
            ]
            for (name, operation) in parts {
                print("  \(pad(name, 32)) \(leftPad(format(1e6 / (try rate(name, operation)), 2), 8))")
            }
        }
        print("")
        var verdicts = Verdicts()
        let ratio = verifications / bare
        verdicts.add(
            "crypto-verify-vs-recover", measured: "\(format(ratio * 100, 0))% of bare recover (\(format(verifications, 0)) vs \(format(bare, 0))/s)",
            goal: "≥ 70%", pass: ratio >= 0.7)
        verdicts.print()
        if verdicts.failed { throw ExitCode(1) }
    }

    private func rate(_ name: String, _ operation: () throws -> Void) throws -> Double {
        for _ in 0..<min(iterations, 200) { try operation() }
        var perRound: [Double] = []
        for _ in 0..<max(1, rounds) {
            let start = ContinuousClock.now
            for _ in 0..<iterations { try operation() }
            perRound.append(Double(iterations) / (ContinuousClock.now - start).inSeconds)
        }
        return Percentiles(perRound).p50
    }
}

/// What a minimal C caller does with a 65-byte signature: parse it and recover the public key.
private func bareRecover(_ bareContext: OpaquePointer, signature: Signature, digest: [UInt8]) throws {
    var parsed = secp256k1_ecdsa_recoverable_signature()
    var point = secp256k1_pubkey()
    let compact = signature.r + signature.s
    guard secp256k1_ecdsa_recoverable_signature_parse_compact(bareContext, &parsed, compact, Int32(signature.v) - 27) == 1,
        secp256k1_ecdsa_recover(bareContext, &point, &parsed, digest) == 1
    else { throw ValidationError("bare recover failed") }
}
