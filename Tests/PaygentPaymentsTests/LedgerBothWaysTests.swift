import Foundation
import PaygentCrypto
import PaygentPayments
import PaygentPaymentsAPI
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// One test body, run in process and against the built `paygent-payments`: the faucet, balances,
/// a replayed mint and the ledger's log behave the same either way.
final class LedgerBothWaysTests: XCTestCase {
    func testFaucetBalancesAndReplayTheSameInBothHarnesses() async throws {
        try await ServiceHarness.each(PaymentsService.definition) { service, harness in
            let client = service.client
            let owner = try PrivateKey.generate().address.eip55
            let request = FaucetRequest(to: owner, token: "usdc", amount: "2.5")
            let first = try await client.call(PaymentsMethod.faucet, request, idempotencyKey: "mint-\(harness.rawValue)")
            let again = try await client.callRaw(
                PaymentsMethod.faucet.name, body: try BinaryEncoder().encode(request), idempotencyKey: "mint-\(harness.rawValue)")
            XCTAssertTrue(again.envelope.replayed, "\(harness): a retry is answered from the record")
            XCTAssertEqual(try BinaryDecoder().decode(LedgerReceipt.self, from: again.body), first)
            let balances = try await client.call(PaymentsMethod.balances, BalancesRequest(owner: owner))
            XCTAssertEqual(balances.balances.first { $0.token.symbol == "USDC" }?.amount.description, "2500000", "\(harness): minted once")
            XCTAssertEqual(balances.balances.first { $0.token.symbol == "USDC" }?.token.domainName, "Bridged USDC (Stargate)")
            do {
                _ = try await client.call(PaymentsMethod.faucet, FaucetRequest(to: owner, token: "USDC", amount: "0"))
                XCTFail("\(harness): a mint of 0 is refused")
            } catch let error as PaygentError {
                XCTAssertEqual(error.code, .badRequest, error.message)
                XCTAssertTrue(error.message.contains("amount: must be more than 0"), error.message)
            }
            let history = try await client.call(PaymentsMethod.ledgerHistory, LedgerHistoryRequest(owner: owner, limit: 10))
            XCTAssertEqual(history.transactions.count, 1, "\(harness)")
        }
    }
}
