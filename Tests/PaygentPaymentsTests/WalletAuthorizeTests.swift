import Foundation
import PaygentPayments
import PaygentPaymentsAPI
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// `payments.wallet_authorize` on a manual clock: the authorized amount counts against the daily
/// limit at once; settled under the same key it stays spent; never settled, it is released once
/// the authorization has expired and the periodic pass runs.
final class WalletAuthorizeTests: XCTestCase {
    func testAnAuthorizationIsSpentWhenSettledAndReleasedWhenNot() async throws {
        let time = ManualTime("2026-12-02T12:00:00Z")
        let service = try await InProcessService(PaymentsService.definition, time: time.service)
        let client = service.client
        let wallet = try await client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        _ = try await client.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: "USDC", amount: "10"))
        _ = try await client.call(PaymentsMethod.walletLimit, WalletLimitRequest(wallet: "agent", token: "USDC", amount: "1"))
        let payee = "0x00000000000000000000000000000000000000B4"
        func spent() async throws -> String {
            try await client.call(PaymentsMethod.walletList, WalletListRequest()).wallets[0].limits[0].spentToday.description
        }
        func authorize(_ amount: String, key: String?) async throws(PaygentError) -> SignedTransferMessage {
            try await client.call(
                PaymentsMethod.walletAuthorize, WalletAuthorizeRequest(wallet: "agent", to: payee, token: "USDC", amount: amount, validSeconds: 60),
                idempotencyKey: key)
        }

        do {
            _ = try await authorize("0.1", key: nil)
            XCTFail("an authorization needs the key its settlement will carry")
        } catch {
            XCTAssertEqual(error.code, .badRequest, error.message)
        }
        let settledOne = try await authorize("0.4", key: "swap-a")
        let unsettled = try await authorize("0.5", key: "swap-b")
        let spentNow1 = try await spent()
        XCTAssertEqual(spentNow1, "900000", "both count at once")
        do {
            _ = try await authorize("0.2", key: "swap-c")
            XCTFail("past the daily limit")
        } catch {
            XCTAssertEqual(error.code, .resourceExhausted, error.message)
        }
        XCTAssertEqual(settledOne.validBefore, "\(Int(time.now.timeIntervalSince1970) + 60)")
        XCTAssertEqual(unsettled.from, wallet.address)

        let receipt = try await client.call(PaymentsMethod.settle, SettleRequest(transfers: [settledOne]), idempotencyKey: "swap-a")
        XCTAssertEqual(receipt.transactions.first?.value.description, "400000")

        // Seven minutes on: the unsettled authorization expired long ago; the next pass releases it.
        await time.advance(by: .seconds(7 * 60))
        var now = try await spent()
        for _ in 0..<40 where now != "400000" {
            await time.advance(by: .seconds(20))
            try await Task.sleep(for: .milliseconds(50))
            now = try await spent()
        }
        XCTAssertEqual(now, "400000", "the settled one stays spent, the expired one is released")
        do {
            _ = try await client.call(PaymentsMethod.settle, SettleRequest(transfers: [unsettled]), idempotencyKey: "swap-b")
            XCTFail("an expired authorization cannot settle")
        } catch {
            XCTAssertNotEqual(error.code, .unavailable, error.message)
        }
        let spentNow2 = try await spent()
        XCTAssertEqual(spentNow2, "400000")

        // Settled under another key than it was authorized under: still spent (its fate is read
        // from the ledger by its nonce), so the daily limit cannot be slipped this way.
        let elsewhere = try await authorize("0.3", key: "swap-d")
        _ = try await client.call(PaymentsMethod.settle, SettleRequest(transfers: [elsewhere]), idempotencyKey: "not-swap-d")
        await time.advance(by: .seconds(7 * 60))
        for _ in 0..<10 {
            await time.advance(by: .seconds(20))
            try await Task.sleep(for: .milliseconds(50))
        }
        let afterElsewhere = try await spent()
        XCTAssertEqual(afterElsewhere, "700000", "0.4 and 0.3 moved; both count")
        try await service.stop()
    }
}
