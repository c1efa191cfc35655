import BigInt
import Foundation
import PaygentPaymentsAPI
import PaygentCrypto
import PaygentPaymentsTesting
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// Finding 5 of the payments hardening: SIGKILL of `paygent-payments` during a stream of fetches
/// left payments settled on the ledger `pending` and their spends reserved. Now the service
/// reconciles at start-up: within a few seconds of the restart nothing is pending, and the records
/// (payments and the daily limit's spend) agree with the ledger.
final class FetchCrashTests: XCTestCase {
    func testKillDuringAStreamOfFetchesLeavesNothingPending() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        try await service.startMarket()
        let prices = service.deployment.config.marketURL + "/prices"
        let wallet: WalletInfo = try await service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        try await service.fund(wallet.address, "100")
        let _: WalletInfo = try await service.client.call(PaymentsMethod.walletLimit, WalletLimitRequest(wallet: "agent", token: "USDC", amount: "50"))
        let payee = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"

        let answered = Counter()
        let client = service.client
        async let stream: Void = withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<25 {
                        let reply: FetchReply? = try? await client.call(
                            PaymentsMethod.fetch, FetchRequest(url: prices, wallet: "agent", maxAmount: "0.10"), deadline: .seconds(20))
                        guard reply != nil else { return }
                        answered.increment()
                    }
                }
            }
        }
        for _ in 0..<3000 where answered.count < 12 { try await Task.sleep(for: .milliseconds(5)) }
        service.kill()
        await stream
        XCTAssertLessThan(answered.count, 200, "the crash fell in the middle of the stream")
        _ = await service.payments.waitForExit(timeout: .seconds(5))
        let restarted = ContinuousClock.now
        try await service.restart()

        // Within a few seconds of the restart, nothing is pending.
        var list: PaymentListReply = try await service.client.call(PaymentsMethod.paymentList, PaymentListRequest(limit: 1000))
        while list.payments.contains(where: { $0.status == "pending" }) && ContinuousClock.now - restarted < .seconds(10) {
            try await Task.sleep(for: .milliseconds(200))
            list = try await service.client.call(PaymentsMethod.paymentList, PaymentListRequest(limit: 1000))
        }
        XCTAssertEqual(list.payments.filter { $0.status == "pending" }.count, 0, "no payment is pending after the restart")
        XCTAssertLessThan(ContinuousClock.now - restarted, .seconds(10))
        print("fetches answered before the SIGKILL: \(answered.count); payments recorded: \(list.total)")

        // Every confirmed payment is a transfer on the ledger, and nothing else moved.
        let history: LedgerHistoryReply = try await service.client.call(
            PaymentsMethod.ledgerHistory, LedgerHistoryRequest(owner: wallet.address, limit: 1000))
        let transfers = history.transactions.filter { $0.kind == "transfer" }
        let confirmed = list.payments.filter { $0.status == "confirmed" }
        XCTAssertEqual(Set(confirmed.compactMap(\.transaction)), Set(transfers.map(\.hash)), "confirmed payments are exactly the ledger's transfers")
        let spentOnLedger = transfers.reduce(BigUInt(0)) { $0 + $1.value.baseUnits }
        let recorded = confirmed.reduce(BigUInt(0)) { $0 + $1.amount.baseUnits }
        XCTAssertEqual(spentOnLedger, recorded)
        let payer = try await service.usdc(wallet.address)
        XCTAssertEqual(BigUInt(payer)!, 100_000_000 - spentOnLedger)
        let received = try await service.usdc(payee)
        XCTAssertEqual(BigUInt(received)!, spentOnLedger)
        let wallets: WalletListReply = try await service.client.call(PaymentsMethod.walletList, WalletListRequest())
        XCTAssertEqual(wallets.wallets.first?.limits.first?.spentToday.baseUnits, spentOnLedger, "the daily limit counts what left the wallet")
        XCTAssertGreaterThan(transfers.count, 0)
        await service.stop()
    }
}
