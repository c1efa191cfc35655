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

/// The sample paid API paid through the payments service, end to end over HTTP: balances move
/// by exactly the price, and the same payment header cannot be used twice.
final class X402EndToEndTests: XCTestCase {
    func testPayTheSampleAPIThroughThePaymentsService() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        try await service.startMarket()
        let client = service.client
        let deployment = service.deployment
        let payee = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
        let prices = deployment.config.marketURL + "/prices"

        // The market is up when it answers (unpaid requests get 402).
        let http = X402HTTPClient(attempts: 20)
        let offers = try await http.quote(prices)
        XCTAssertEqual(offers.first?.amount, "100000", "0.10 USDC per call")
        XCTAssertEqual(offers.first?.network, "eip155:338")

        let wallet: WalletInfo = try await client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        try await service.fund(wallet.address, "1")

        let reply: FetchReply = try await client.call(
            PaymentsMethod.fetch, FetchRequest(url: prices, wallet: "agent", maxAmount: "0.10"), deadline: .seconds(30))
        XCTAssertEqual(reply.status, 200, String(decoding: reply.body, as: UTF8.self))
        XCTAssertTrue(String(decoding: reply.body, as: UTF8.self).contains("\"BTC\""))
        let payment = try XCTUnwrap(reply.payment)
        XCTAssertTrue(payment.settled, payment.error ?? "")
        XCTAssertEqual(payment.transaction.count, 66)
        XCTAssertEqual(payment.payTo, payee)

        func usdc(_ owner: String) async throws -> String { try await service.usdc(owner) }
        let payer = try await usdc(wallet.address)
        let received = try await usdc(payee)
        XCTAssertEqual(payer, "900000")
        XCTAssertEqual(received, "100000")

        // The payment is on record, with its settlement, and counted in the stats.
        let list: PaymentListReply = try await client.call(PaymentsMethod.paymentList, PaymentListRequest(status: "confirmed"))
        XCTAssertEqual(list.total, 1)
        XCTAssertEqual(list.payments.first?.transaction, payment.transaction)
        XCTAssertEqual(list.payments.first?.wallet, "agent")
        XCTAssertTrue(list.payments.first?.service.hasSuffix("/prices") ?? false)
        let stats: PaymentStats = try await client.call(PaymentsMethod.paymentStats, PaymentStatsRequest())
        XCTAssertEqual(stats.confirmed, 1)
        XCTAssertEqual(stats.successRate, 1)
        XCTAssertEqual(stats.volume.first?.amount.description, "100000")

        // Above the maximum: refused before anything is signed.
        do {
            let _: FetchReply = try await client.call(PaymentsMethod.fetch, FetchRequest(url: prices, wallet: "agent", maxAmount: "0.05"))
            XCTFail("0.10 is above 0.05")
        } catch {
            XCTAssertEqual(error.code, .resourceExhausted)
        }

        // A payment header replayed: the second use is refused with the nonce reason, nothing moves.
        let key = try PrivateKey.generate()
        try await service.fund(key.address.eip55, "1")
        let signed = try ExactSigner.pay(try XCTUnwrap(offers.first), with: key, now: UInt64(Date().timeIntervalSince1970))
        let first = try await http.fetch(prices) { offers in (offers[0], signed) }
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.settlement?.success, true)
        let replayed = try await http.fetch(prices) { offers in (offers[0], signed) }
        XCTAssertEqual(replayed.status, 402)
        let required = try HeaderCodec.decode(
            PaymentRequired.self, from: try XCTUnwrap(replayed.header("PAYMENT-REQUIRED")))
        XCTAssertEqual(required.error, "invalid_exact_evm_nonce_already_used")
        let afterReplay = try await usdc(key.address.eip55)
        XCTAssertEqual(afterReplay, "900000")
        let payeeAfter = try await usdc(payee)
        XCTAssertEqual(payeeAfter, "200000")

        await service.stop()
    }
}
