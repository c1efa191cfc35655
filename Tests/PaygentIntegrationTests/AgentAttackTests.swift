import Foundation
import PaygentMoney
import PaygentOrchestratorAPI
import PaygentPaymentsAPI
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// What an attack on the running agent found, each against the built executables: a resource that
/// takes the payment and answers an error is still counted against the budget; an edited approval
/// swaps the edited amount, at a fresh quote; a payee that turns out to be a wallet cannot get past
/// the session's tools; a subscription already paid is not counted again; a payee allowlist holds
/// for trades.
final class AgentAttackTests: XCTestCase {
    func testWhatTheAttackFound() async throws {
        let deployment = try await AgentDeployment()
        defer { deployment.tearDown() }
        let client = deployment.client
        func session(_ name: String, _ policy: SpendPolicy = SpendPolicy(), tools: [String]? = nil) async throws {
            _ = try await client.call(
                OrchestratorMethod.sessionCreate, SessionCreateRequest(name: name, wallet: "agent", policy: policy, allowedTools: tools),
                idempotencyKey: UUID().uuidString)
        }

        // Paid, then refused: the payment counts, and the budget stops the next one.
        let liar = HostileServer(behaviour: .settleAndRefuse, facilitatorURL: deployment.service.deployment.config.facilitatorURL)
        try await liar.start()
        defer { Task { await liar.stop() } }
        try await session("liar", SpendPolicy(budgetUsd: try Amount(parsing: "0.6", decimals: 6)))
        let first = try await deployment.run("pay 0.5 USDC to \(liar.url)", session: "liar")
        XCTAssertEqual(first.status, .failed)
        XCTAssertEqual(first.costs.map(\.amount.description), ["500000"])
        let taken = try await deployment.balance(liar.payTo, "USDC")
        XCTAssertEqual(taken, "500000")
        let second = try await deployment.run("pay 0.5 USDC to \(liar.url)", session: "liar")
        XCTAssertEqual(second.status, .failed)
        XCTAssertTrue(second.error?.contains("would exceed the session budget of $0.60") == true, second.error ?? "")
        var summary = try await client.call(OrchestratorMethod.sessionSummary, SessionRequest(session: "liar"))
        XCTAssertEqual(summary.session.spentUsd.description, "500000")

        // An edited swap: the edited amount, quoted again.
        var execution = try await deployment.run("Swap 20 USDC for CRO")
        var approval = try XCTUnwrap(execution.approval, execution.error ?? "")
        execution = try await deployment.decide(approval.id, .edit, amount: "12")
        XCTAssertEqual(execution.status, .completed, execution.error ?? "")
        XCTAssertEqual(execution.costs.map(\.amount.description), ["12000000"])
        XCTAssertEqual(execution.toolCalls.filter { $0.tool == "vvs.quote" }.count, 2)
        XCTAssertTrue(execution.plan.todos.contains { $0.title.contains("12 USDC") }, "\(execution.plan.todos.map(\.title))")
        // Back from memory, edited down: the edited amount goes back.
        execution = try await deployment.run("swap it back")
        approval = try XCTUnwrap(execution.approval, execution.error ?? "")
        execution = try await deployment.decide(approval.id, .edit, amount: "10")
        XCTAssertEqual(execution.status, .completed, execution.error ?? "")
        XCTAssertEqual(execution.costs.map(\.amount.description), ["10000000000000000000"])

        // A payee that is a wallet, paid by a transfer the session's tools do not allow.
        let merchant = try await deployment.service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "merchant"))
        try await session("fetch-only", tools: ["registry.discover", "payments.fetch"])
        execution = try await deployment.run("pay 1 USDC to merchant", session: "fetch-only")
        XCTAssertEqual(execution.status, .failed)
        XCTAssertTrue(execution.error?.contains("may not call payments.wallet_transfer") == true, execution.error ?? "")
        let untouched = try await deployment.balance(merchant.address, "USDC")
        XCTAssertEqual(untouched, "0")

        // A subscription paid up is not paid, nor counted, again.
        try await session("subscriber")
        execution = try await deployment.run("subscribe to the market data feed", session: "subscriber")
        XCTAssertEqual(execution.costs.map(\.amount.description), ["1000000"])
        execution = try await deployment.run("subscribe to the market data feed", session: "subscriber")
        XCTAssertEqual(execution.status, .completed, execution.error ?? "")
        XCTAssertEqual(execution.costs, [])
        XCTAssertTrue(execution.result.last?.contains("already subscribed") == true, "\(execution.result)")
        summary = try await client.call(OrchestratorMethod.sessionSummary, SessionRequest(session: "subscriber"))
        XCTAssertEqual(summary.totalUsd.description, "1000000")

        // A payee allowlist holds for trades: VVS and Moonlander are payees too.
        try await session("only-bob", SpendPolicy(allowedPayees: [AgentApprovalTests.recipient(20)]))
        execution = try await deployment.run("Swap 1 USDC for CRO", session: "only-bob")
        XCTAssertEqual(execution.status, .failed)
        XCTAssertTrue(execution.error?.contains("the payee vvs is not on this session's allowlist") == true, execution.error ?? "")
        try await session("vvs-ok", SpendPolicy(allowedPayees: ["vvs"]))
        execution = try await deployment.run("Swap 1 USDC for CRO", session: "vvs-ok")
        XCTAssertEqual(execution.status, .completed, execution.error ?? "")
    }
}
