import Foundation
import PaygentOrchestrator
import PaygentOrchestratorAPI
import PaygentPaymentsAPI
import PaygentPaymentsTesting
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// A pending approval times out as rejected on the orchestrator's clock: the orchestrator runs in
/// process on a manual clock beside the built payments service, and nothing sleeps.
final class ApprovalTimeoutTests: XCTestCase {
    func testAPendingApprovalTimesOutAsRejected() async throws {
        let payments = try await PaymentsTestService()
        defer { payments.tearDown() }
        let wallet = try await payments.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        try await payments.fund(wallet.address, "100")
        let time = ManualTime(start: Date())
        let orchestrator = try await InProcessService(OrchestratorService.definition, deployment: payments.deployment, time: time.service)
        let client = orchestrator.client
        _ = try await client.call(
            OrchestratorMethod.sessionCreate, SessionCreateRequest(name: "patient", approvalTimeoutSeconds: 60), idempotencyKey: "session")
        let recipient = "0x00000000000000000000000000000000000000B7"
        let execution = try await client.call(
            OrchestratorMethod.run, RunRequest(command: "send 25 USDC to \(recipient)", session: "patient"), deadline: .seconds(30),
            idempotencyKey: "run")
        XCTAssertEqual(execution.status, .awaitingApproval, execution.error ?? "")
        let approval = try XCTUnwrap(execution.approval)
        XCTAssertEqual(approval.expiresAt.timeIntervalSince(approval.createdAt), 60)

        await time.advance(by: .seconds(59))
        var pending = try await client.call(OrchestratorMethod.approvals, ApprovalListRequest(session: "patient"))
        XCTAssertEqual(pending.approvals.map(\.id), [approval.id])
        await time.advance(by: .seconds(2))
        pending = try await client.call(OrchestratorMethod.approvals, ApprovalListRequest(session: "patient"))
        XCTAssertEqual(pending.approvals, [])
        let timedOut = try await client.call(OrchestratorMethod.approvals, ApprovalListRequest(session: "patient", state: .timedOut))
        XCTAssertEqual(timedOut.approvals.map(\.id), [approval.id])
        let ended = try await client.call(OrchestratorMethod.execution, ExecutionRequest(id: execution.id))
        XCTAssertEqual(ended.status, .rejected)
        XCTAssertTrue(ended.error?.contains("timed out after 60 s") == true, ended.error ?? "")
        XCTAssertEqual(ended.costs, [])
        do {
            _ = try await client.call(OrchestratorMethod.decide, DecideRequest(approval: approval.id, decision: .approve), idempotencyKey: "late")
            XCTFail("a timed-out approval was approved")
        } catch {
            XCTAssertEqual(error.code, .failedPrecondition)
            XCTAssertTrue(error.message.contains("already timed out"), error.message)
        }
        let balance = try await payments.usdc(recipient)
        XCTAssertEqual(balance, "0")
        try await orchestrator.stop()
        await payments.stop()
    }
}
