import BigInt
import Foundation
import PaygentPaymentsAPI
import PaygentPaymentsTesting
import PaygentTestSupport
import PaygentTransport
import PaygentVVSAPI
import PaygentWire
import XCTest

/// The payments service stops answering (SIGSTOP) while swaps are on their way, for longer than a
/// settlement's deadline, then goes on (SIGCONT). A swap whose block went unanswered is told its
/// outcome is not known; sent again under its key it gets its one outcome. Every key ends with
/// one answer, the ledger holds each settled swap once, and the pool's record is the ledger.
final class UnansweredSettlementTests: XCTestCase {
    func testSwapsWhoseSettlementWentUnansweredGetOneOutcomeWhenSentAgain() async throws {
        let system = try await SwapCrashTests.Deployment.start()
        defer {
            system.service.payments.signal(SIGCONT)
            system.vvs.signal(SIGKILL)
            system.service.tearDown()
        }
        let start = try await system.pool("CRO-USDC")
        let client = system.client
        let deadline = Date().addingTimeInterval(600)
        let requests = (0..<200).map { index in
            SwapRequest(wallet: "agent", from: "CRO", to: "USDC", amount: "\(10 + index)", slippageBps: 5000, deadline: deadline)
        }
        @Sendable func send(_ index: Int) async -> Result<SwapReply, PaygentError> {
            do throws(PaygentError) {
                return .success(try await client.call(VVSMethod.swap, requests[index], deadline: .seconds(30), idempotencyKey: "unanswered-\(index)"))
            } catch {
                return .failure(error)
            }
        }
        let stream = Task {
            await withTaskGroup(of: (Int, Result<SwapReply, PaygentError>).self) { group in
                for index in requests.indices { group.addTask { (index, await send(index)) } }
                return await group.reduce(into: [Int: Result<SwapReply, PaygentError>]()) { $0[$1.0] = $1.1 }
            }
        }
        // 200 swaps take longer than this at any speed measured here: many are on their way.
        try await Task.sleep(for: .milliseconds(100))
        system.service.payments.signal(SIGSTOP)
        try await Task.sleep(for: .seconds(11))
        system.service.payments.signal(SIGCONT)
        let first = await stream.value
        let unknown = first.values.filter { if case .failure(let error) = $0 { error.code == .unavailable || error.code == .deadlineExceeded } else { false } }
        print("first answers: \(first.values.filter { if case .success = $0 { true } else { false } }.count) settled, \(unknown.count) unknown")
        XCTAssertGreaterThan(unknown.count, 0, "some swaps were on their way when the payments service stopped answering")

        // Each key again until it has an answer other than "not known yet".
        var final: [Int: Result<SwapReply, PaygentError>] = [:]
        for index in requests.indices {
            for _ in 0..<50 {
                let answer = await send(index)
                if case .failure(let error) = answer, error.code == .unavailable || error.code == .deadlineExceeded {
                    try await Task.sleep(for: .milliseconds(200))
                    continue
                }
                final[index] = answer
                break
            }
            XCTAssertNotNil(final[index], "unanswered-\(index) got an outcome")
            if case .success(let reply)? = first[index] {
                XCTAssertEqual(try final[index]?.get(), reply, "a settled swap is answered as it was the first time")
            }
        }
        let settled = final.values.compactMap { try? $0.get() }
        let history = try await system.history(start.address)
        let inputs = history.filter { $0.from.lowercased() == system.trader.lowercased() && $0.token.symbol == "CRO" }
        XCTAssertEqual(inputs.count, settled.count, "each settled swap once in the ledger, and only those")
        let hashes = Set(history.map(\.hash))
        for reply in settled {
            XCTAssertTrue(reply.transactions.allSatisfy(hashes.contains), "\(reply.id) is in the ledger")
        }
        let end = try await system.pool("CRO-USDC")
        let ledgerCRO = try await system.ledgerBalance(start.address, "CRO")
        let ledgerUSDC = try await system.ledgerBalance(start.address, "USDC")
        let croFirst = end.token0.symbol == "CRO"
        XCTAssertEqual(croFirst ? [end.reserve0.baseUnits, end.reserve1.baseUnits] : [end.reserve1.baseUnits, end.reserve0.baseUnits], [ledgerCRO, ledgerUSDC])
        await system.service.stop()
    }
}
