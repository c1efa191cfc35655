import BigInt
import Foundation
import PaygentPaymentsAPI
import PaygentCrypto
import PaygentPaymentsTesting
import PaygentTestSupport
import PaygentTransport
import PaygentX402
import PaygentX402HTTP
import XCTest
import PaygentMoney

/// SIGKILL of the payments service (ledger and facilitator) during a stream of x402 payments to
/// the sample API, then a restart: retrying every payment with its same signed header settles each
/// exactly once, and the balances move by exactly the price times the number of payments.
final class X402CrashTests: XCTestCase {
    func testKillDuringAStreamOfX402Payments() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        try await service.startMarket()
        let client = service.client
        let prices = service.deployment.config.marketURL + "/prices"
        let offers = try await X402HTTPClient(attempts: 20).quote(prices)
        let offer = try XCTUnwrap(offers.first)
        let price = try XCTUnwrap(Int(offer.amount))
        let payee = try Address(offer.payTo)

        let streamCount = 150
        let payer = try PrivateKey.generate()
        let funded = streamCount * price
        try await service.fund(payer.address.eip55, try Amount(baseUnits: BigUInt(funded)).formatted(decimals: 6))
        func usdc(_ owner: Address) async throws -> Int { Int(try await service.usdc(owner.eip55)) ?? -1 }
        let payeeBefore = try await usdc(payee)
        let now = UInt64(Date().timeIntervalSince1970)
        let stream = try (0..<streamCount).map { _ in try ExactSigner.pay(offer, with: payer, now: now) }

        // One attempt each: a payment that meets the dead service fails here and is retried below.
        // The service is killed once a few payments have been answered, so the crash falls in
        // the middle of the stream however fast it runs.
        let http = X402HTTPClient(attempts: 1, timeout: .seconds(5))
        let answered = Counter()
        async let outcomes: [Int: Int] = withTaskGroup(of: (Int, Int).self) { group in
            for (index, payment) in stream.enumerated() {
                group.addTask {
                    let response = try? await http.fetch(prices) { offers in (offers[0], payment) }
                    if response?.status == 200 { answered.increment() }
                    return (index, response?.status ?? 0)
                }
            }
            var all: [Int: Int] = [:]
            for await (index, status) in group { all[index] = status }
            return all
        }
        for _ in 0..<2000 where answered.count < 10 { try await Task.sleep(for: .milliseconds(5)) }
        service.kill()
        let reported = await outcomes
        let paidBefore = reported.values.filter { $0 == 200 }.count
        print("x402 payments answered 200 before the SIGKILL: \(paidBefore) of \(streamCount)")
        XCTAssertLessThan(paidBefore, streamCount, "the crash fell in the middle of the stream")
        _ = await service.payments.waitForExit(timeout: .seconds(5))
        try await service.restart()

        // The same header again: settled now (200), or refused as already used because it was
        // settled before the crash. A payment answered 200 before must be the second kind.
        let retry = X402HTTPClient(attempts: 20, timeout: .seconds(5))
        var settledBefore = 0
        for (index, payment) in stream.enumerated() {
            let response = try await retry.fetch(prices) { offers in (offers[0], payment) }
            if response.status == 200 {
                XCTAssertNotEqual(reported[index], 200, "payment \(index) was paid already; its header cannot pay twice")
                XCTAssertEqual(response.settlement?.success, true)
                continue
            }
            XCTAssertEqual(response.status, 402, "payment \(index)")
            let required = try HeaderCodec.decode(
                PaymentRequired.self, from: try XCTUnwrap(response.header("PAYMENT-REQUIRED")))
            XCTAssertEqual(required.error, "invalid_exact_evm_nonce_already_used", "payment \(index)")
            settledBefore += 1
        }
        XCTAssertGreaterThanOrEqual(settledBefore, reported.values.filter { $0 == 200 }.count)
        let payerFinal = try await usdc(payer.address)
        let payeeFinal = try await usdc(payee)
        XCTAssertEqual(payerFinal, 0, "every payment settled once: the payer spent exactly what it was given")
        XCTAssertEqual(payeeFinal - payeeBefore, funded)
        let history: LedgerHistoryReply = try await client.call(
            PaymentsMethod.ledgerHistory, LedgerHistoryRequest(owner: payer.address.eip55, limit: 1000))
        XCTAssertEqual(history.transactions.count, streamCount + 1, "the mint, then one entry per payment, none twice")
        await service.stop()
    }
}
