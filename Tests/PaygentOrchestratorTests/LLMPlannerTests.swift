import Foundation
import Hummingbird
import PaygentOrchestrator
import PaygentOrchestratorAPI
import PaygentPaymentsAPI
import PaygentPaymentsTesting
import PaygentRuntime
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import Synchronization
import XCTest

/// The optional LLM planner against a local server that speaks OpenAI's chat completions with tool
/// calling (canned answers): asked only for what the grammar does not understand, its tool calls
/// become the same plan under the same spend policy and approvals; a tool outside the allowlist, JSON
/// that is not an object, or a value with shell or SQL symbols is refused with nothing run; its key
/// goes in the Authorization header and nowhere else.
enum LoopbackHTTP {
    /// Connects to the port: the server is listening.
    static func get(port: Int) async throws -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestFailure("not listening yet") }
        return true
    }
}

final class LLMPlannerTests: XCTestCase {
    /// Canned answers by the user's command.
    static let answers: [String: String] = [
        "please look at my money": #"[{"id":"1","type":"function","function":{"name":"balance_check","arguments":"{}"}}]"#,
        "move the big sum to my cold wallet": #"[{"id":"1","type":"function","function":{"name":"payment","arguments":"{\"amount\":\"25\",\"token\":\"USDC\",\"recipient\":\"0x00000000000000000000000000000000000000E1\"}"}}]"#,
        "empty everything": #"[{"id":"1","type":"function","function":{"name":"drain_wallet","arguments":"{}"}}]"#,
        "do the usual": #"[{"id":"1","type":"function","function":{"name":"payment","arguments":"{amount: 5"}}]"#,
        "pay the shop": #"[{"id":"1","type":"function","function":{"name":"payment","arguments":"{\"amount\":\"1\",\"token\":\"USDC\",\"service\":\"shop'; DROP TABLE session; --\"}"}}]"#,
    ]

    func testTheLLMPlannerBehindTheSamePlanAndPolicy() async throws {
        let port = freePort()
        let seen = Mutex<[(authorization: String?, body: String)]>([])
        let router = Router()
        router.post("/v1/chat/completions") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let text = String(buffer: body)
            seen.withLock { $0.append((request.headers[.authorization], text)) }
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            let command = ((object?["messages"] as? [[String: Any]])?.last?["content"] as? String) ?? ""
            let calls = Self.answers[command] ?? "[]"
            let answer = #"{"id":"c1","object":"chat.completion","model":"canned","choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,"tool_calls":\#(calls)}}]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        let serving = Task { try await app.runService() }
        defer { serving.cancel() }

        let secret = "sk-test-\(UUID().uuidString)"
        let payments = try await PaymentsTestService(settings: [
            ("orchestrator", "llmURL", "http://127.0.0.1:\(port)/v1"), ("orchestrator", "llmModel", "canned"), ("orchestrator", "llmKey", secret),
        ])
        defer { payments.tearDown() }
        let wallet = try await payments.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        try await payments.fund(wallet.address, "100")
        let orchestrator = try await InProcessService(OrchestratorService.definition, deployment: payments.deployment)
        let client = orchestrator.client
        func run(_ command: String) async throws(PaygentError) -> ExecutionInfo {
            try await client.call(OrchestratorMethod.run, RunRequest(command: command), deadline: .seconds(30), idempotencyKey: UUID().uuidString)
        }
        for _ in 0..<100 {
            if (try? await LoopbackHTTP.get(port: port)) != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }

        // What the grammar understands never reaches the model.
        let grammar = try await run("Check my wallet balance")
        XCTAssertNil(grammar.plan.planner)
        XCTAssertEqual(seen.withLock { $0.count }, 0)

        let read = try await run("please look at my money")
        XCTAssertEqual(read.status, .completed, read.error ?? "")
        XCTAssertEqual(read.plan.planner, "llm:canned")
        XCTAssertEqual(read.plan.intents.map(\.intent), [.balanceCheck])
        XCTAssertTrue(read.result.last?.contains("100 USDC") == true, "\(read.result)")
        let first = try XCTUnwrap(seen.withLock { $0.first })
        XCTAssertEqual(first.authorization, "Bearer \(secret)")
        XCTAssertTrue(first.body.contains("\"name\":\"payment\"") && first.body.contains("\"model\":\"canned\""), first.body)

        // The model's payment is held to the same policy: above $10 it waits for a human.
        let large = try await run("move the big sum to my cold wallet")
        XCTAssertEqual(large.status, .awaitingApproval, large.error ?? "")
        XCTAssertEqual(large.approval?.amount, "25")

        for (command, code, words) in [
            ("empty everything", ErrorCode.permissionDenied, "asked for the tool 'drain_wallet', which it may not call"),
            ("do the usual", .unavailable, "arguments for payment are not a JSON object"),
            ("pay the shop", .badRequest, "has characters a command does not use"),
            ("what is the weather on mars", .badRequest, "found nothing it may do"),
        ] {
            do {
                let execution = try await run(command)
                XCTFail("\(command) ran: \(execution.status)")
            } catch {
                XCTAssertEqual(error.code, code, "\(command): \(error.message)")
                XCTAssertTrue(error.message.contains(words), "\(command): \(error.message)")
                XCTAssertTrue(error.message.contains("nothing ran"), error.message)
            }
        }
        // A command refused for what it contains is never sent to the model.
        let before = seen.withLock { $0.count }
        do {
            _ = try await run("pay 1 USDC to `whoami`")
            XCTFail("a command with shell symbols ran")
        } catch {
            XCTAssertEqual(error.code, .badRequest)
        }
        XCTAssertEqual(seen.withLock { $0.count }, before)
        let history = try await client.call(OrchestratorMethod.executions, ExecutionListRequest(limit: 100))
        XCTAssertEqual(history.total, 3)
        let logs = try await client.call(CommonMethod.recentLogs, RecentLogsRequest(limit: 1000))
        XCTAssertFalse(logs.records.contains { "\($0)".contains(secret) })
        XCTAssertFalse(history.executions.contains { "\($0)".contains(secret) })
        try await orchestrator.stop()
        await payments.stop()
    }
}
