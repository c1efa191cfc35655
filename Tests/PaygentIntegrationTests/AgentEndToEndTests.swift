import Foundation
import PaygentMoney
import PaygentOrchestratorAPI
import PaygentPaymentsAPI
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// The orchestrator with every service running as built executables: each intent carried out for
/// real (x402 through the sample paid API, VVS swaps, Moonlander positions), session memory,
/// a compound command, and execution logs and summaries that match the ledger to the base unit.
final class AgentEndToEndTests: XCTestCase {
    func testEveryIntentAgainstRunningServices() async throws {
        let deployment = try await AgentDeployment()
        defer { deployment.tearDown() }
        func completed(_ command: String, file: StaticString = #filePath, line: UInt = #line) async throws -> ExecutionInfo {
            let execution = try await deployment.run(command)
            XCTAssertEqual(execution.status, .completed, "\(command): \(execution.error ?? "") \(execution.plan.todos.map { "\($0.tool) \($0.status) \($0.error ?? "")" })", file: file, line: line)
            XCTAssertTrue(execution.plan.todos.allSatisfy { $0.status == .completed }, "\(command)", file: file, line: line)
            return execution
        }

        var execution = try await completed("Check my wallet balance")
        XCTAssertTrue(execution.result.last?.contains("100 USDC") == true, "\(execution.result)")
        XCTAssertTrue(execution.result.last?.contains("1000 CRO") == true, "\(execution.result)")
        execution = try await completed("how much USDC do I have?")
        XCTAssertEqual(execution.plan.intents.first?.token, "USDC")

        execution = try await completed("find market data services")
        XCTAssertTrue(execution.result.last?.contains("Market data: prices") == true, "\(execution.result)")
        execution = try await completed("what services are available?")
        XCTAssertTrue(execution.result.last?.contains("City weather") == true, "\(execution.result)")

        // A real x402 payment through the sample paid API, verified on the ledger.
        execution = try await completed("Pay 0.10 USDC to access the market data API")
        XCTAssertEqual(execution.plan.todos.map(\.tool), [
            "agent.parse", "registry.discover", "agent.policy_check", "payments.fetch", "agent.verify_settlement",
        ])
        XCTAssertEqual(execution.costs.map(\.amount.description), ["100000"])
        XCTAssertEqual(execution.totalUsd.description, "100000")
        XCTAssertTrue(execution.result.last?.hasPrefix("settled on the ledger") == true, "\(execution.result)")
        XCTAssertTrue(execution.toolCalls.contains { $0.tool == "payments.fetch" && $0.error == nil })
        var usdc = try await deployment.balance(deployment.agentAddress, "USDC")
        XCTAssertEqual(usdc, "99900000")
        // Memory: the same service again, no amount given, its price paid.
        execution = try await completed("pay the same service again")
        XCTAssertEqual(execution.costs.map(\.amount.description), ["100000"])
        usdc = try await deployment.balance(deployment.agentAddress, "USDC")
        XCTAssertEqual(usdc, "99800000")

        // A payee that is no service but a wallet's name is paid by a transfer.
        let merchant = try await deployment.service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "merchant"))
        execution = try await completed("pay 1 USDC to merchant")
        XCTAssertEqual(execution.plan.todos.map(\.tool), [
            "agent.parse", "registry.discover", "agent.policy_check", "payments.wallet_transfer", "agent.verify_settlement",
        ])
        var received = try await deployment.balance(merchant.address, "USDC")
        XCTAssertEqual(received, "1000000")
        // A subscription, one period paid to the service's payee.
        execution = try await completed("subscribe to the market data feed")
        XCTAssertTrue(execution.result.last?.contains("subscribed to Market data: feed (subscription)") == true, "\(execution.result)")
        XCTAssertEqual(execution.costs.map(\.amount.description), ["1000000"])
        received = try await deployment.balance(deployment.agentAddress, "USDC")
        XCTAssertEqual(received, "97800000")
        try await deployment.service.fund(deployment.agentAddress, "2")

        // A swap priced by VVS's own quote, then reversed from memory.
        execution = try await completed("Swap 10 CRO for USDC")
        XCTAssertEqual(execution.costs.first?.token, "CRO")
        XCTAssertEqual(execution.costs.first?.amount.description, "10000000000000000000")
        XCTAssertTrue(execution.costs.first?.rate.hasPrefix("VVS: 10 CRO = 0.") == true, "\(execution.costs)")
        let cro = try await deployment.balance(deployment.agentAddress, "CRO")
        XCTAssertEqual(cro, "990000000000000000000")
        let afterSwap = try await deployment.balance(deployment.agentAddress, "USDC")
        XCTAssertGreaterThan(Int(afterSwap)!, 99_800_000)
        execution = try await completed("swap it back")
        XCTAssertEqual(execution.costs.first?.token, "USDC")
        XCTAssertEqual(execution.costs.first?.amount.description, String(Int(afterSwap)! - 99_800_000))

        // Perpetuals: open, a stop-loss, funding, close.
        let small = try await deployment.run("open a 10x long position on BTC with 5 USDC")
        XCTAssertEqual(small.status, .failed)
        XCTAssertEqual(small.plan.todos.map(\.status), [.completed, .failed, .skipped, .skipped, .skipped])
        XCTAssertTrue(small.error?.contains("below BTC-USD's minimum of 10 USDC") == true, small.error ?? "")
        // Without collateral named, the default 10 USDC.
        execution = try await completed("open a 10x long position on BTC")
        XCTAssertEqual(execution.costs.map(\.amount.description), ["10000000"])
        XCTAssertTrue(execution.result.last?.hasPrefix("settled on the ledger") == true)
        execution = try await completed("set a stop-loss at 90000 on my BTC position")
        XCTAssertTrue(execution.result.last?.contains("stop-loss 90000") == true, "\(execution.result)")
        execution = try await completed("set take profit to 120000")
        XCTAssertTrue(execution.result.last?.contains("take-profit 120000") == true, "\(execution.result)")
        execution = try await completed("what is the funding rate on BTC?")
        XCTAssertTrue(execution.result.last?.contains("BTC-USD") == true)
        execution = try await completed("close my BTC position")
        XCTAssertTrue(execution.result.last?.contains("closed pos_") == true, "\(execution.result)")

        // Liquidity and farms.
        execution = try await completed("add liquidity 20 CRO and 2 USDC to the CRO-USDC pool")
        XCTAssertEqual(execution.costs.map(\.token), ["CRO", "USDC"])
        execution = try await completed("stake all LP in the CRO-USDC farm")
        execution = try await completed("harvest my CRO-USDC farm")
        execution = try await completed("unstake all LP from the CRO-USDC farm")
        execution = try await completed("remove all liquidity from CRO-USDC")

        // A compound command: both steps, in order, one execution.
        execution = try await completed("check my balance then pay 0.10 USDC to the market data API")
        XCTAssertEqual(execution.plan.intents.map(\.intent), [.balanceCheck, .payment])
        XCTAssertEqual(execution.result.count, 2)

        execution = try await completed("how much can I spend today")
        execution = try await completed("what did I spend today?")

        // The log, the history answer and the summary add up to what the ledger moved.
        let summary = try await deployment.client.call(OrchestratorMethod.sessionSummary, SessionRequest(session: "default"))
        let logs = try await deployment.client.call(OrchestratorMethod.executions, ExecutionListRequest(session: "default", limit: 100))
        XCTAssertEqual(summary.commands, logs.total)
        XCTAssertEqual(summary.completed, logs.total - 1)
        let paidUSDC = logs.executions.flatMap(\.costs).filter { $0.token == "USDC" }.reduce(0) { $0 + Int($1.amount.description)! }
        XCTAssertEqual(summary.spent.first { $0.token == "USDC" }?.amount.description, String(paidUSDC))
        let shown = try Amount(baseUnitsString: String(paidUSDC)).formatted(decimals: 6)
        XCTAssertTrue(execution.result.last?.contains("30 CRO") == true && execution.result.last?.contains("\(shown) USDC") == true, "\(execution.result)")
        // USDC: the two paid calls, the swap back, the position's collateral, the deposit, and the compound's payment.
        let ledgerOut = 100_000 + 100_000 + 1_000_000 + 1_000_000 + (Int(afterSwap)! - 99_800_000) + 10_000_000 + 2_000_000 + 100_000
        XCTAssertEqual(paidUSDC, ledgerOut)
        let payments = try await deployment.client.call(OrchestratorMethod.executions, ExecutionListRequest(intent: .payment))
        XCTAssertEqual(payments.total, 4)
        XCTAssertEqual(summary.session.memory["last_service"], "svc_000000000001")
    }
}
