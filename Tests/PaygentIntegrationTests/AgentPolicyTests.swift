import Foundation
import PaygentMoney
import PaygentOrchestratorAPI
import PaygentPaymentsAPI
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// Each spend-policy limit refuses before anything is spent, saying which limit and by how much:
/// the asset and payee allowlists, the per-payment maximum, the session's and the command's
/// budgets, the wallet's daily limit, and the session's tool allowlist.
final class AgentPolicyTests: XCTestCase {
    func testEachLimitRefusesBeforeSpending() async throws {
        let deployment = try await AgentDeployment()
        defer { deployment.tearDown() }
        let client = deployment.client
        func session(_ name: String, _ policy: SpendPolicy, wallet: String = "agent", tools: [String]? = nil) async throws {
            _ = try await client.call(
                OrchestratorMethod.sessionCreate, SessionCreateRequest(name: name, wallet: wallet, policy: policy, allowedTools: tools),
                idempotencyKey: UUID().uuidString)
        }
        func usd(_ text: String) throws -> Amount { try Amount(parsing: text, decimals: 6) }
        /// Runs `command` in `session`, expecting a refusal at the policy step that contains `words`, with nothing spent.
        func refused(
            _ command: String, in session: String, budget: String? = nil, _ words: String, at tool: String = "agent.policy_check", file: StaticString = #filePath,
            line: UInt = #line
        ) async throws {
            let before = try await deployment.balance(deployment.agentAddress, "USDC")
            let execution = try await deployment.run(command, session: session, budget: budget)
            XCTAssertEqual(execution.status, .failed, file: file, line: line)
            XCTAssertTrue(execution.error?.contains(words) == true, "\(execution.error ?? "no error")", file: file, line: line)
            XCTAssertEqual(execution.plan.todos.first { $0.status == .failed }?.tool, tool, file: file, line: line)
            XCTAssertEqual(execution.costs, [], file: file, line: line)
            let after = try await deployment.balance(deployment.agentAddress, "USDC")
            XCTAssertEqual(after, before, file: file, line: line)
        }

        try await session("stables", SpendPolicy(allowedAssets: ["USDC"]))
        try await refused("Swap 10 CRO for USDC", in: "stables", "the asset CRO is not allowed in this session (allowed: USDC)")

        try await session("known-payees", SpendPolicy(allowedPayees: ["Market data: prices"]))
        try await refused(
            "send 1 USDC to \(AgentApprovalTests.recipient(9))", in: "known-payees",
            "the payee \(AgentApprovalTests.recipient(9)) is not on this session's allowlist (allowed: Market data: prices)")
        let allowed = try await deployment.run("pay 0.10 USDC to the market data API", session: "known-payees")
        XCTAssertEqual(allowed.status, .completed, allowed.error ?? "")

        try await session("small", SpendPolicy(maxPaymentUsd: try usd("0.05")))
        try await refused("pay 0.10 USDC to the market data API", in: "small", "$0.10 exceeds the per-payment maximum of $0.05 by $0.05")

        try await session("budgeted", SpendPolicy(budgetUsd: try usd("0.15")))
        let first = try await deployment.run("pay 0.10 USDC to the market data API", session: "budgeted")
        XCTAssertEqual(first.status, .completed, first.error ?? "")
        try await refused(
            "pay 0.10 USDC to the market data API", in: "budgeted", "$0.10 would exceed the session budget of $0.15 by $0.05 ($0.10 spent so far)")

        try await refused("pay 0.10 USDC to the market data API", in: "small", budget: "0.01", "$0.10 exceeds the per-payment maximum")
        try await session("open", SpendPolicy())
        try await refused("pay 0.10 USDC to the market data API", in: "open", budget: "0.05", "$0.10 would exceed this command's budget of $0.05 by $0.05")
        // A compound command is held to its budget across steps.
        try await refused(
            "pay 0.10 USDC to the market data API then pay 0.10 USDC to the market data API", in: "open", budget: "0.15",
            "$0.10 would exceed this command's budget of $0.15 by $0.05", at: "agent.plan_check")

        let limited = try await deployment.service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "limited"))
        try await deployment.service.fund(limited.address, "10")
        _ = try await deployment.service.client.call(PaymentsMethod.walletLimit, WalletLimitRequest(wallet: "limited", token: "USDC", amount: "1"))
        try await session("daily", SpendPolicy(), wallet: "limited")
        let within = try await deployment.run("send 0.75 USDC to \(AgentApprovalTests.recipient(10))", session: "daily")
        XCTAssertEqual(within.status, .completed, within.error ?? "")
        let over = try await deployment.run("send 0.5 USDC to \(AgentApprovalTests.recipient(10))", session: "daily")
        XCTAssertEqual(over.status, .failed)
        XCTAssertTrue(
            over.error?.contains("0.5 USDC exceeds what is left of the wallet's daily USDC limit (0.25 USDC) by 0.25 USDC") == true, over.error ?? "")
        let limitedLeft = try await deployment.balance(limited.address, "USDC")
        XCTAssertEqual(limitedLeft, "9250000")

        try await session("readonly", SpendPolicy(), tools: ["agent.parse", "payments.balances", "payments.wallet_list"])
        do {
            _ = try await deployment.run("Swap 10 CRO for USDC", session: "readonly")
            XCTFail("a tool outside the session's allowlist ran")
        } catch let error as PaygentError {
            XCTAssertEqual(error.code, .permissionDenied)
            XCTAssertTrue(error.message.contains("may not call vvs.quote"), error.message)
        }
        let balance = try await deployment.run("Check my wallet balance", session: "readonly")
        XCTAssertEqual(balance.status, .completed, balance.error ?? "")

        // A command it cannot understand is refused with examples, and nothing is recorded as run.
        do {
            _ = try await deployment.run("please do something clever")
            XCTFail("a command nobody could understand ran")
        } catch let error as PaygentError {
            XCTAssertEqual(error.code, .badRequest)
            XCTAssertTrue(error.message.contains("Check my wallet balance"), error.message)
        }
    }
}

/// Many commands of one session at once cannot spend past its budget together, and the session's
/// spending counts every one of them.
final class AgentConcurrentBudgetTests: XCTestCase {
    func testConcurrentCommandsStayWithinTheSessionBudget() async throws {
        let deployment = try await AgentDeployment()
        defer { deployment.tearDown() }
        _ = try await deployment.client.call(
            OrchestratorMethod.sessionCreate,
            SessionCreateRequest(name: "tight", wallet: "agent", policy: SpendPolicy(budgetUsd: try Amount(parsing: "5", decimals: 6))),
            idempotencyKey: UUID().uuidString)
        let recipient = "0x00000000000000000000000000000000000000F1"
        let statuses = try await withThrowingTaskGroup(of: ExecutionStatus.self) { group in
            for _ in 0..<8 {
                group.addTask { try await deployment.run("send 1 USDC to \(recipient)", session: "tight").status }
            }
            var all: [ExecutionStatus] = []
            for try await status in group { all.append(status) }
            return all
        }
        XCTAssertEqual(statuses.filter { $0 == .completed }.count, 5, "\(statuses)")
        XCTAssertEqual(statuses.filter { $0 == .failed }.count, 3, "\(statuses)")
        let received = try await deployment.balance(recipient, "USDC")
        XCTAssertEqual(received, "5000000")
        let summary = try await deployment.client.call(OrchestratorMethod.sessionSummary, SessionRequest(session: "tight"))
        XCTAssertEqual(summary.session.spentUsd.description, "5000000")
        XCTAssertEqual(summary.totalUsd.description, "5000000")
    }
}
