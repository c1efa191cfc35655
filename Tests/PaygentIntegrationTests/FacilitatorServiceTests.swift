import BigInt
import Foundation
import PaygentPaymentsAPI
import PaygentCrypto
import PaygentPaymentsTesting
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import PaygentX402
import PaygentX402HTTP
import XCTest

/// The payments service's facilitator over RPC (`payments.x402_*`, what the sample API uses) and
/// over HTTP (what outside resource servers use), and a wallet's fetch that knows prices.
final class FacilitatorServiceTests: XCTestCase {
    static let payee = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"

    static func offer(resource: String) -> Offer {
        Offer(PaymentRequirements(
            scheme: "exact", network: "eip155:338", asset: "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0", amount: "100000",
            payTo: payee, maxTimeoutSeconds: 300,
            extra: .object(["name": .string("Bridged USDC (Stargate)"), "version": .string("1")])), resource: resource)
    }

    func testVerifyAndSettleOverRPCAndHTTP() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let client = service.client
        let key = try PrivateKey.generate()
        try await service.fund(key.address.eip55, "1")
        let offer = Self.offer(resource: "http://example.test/data")
        func sign() throws -> FacilitatorCall {
            FacilitatorCall(paymentHeader: try ExactSigner.header(try ExactSigner.pay(offer, with: key, now: UInt64(Date().timeIntervalSince1970))), offer: offer)
        }

        // Over RPC.
        let supported: SupportedResponse = try await client.call(PaymentsMethod.x402Supported, X402SupportedRequest())
        XCTAssertTrue(supported.kinds.contains { $0.x402Version == 2 && $0.scheme == "exact" && $0.network == "eip155:338" })
        let call = try sign()
        let verified: VerifyResponse = try await client.call(PaymentsMethod.x402Verify, call)
        XCTAssertTrue(verified.isValid, verified.invalidMessage ?? "")
        XCTAssertEqual(verified.payer, key.address.eip55)
        let settled: SettleResponse = try await client.call(PaymentsMethod.x402Settle, call, idempotencyKey: "settle-1")
        XCTAssertTrue(settled.success, settled.errorMessage ?? "")
        XCTAssertEqual(settled.transaction.count, 66)
        XCTAssertNil(settled.replayed)
        let retried: SettleResponse = try await client.call(PaymentsMethod.x402Settle, call, idempotencyKey: "settle-1")
        XCTAssertEqual(retried.transaction, settled.transaction, "the same call retried answers its first settlement")
        let again: SettleResponse = try await client.call(PaymentsMethod.x402Settle, call, idempotencyKey: "settle-2")
        XCTAssertFalse(again.success, "another settle of a used authorization fails")
        XCTAssertEqual(again.errorReason, "invalid_exact_evm_nonce_already_used")
        let reverify: VerifyResponse = try await client.call(PaymentsMethod.x402Verify, call)
        XCTAssertEqual(reverify.invalidReason, "invalid_exact_evm_nonce_already_used")

        var underpaid = try sign()
        underpaid.offer.amount = "200000"
        let refused: VerifyResponse = try await client.call(PaymentsMethod.x402Verify, underpaid)
        XCTAssertFalse(refused.isValid)
        XCTAssertNotNil(refused.invalidReason)
        do {
            let _: VerifyResponse = try await client.call(PaymentsMethod.x402Verify, FacilitatorCall(paymentHeader: "not a payment", offer: offer))
            XCTFail("a header that is not a payment is a bad request")
        } catch {
            XCTAssertEqual(error.code, .badRequest)
            XCTAssertTrue(error.message.contains("paymentHeader"), error.message)
        }

        // Over HTTP, as an outside resource server asks.
        let http = HTTPFacilitatorClient(baseURL: service.deployment.config.facilitatorURL)
        let viaHTTP = try sign().request()
        let httpVerified = await http.verify(viaHTTP)
        XCTAssertTrue(httpVerified.isValid, httpVerified.invalidMessage ?? "")
        let httpSettled = await http.settle(viaHTTP)
        XCTAssertTrue(httpSettled.success, httpSettled.errorMessage ?? "")
        let httpAgain = await http.settle(viaHTTP)
        XCTAssertFalse(httpAgain.success)
        XCTAssertEqual(httpAgain.errorReason, "invalid_exact_evm_nonce_already_used")
        var keyed = try sign().request()
        keyed.settlementKey = "http-settle-1"
        let first = await http.settle(keyed)
        let retry = await http.settle(keyed)
        XCTAssertTrue(first.success && retry.success, "\(first) \(retry)")
        XCTAssertEqual(retry.transaction, first.transaction, "Idempotency-Key: the retry answers the first settlement")
        XCTAssertEqual(retry.replayed, true)
        let httpSupported = await http.supported()
        XCTAssertEqual(httpSupported.kinds.count, supported.kinds.count)

        // Three payments of 0.10 moved, whatever was asked twice.
        let left = try await service.usdc(key.address.eip55)
        XCTAssertEqual(left, "700000")

        // After a crash, the same settle call retried (same key) is answered from the ledger,
        // marked as a replay, and moves nothing.
        service.kill()
        _ = await service.payments.waitForExit(timeout: .seconds(5))
        try await service.restart()
        let durable: SettleResponse = try await service.client.call(PaymentsMethod.x402Settle, call, idempotencyKey: "settle-1")
        XCTAssertTrue(durable.success)
        XCTAssertEqual(durable.transaction, settled.transaction)
        XCTAssertEqual(durable.replayed, true)
        let unchanged = try await service.usdc(key.address.eip55)
        XCTAssertEqual(unchanged, "700000")
        await service.stop()
    }

    /// The wallet pays a known price on the first request; when the sample API's price changes,
    /// the stale payment is refused and recorded failed, and one payment at the new price follows.
    func testWalletFetchPaysKnownPricesAndFollowsAPriceChange() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let market = try await service.startMarket()
        let client = service.client
        let prices = service.deployment.config.marketURL + "/prices"

        let wallet: WalletInfo = try await client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        try await service.fund(wallet.address, "1")
        let _: WalletInfo = try await client.call(PaymentsMethod.walletLimit, WalletLimitRequest(wallet: "agent", token: "USDC", amount: "1"))
        func fetch() async throws -> FetchReply {
            try await client.call(PaymentsMethod.fetch, FetchRequest(url: prices, wallet: "agent", maxAmount: "0.50"), deadline: .seconds(30))
        }
        for _ in 0..<2 {
            let reply = try await fetch()
            XCTAssertEqual(reply.status, 200)
            XCTAssertEqual(reply.payment?.settled, true, reply.payment?.error ?? "")
        }

        market.signal(SIGTERM)
        _ = await market.waitForExit()
        try await service.startMarket(["--price", "0.25"], tag: "market-repriced")
        let newOffers = try await X402HTTPClient(attempts: 20).quote(prices)
        XCTAssertEqual(newOffers.first?.amount, "250000")

        let repriced = try await fetch()
        XCTAssertEqual(repriced.status, 200)
        XCTAssertEqual(repriced.payment?.settled, true, repriced.payment?.error ?? "")
        XCTAssertEqual(repriced.payment?.amount.description, "250000")

        let list: PaymentListReply = try await client.call(PaymentsMethod.paymentList, PaymentListRequest())
        XCTAssertEqual(list.payments.filter { $0.status == "confirmed" }.map(\.amount.description).sorted(), ["100000", "100000", "250000"])
        let failed = list.payments.filter { $0.status == "failed" }
        XCTAssertEqual(failed.count, 1)
        XCTAssertTrue(failed.first?.error?.contains("changed its terms") ?? false, failed.first?.error ?? "none")
        let left = try await service.usdc(wallet.address)
        XCTAssertEqual(left, "550000")
        let wallets: WalletListReply = try await client.call(PaymentsMethod.walletList, WalletListRequest())
        let limit = try XCTUnwrap(wallets.wallets.first?.limits.first { $0.token == "USDC" })
        XCTAssertEqual(limit.spentToday.description, "450000", "the refused payment's spend was released")
        await service.stop()
    }
}
