import PaygentPaymentsAPI
import PaygentTransport
import PaygentWire
import PaygentX402

/// The facilitator's verify, settle and supported over RPC (`payments.x402_*`), for resource
/// servers on the Paygent bus; the same `LedgerFacilitator` answers the HTTP API.
///
/// Verify and settle run on the server's own thread when they arrive alone (a paid request waits
/// for each, and a hand-off to the shared pool would cost it more than the work, ~0.1 ms), and on
/// the pool under load, so that signature checks run in parallel and settlements arriving together
/// share a ledger transaction (group commit).
public enum FacilitatorRPC {
    public static func register(on server: RPCServer, facilitator: LedgerFacilitator) {
        server.register(PaymentsMethod.x402Verify, placement: .loopWhenIdle) { (call: FacilitatorCall, _) in
            await facilitator.verify(try request(call))
        }
        server.register(PaymentsMethod.x402Settle, placement: .loopWhenIdle) { (call: FacilitatorCall, context) in
            var settle = try request(call)
            settle.settlementKey = context.idempotencyKey
            let settlement = await facilitator.settle(settle)
            context.logger.info(settlement.success ? "x402 settled" : "x402 settlement refused", metadata: [
                "payment.payer": "\(settlement.payer ?? "")", "payment.tx": "\(settlement.transaction)",
                "payment.reason": "\(settlement.errorReason ?? "")", "payment.replayed": "\(settlement.replayed ?? false)",
            ])
            return settlement
        }
        server.register(PaymentsMethod.x402Supported, placement: .loop) { (_: X402SupportedRequest, _) in
            await facilitator.supported()
        }
    }

    private static func request(_ call: FacilitatorCall) throws(PaygentError) -> FacilitatorRequest {
        do {
            return try call.request()
        } catch {
            throw PaygentError(.badRequest, "paymentHeader: \(error.message)")
        }
    }
}
