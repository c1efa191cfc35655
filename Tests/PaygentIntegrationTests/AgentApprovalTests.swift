import Foundation
import PaygentMoney
import PaygentOrchestratorAPI
import PaygentPaymentsAPI
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// Human in the loop against the built executables: a step above the approval threshold waits;
/// approved it pays once, rejected nothing moves, edited it pays the new amount after the policy
/// checks it again. A pending approval survives SIGKILL of the orchestrator and, approved after
/// the restart, pays exactly once; the kill switch stops a multi-step plan between its steps.
final class AgentApprovalTests: XCTestCase {
    static func recipient(_ n: Int) -> String { "0x" + String(repeating: "0", count: 38) + String(format: "%02X", n) }

    func testApproveRejectEditAndKill() async throws {
        let deployment = try await AgentDeployment()
        defer { deployment.tearDown() }
        let events = try Subscriber(
            endpoints: [deployment.service.deployment.config.endpoints(.orchestrator).pub], prefixes: ["approval.required"],
            context: deployment.service.context)
        defer { events.close() }
        try await Task.sleep(for: .milliseconds(100))

        // Approved: paid once, to the base unit.
        var execution = try await deployment.run("send 25 USDC to \(Self.recipient(1))")
        XCTAssertEqual(execution.status, .awaitingApproval, execution.error ?? "")
        let approval = try XCTUnwrap(execution.approval)
        XCTAssertEqual([approval.amount, approval.token, approval.usd.description, approval.thresholdUsd.description], ["25", "USDC", "25000000", "10000000"])
        XCTAssertEqual(approval.tool, "payments.wallet_transfer")
        XCTAssertEqual(execution.plan.todos.map(\.status), [.completed, .pending, .pending, .pending])
        var published: ApprovalInfo?
        for await event in events.events {
            published = try event.decode(ApprovalInfo.self)
            break
        }
        XCTAssertEqual(published?.id, approval.id)
        let pending = try await deployment.client.call(OrchestratorMethod.approvals, ApprovalListRequest())
        XCTAssertEqual(pending.approvals.map(\.id), [approval.id])
        var recipient = try await deployment.balance(Self.recipient(1), "USDC")
        XCTAssertEqual(recipient, "0")
        execution = try await deployment.decide(approval.id, .approve)
        XCTAssertEqual(execution.status, .completed, execution.error ?? "")
        XCTAssertEqual(execution.costs.map(\.amount.description), ["25000000"])
        recipient = try await deployment.balance(Self.recipient(1), "USDC")
        XCTAssertEqual(recipient, "25000000")
        do {
            _ = try await deployment.decide(approval.id, .approve)
            XCTFail("an approval was decided twice")
        } catch let error as PaygentError {
            XCTAssertEqual(error.code, .failedPrecondition)
            XCTAssertTrue(error.message.contains("already approved"), error.message)
        }

        // Rejected: stops, nothing moves.
        execution = try await deployment.run("send 20 USDC to \(Self.recipient(2))")
        execution = try await deployment.decide(try XCTUnwrap(execution.approval).id, .reject)
        XCTAssertEqual(execution.status, .rejected)
        XCTAssertTrue(execution.error?.contains("too much") == true, execution.error ?? "")
        XCTAssertEqual(execution.plan.todos.map(\.status), [.completed, .skipped, .skipped, .skipped])
        recipient = try await deployment.balance(Self.recipient(2), "USDC")
        XCTAssertEqual(recipient, "0")

        // Edited: the new amount, checked again, paid.
        execution = try await deployment.run("send 30 USDC to \(Self.recipient(3))")
        let edited = try XCTUnwrap(execution.approval)
        do {
            _ = try await deployment.decide(edited.id, .edit, amount: "5.0000001")
            XCTFail("an amount finer than USDC's 6 decimals was accepted")
        } catch let error as PaygentError {
            XCTAssertEqual(error.code, .badRequest)
        }
        execution = try await deployment.decide(edited.id, .edit, amount: "5")
        XCTAssertEqual(execution.status, .completed, execution.error ?? "")
        XCTAssertEqual(execution.plan.intents.first?.amount, "5")
        recipient = try await deployment.balance(Self.recipient(3), "USDC")
        XCTAssertEqual(recipient, "5000000")

        // Durability: a pending approval survives SIGKILL; approved after the restart, paid once.
        let key = UUID().uuidString
        execution = try await deployment.run("send 15 USDC to \(Self.recipient(4))", key: key)
        let durable = try XCTUnwrap(execution.approval)
        deployment.orchestrator.signal(SIGKILL)
        _ = await deployment.orchestrator.waitForExit()
        try await deployment.restartOrchestrator()
        let survived = try await deployment.client.call(OrchestratorMethod.approvals, ApprovalListRequest())
        XCTAssertEqual(survived.approvals.map(\.id), [durable.id])
        execution = try await deployment.decide(durable.id, .approve)
        XCTAssertEqual(execution.status, .completed, execution.error ?? "")
        // The same command sent again under its key answers the same execution, paying nothing more.
        let again = try await deployment.run("send 15 USDC to \(Self.recipient(4))", key: key)
        XCTAssertEqual(again.id, execution.id)
        XCTAssertEqual(again.status, .completed)
        do {
            _ = try await deployment.run("send 16 USDC to \(Self.recipient(4))", key: key)
            XCTFail("a key was reused for another command")
        } catch let error as PaygentError {
            XCTAssertEqual(error.code, .conflict)
        }
        recipient = try await deployment.balance(Self.recipient(4), "USDC")
        XCTAssertEqual(recipient, "15000000")

        // The kill switch during a multi-step plan: the first payment made, the rest stopped.
        execution = try await deployment.run("pay 0.10 USDC to the market data API then send 12 USDC to \(Self.recipient(5))")
        XCTAssertEqual(execution.status, .awaitingApproval)
        let killed = try await deployment.client.call(OrchestratorMethod.kill, KillRequest(session: "default", reason: "test"), idempotencyKey: UUID().uuidString)
        XCTAssertEqual(killed.killed, [execution.id])
        let after = try await deployment.client.call(OrchestratorMethod.execution, ExecutionRequest(id: execution.id))
        XCTAssertEqual(after.status, .killed)
        XCTAssertEqual(after.costs.map(\.amount.description), ["100000"])
        XCTAssertEqual(after.plan.todos.filter { $0.intentIndex == 1 }.map(\.status), [.skipped, .skipped, .skipped])
        recipient = try await deployment.balance(Self.recipient(5), "USDC")
        XCTAssertEqual(recipient, "0")
        let stale = try await deployment.client.call(OrchestratorMethod.approvals, ApprovalListRequest())
        XCTAssertEqual(stale.approvals, [])

        // Everything the session spent, per token, equals what left the wallet.
        let summary = try await deployment.client.call(OrchestratorMethod.sessionSummary, SessionRequest(session: "default"))
        let usdc = try await deployment.balance(deployment.agentAddress, "USDC")
        XCTAssertEqual(summary.spent.first { $0.token == "USDC" }?.amount.description, String(100_000_000 - Int(usdc)!))
        XCTAssertEqual(summary.completed, 3)
        XCTAssertEqual(summary.unsuccessful, 2)
    }
}
