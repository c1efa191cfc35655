import Foundation
import PaygentPayments
import PaygentPaymentsAPI
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// The payments service in process on a manual clock: a wallet's daily limit counts spends of
/// the current UTC day and starts again at 00:00 UTC, shown without sleeping.
final class DailyLimitClockTests: XCTestCase {
    func testTheDailyLimitResetsAtMidnightUTC() async throws {
        let time = ManualTime("2026-12-02T23:59:00Z")
        let service = try await InProcessService(PaymentsService.definition, time: time.service)
        let client = service.client
        let wallet = try await client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        _ = try await client.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: "USDC", amount: "10"))
        _ = try await client.call(PaymentsMethod.walletLimit, WalletLimitRequest(wallet: "agent", token: "USDC", amount: "1"))
        let payee = "0x00000000000000000000000000000000000000B2"
        func transfer(_ amount: String) async throws(PaygentError) {
            _ = try await client.call(
                PaymentsMethod.walletTransfer, WalletTransferRequest(wallet: "agent", to: payee, token: "USDC", amount: amount))
        }

        try await transfer("0.8")
        do {
            try await transfer("0.5")
            XCTFail("0.8 + 0.5 passes the limit of 1 on 2 December")
        } catch {
            XCTAssertEqual(error.code, .resourceExhausted, error.message)
        }
        await time.advance(by: .seconds(59))
        XCTAssertEqual(ISO8601DateFormatter().string(from: time.now), "2026-12-02T23:59:59Z")
        do {
            try await transfer("0.5")
            XCTFail("still 2 December")
        } catch {
            XCTAssertEqual(error.code, .resourceExhausted, error.message)
        }

        await time.advance(by: .seconds(1))
        XCTAssertEqual(ISO8601DateFormatter().string(from: time.now), "2026-12-03T00:00:00Z")
        try await transfer("0.5")
        let listed = try await client.call(PaymentsMethod.walletList, WalletListRequest())
        let limit = try XCTUnwrap(listed.wallets.first?.limits.first)
        XCTAssertEqual(limit.spentToday.description, "500000", "only 3 December's spend counts")
        XCTAssertEqual(limit.remaining.description, "500000")
        let history = try await client.call(PaymentsMethod.ledgerHistory, LedgerHistoryRequest(owner: payee, limit: 10))
        XCTAssertEqual(history.transactions.count, 2, "0.8 on 2 December and 0.5 on 3 December")
        XCTAssertEqual(history.transactions.first.map { ISO8601DateFormatter().string(from: $0.time) }, "2026-12-03T00:00:00Z", "the ledger records the service's time")
        try await service.stop()
    }
}
