import Foundation
import PaygentCrypto
import PaygentPayments
import PaygentPaymentsClient
import PaygentWire
import PaygentX402
import PaygentX402HTTP

extension PaymentsBench {
    /// The stages of one paid request, each timed on its own (p50 of `requests`).
    func printBreakdown(
        market: String, facilitatorURL: String, facilitator: LedgerFacilitator, rpc: RPCFacilitator, payer: PrivateKey
    ) async throws {
        let client = X402HTTPClient()
        let remote = HTTPFacilitatorClient(baseURL: facilitatorURL)
        let offer = try await client.quote(market + "/prices")[0]
        func sign() throws -> FacilitatorRequest {
            FacilitatorRequest(payment: try ExactSigner.pay(offer, with: payer, now: UInt64(Date().timeIntervalSince1970)), offer: offer)
        }
        func p50(_ operation: () async throws -> Void) async rethrows -> Double {
            var samples: [Double] = []
            for _ in 0..<requests {
                let t0 = ContinuousClock.now
                try await operation()
                samples.append((ContinuousClock.now - t0).inSeconds * 1e6)
            }
            return Percentiles(samples).p50
        }
        var rows: [(String, Double)] = []
        rows.append(("GET /prices → 402, parse offers", try await p50 { _ = try await client.quote(market + "/prices") }))
        rows.append(("sign (EIP-3009)", try await p50 { _ = try sign() }))
        var pending = try (0..<requests).map { _ in try sign() }
        rows.append(("POST /verify (HTTP)", await p50 { _ = await remote.verify(pending.removeLast()) }))
        pending = try (0..<requests).map { _ in try sign() }
        rows.append(("POST /settle (HTTP)", await p50 { _ = await remote.settle(pending.removeLast()) }))
        pending = try (0..<requests).map { _ in try sign() }
        rows.append(("payments.x402_supported (RPC, tiny)", await p50 { _ = await rpc.supported() }))
        rows.append(("payments.x402_verify (RPC)", await p50 { _ = await rpc.verify(pending.removeLast()) }))
        pending = try (0..<requests).map { _ in try sign() }
        rows.append(("payments.x402_settle (RPC)", await p50 { _ = await rpc.settle(pending.removeLast()) }))
        pending = try (0..<requests).map { _ in try sign() }
        rows.append(("verify, in process", await p50 { _ = await facilitator.verify(pending.removeLast()) }))
        pending = try (0..<requests).map { _ in try sign() }
        rows.append(("settle, in process", await p50 { _ = await facilitator.settle(pending.removeLast()) }))
        var payment = try sign()
        payment.paymentHeader = try ExactSigner.header(payment.payment)
        let encodedCall = try BinaryEncoder().encode(try FacilitatorCall(payment))
        let header = try ExactSigner.header(payment.payment)
        let settlement = SettleResponse(success: true, payer: payer.address.eip55, transaction: "0x" + String(repeating: "ab", count: 32), network: "eip155:338")
        let settlementHeader = try HeaderCodec.encode(settlement)
        let required = try HeaderCodec.encode(PaymentRequired(error: "Payment required", resource: nil, accepts: [offer.requirements]))
        rows.append(("  RPC request, binary encode", try await p50 { _ = try BinaryEncoder().encode(FacilitatorCall(payment)) }))
        rows.append(("  RPC request, binary decode + header", try await p50 { _ = try BinaryDecoder().decode(FacilitatorCall.self, from: encodedCall).request() }))
        rows.append(("  payment header (JSON, base64)", try await p50 { _ = try ExactSigner.header(payment.payment) }))
        rows.append(("  payment header decode", try await p50 { _ = try HeaderCodec.decodePayment(header) }))
        rows.append(("  settlement header encode", try await p50 { _ = try HeaderCodec.encode(settlement) }))
        rows.append(("  settlement header decode", try await p50 { _ = try HeaderCodec.decodeSettlement(settlementHeader) }))
        rows.append(("  402 header encode", try await p50 { _ = try HeaderCodec.encode(PaymentRequired(error: "Payment required", resource: nil, accepts: [offer.requirements])) }))
        rows.append(("  402 header parse (offers)", try await p50 { _ = try Offer.parse(required) }))
        print("where a paid request's time goes (p50 µs of each stage alone):")
        for (name, micros) in rows { print("  \(pad(name, 36)) \(leftPad(format(micros), 9))") }
        print("")
    }
}
