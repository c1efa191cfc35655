import Foundation
import PaygentOrchestratorAPI
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// SIGKILL of the orchestrator in the middle of a step that pays: after the restart the execution
/// resumes at that step, sends it again under the same key, and gets the first payment's answer;
/// the resource is paid once, to the base unit, and the log records that one cost.
final class AgentCrashTests: XCTestCase {
    func testAKillMidPaymentResumesWithoutPayingTwice() async throws {
        let deployment = try await AgentDeployment()
        defer { deployment.tearDown() }
        let slow = HostileServer(behaviour: .settleThenStall(seconds: 3), facilitatorURL: deployment.service.deployment.config.facilitatorURL)
        try await slow.start()
        defer { Task { await slow.stop() } }

        let command = "pay 0.5 USDC to \(slow.url)"
        let running = Task { try? await deployment.run(command) }
        try await waitFor("the payment header at the resource", timeout: .seconds(20)) { slow.headers.count == 1 }
        deployment.orchestrator.signal(SIGKILL)
        _ = await deployment.orchestrator.waitForExit()
        // The client's call to the killed orchestrator is left to its deadline.
        running.cancel()
        try await deployment.restartOrchestrator()

        let client = deployment.client
        try await waitFor("the execution to finish after the restart", timeout: .seconds(60)) {
            let list = try await client.call(OrchestratorMethod.executions, ExecutionListRequest(intent: .payment))
            return list.executions.first { $0.command == command }?.status.isFinished == true
        }
        let list = try await client.call(OrchestratorMethod.executions, ExecutionListRequest(intent: .payment))
        let execution = list.executions.first { $0.command == command }
        let finished = try XCTUnwrap(execution)
        XCTAssertEqual(finished.status, .completed, finished.error ?? "")
        XCTAssertEqual(finished.costs.map(\.amount.description), ["500000"])
        XCTAssertEqual(slow.headers.count, 1)
        let paid = try await deployment.balance(slow.payTo, "USDC")
        XCTAssertEqual(paid, "500000")
        let left = try await deployment.balance(deployment.agentAddress, "USDC")
        XCTAssertEqual(left, "99500000")
        XCTAssertGreaterThanOrEqual(finished.toolCalls.filter { $0.tool == "payments.fetch" }.count, 1)
    }
}

/// The kill switch while a step is in flight: the payment being made finishes (and is recorded),
/// no later step starts, and the execution ends killed.
final class AgentKillTests: XCTestCase {
    func testKillWhileAStepIsInFlight() async throws {
        let deployment = try await AgentDeployment()
        defer { deployment.tearDown() }
        let slow = HostileServer(behaviour: .settleThenStall(seconds: 2), facilitatorURL: deployment.service.deployment.config.facilitatorURL)
        try await slow.start()
        defer { Task { await slow.stop() } }
        let command = "pay 0.5 USDC to \(slow.url) then send 1 USDC to 0x00000000000000000000000000000000000000D1"
        let running = Task { try await deployment.run(command) }
        try await waitFor("the payment header at the resource", timeout: .seconds(20)) { slow.headers.count == 1 }
        let killed = try await deployment.client.call(OrchestratorMethod.kill, KillRequest(reason: "operator"), idempotencyKey: UUID().uuidString)
        XCTAssertEqual(killed.killed.count, 1)
        let execution = try await running.value
        XCTAssertEqual(execution.status, .killed)
        XCTAssertEqual(execution.costs.map(\.amount.description), ["500000"])
        XCTAssertEqual(execution.plan.todos.first { $0.tool == "payments.fetch" }?.status, .completed)
        XCTAssertEqual(execution.plan.todos.filter { $0.intentIndex == 1 }.map(\.status), [.skipped, .skipped, .skipped])
        let untouched = try await deployment.balance("0x00000000000000000000000000000000000000D1", "USDC")
        XCTAssertEqual(untouched, "0")
        let paid = try await deployment.balance(slow.payTo, "USDC")
        XCTAssertEqual(paid, "500000")
    }
}

/// The same command sent many times at once under one idempotency key is one execution, paid once;
/// the key sent with another command while the first runs is refused.
final class AgentReplayTests: XCTestCase {
    func testOneKeySentConcurrentlyPaysOnce() async throws {
        let deployment = try await AgentDeployment()
        defer { deployment.tearDown() }
        let slow = HostileServer(behaviour: .settleThenStall(seconds: 1.5), facilitatorURL: deployment.service.deployment.config.facilitatorURL)
        try await slow.start()
        defer { Task { await slow.stop() } }
        let command = "pay 0.5 USDC to \(slow.url)"
        let key = UUID().uuidString
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<6 {
                group.addTask { try await deployment.run(command, key: key).id }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(500))
                do {
                    _ = try await deployment.run("pay 0.6 USDC to \(slow.url)", key: key)
                    return "accepted"
                } catch let error as PaygentError {
                    return error.code == .conflict ? "conflict" : "\(error)"
                }
            }
            var all: [String] = []
            for try await id in group { all.append(id) }
            return all
        }
        XCTAssertEqual(ids.filter { $0 == "conflict" }.count, 1, "\(ids)")
        XCTAssertEqual(Set(ids.filter { $0.hasPrefix("exec_") }).count, 1, "\(ids)")
        XCTAssertEqual(slow.headers.count, 1)
        let paid = try await deployment.balance(slow.payTo, "USDC")
        XCTAssertEqual(paid, "500000")
    }
}
