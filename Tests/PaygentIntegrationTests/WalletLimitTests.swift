import Foundation
import PaygentPaymentsAPI
import PaygentPaymentsTesting
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// 200 concurrent payments from one wallet against a daily limit that allows half of them: the
/// limit is never passed and every refused payment says why.
final class WalletLimitTests: XCTestCase {
    func testConcurrentTransfersNeverPassTheDailyLimit() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let client = service.client
        let deployment = service.deployment

        let wallet: WalletInfo = try await client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        XCTAssertTrue(wallet.address.hasPrefix("0x"))
        let _: LedgerReceipt = try await client.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: "USDC", amount: "5"))
        let limited: WalletInfo = try await client.call(
            PaymentsMethod.walletLimit, WalletLimitRequest(wallet: "agent", token: "USDC", amount: "1"))
        XCTAssertEqual(limited.limits.first?.limit.description, "1000000")

        // The keystore file is readable by its owner only.
        let keystores = deployment.directory + "/payments/wallets"
        let files = try FileManager.default.contentsOfDirectory(atPath: keystores)
        XCTAssertEqual(files, ["agent.json"])
        let mode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: keystores + "/agent.json")[.posixPermissions] as? NSNumber)
        XCTAssertEqual(mode.intValue & 0o777, 0o600)

        let recipient = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
        let outcomes = await withTaskGroup(of: PaygentError?.self) { group in
            for index in 0..<200 {
                group.addTask {
                    do throws(PaygentError) {
                        let _: LedgerReceipt = try await client.call(
                            PaymentsMethod.walletTransfer,
                            WalletTransferRequest(wallet: "agent", to: recipient, token: "USDC", amount: "0.01"),
                            deadline: .seconds(60), idempotencyKey: "pay-\(index)")
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var all: [PaygentError?] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let refused = outcomes.compactMap { $0 }
        XCTAssertEqual(outcomes.count - refused.count, 100, "exactly the limit's worth went through")
        XCTAssertEqual(refused.count, 100)
        for error in refused {
            XCTAssertEqual(error.code, .resourceExhausted, error.message)
            XCTAssertTrue(error.message.contains("daily limit") && error.message.contains("0 USDC left today"), error.message)
        }
        // Importing a keystore written by eth-account: the key travels encrypted, wrong passwords
        // are refused, and a key cannot become two wallets.
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("PaygentCryptoTests/Fixtures/eth-account-keystores.json")
        let fixtures = try XCTUnwrap(try JSONSerialization.jsonObject(with: try Data(contentsOf: fixture)) as? [String: Any])
        let keystore = String(decoding: try JSONSerialization.data(withJSONObject: try XCTUnwrap(fixtures["scrypt"])), as: UTF8.self)
        do {
            let _: WalletInfo = try await client.call(
                PaymentsMethod.walletImport, WalletImportRequest(name: "imported", keystore: keystore, password: "wrong"))
            XCTFail("a wrong password must be refused")
        } catch {
            XCTAssertEqual(error.code, .badRequest)
            XCTAssertFalse(error.message.contains("wrong\""), "the password is not echoed")
        }
        let password = try XCTUnwrap(fixtures["password"] as? String)
        let imported: WalletInfo = try await client.call(
            PaymentsMethod.walletImport, WalletImportRequest(name: "imported", keystore: keystore, password: password))
        XCTAssertEqual(imported.address, fixtures["address"] as? String)
        do {
            let _: WalletInfo = try await client.call(
                PaymentsMethod.walletImport,
                WalletImportRequest(name: "again", keystore: keystore, password: password))
            XCTFail("the same key twice")
        } catch {
            XCTAssertEqual(error.code, .conflict)
        }

        let balances: BalancesReply = try await client.call(PaymentsMethod.balances, BalancesRequest(owner: wallet.address))
        XCTAssertEqual(balances.balances.first { $0.token.symbol == "USDC" }?.amount.description, "4000000")
        let after: WalletListReply = try await client.call(PaymentsMethod.walletList, WalletListRequest())
        XCTAssertEqual(after.wallets.first?.limits.first?.remaining.description, "0")
        XCTAssertEqual(after.wallets.map(\.name), ["agent", "imported"])
        await service.stop()
    }
}
