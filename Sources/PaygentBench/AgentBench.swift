import ArgumentParser
import Foundation
import Logging
import PaygentMarket
import PaygentOrchestrator
import PaygentOrchestratorAPI
import PaygentPayments
import PaygentPaymentsAPI
import PaygentPaymentsClient
import PaygentRegistry
import PaygentRuntime
import PaygentTransport
import PaygentX402HTTP

/// `paygent-bench agent`: end-to-end latency of two commands from the client through the
/// orchestrator — "Pay 0.10 USDC to access the market data API" (registry, the spend policy,
/// payments, the sample paid API over HTTP, its facilitator, settlement, the ledger check) and
/// "Check my wallet balance" — each beside the sum of the bare RPC and HTTP round trips it makes,
/// measured in the same run: an RPC echo over ipc and an unpaid GET of the same HTTP server.
struct AgentBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "End-to-end latency of a paid command and a balance check through the orchestrator, beside their bare round trips.")

    @Option(help: "Commands per case.") var requests = 500
    @Flag(help: "Also show where a command's time goes: each tool call's mean, from the execution logs.") var breakdown = false

    func run() async throws {
        let marketPort = LoopbackTCP.freePort()
        let services = try InProcessServices(
            [PaymentsService.definition, RegistryService.definition, OrchestratorService.definition],
            settings: [("market", "http", "127.0.0.1:\(marketPort)"), ("payments", "facilitatorHTTP", "127.0.0.1:\(LoopbackTCP.freePort())")])
        defer { services.remove() }
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let payments = try services.client(.payments)
        let orchestrator = try services.client(.orchestrator)
        defer {
            payments.close()
            orchestrator.close()
        }
        // The sample paid API in this process, settling through the payments service over RPC, as
        // `paygent up` runs it.
        let market = MarketAPI.application(
            .init(host: "127.0.0.1", port: marketPort, payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"),
            facilitator: RPCFacilitator(client: try services.client(.payments)), logger: logger, now: { Date() })
        let serving = Task { try await market.run() }
        defer { serving.cancel() }
        let http = X402HTTPClient(attempts: 30)
        for _ in 0..<200 {
            if (try? await http.fetch("http://127.0.0.1:\(marketPort)/health") { _ in throw ValidationError("paid") })?.status == 200 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let wallet = try await payments.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        let _: LedgerReceipt = try await payments.call(
            PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: "USDC", amount: "\(requests + 100)"))

        @Sendable func command(_ text: String, _ key: String) async throws -> ExecutionInfo {
            let execution = try await orchestrator.call(OrchestratorMethod.run, RunRequest(command: text), deadline: .seconds(30), idempotencyKey: key)
            guard execution.status == .completed else { throw ValidationError("\(text): \(execution.status.rawValue) \(execution.error ?? "")") }
            return execution
        }
        let pay = "Pay 0.10 USDC to access the market data API"
        let balance = "Check my wallet balance"
        // What each command calls, from one run of it: the orchestrator's tool calls, plus the
        // client's own call, plus (paid) the HTTP request and the sample API's verify and settle.
        // The second of each (the first resolves the wallet's address, which is then remembered).
        _ = try await command(pay, "bench-pay-probe-1")
        _ = try await command(balance, "bench-balance-probe-1")
        let paid = try await command(pay, "bench-pay-probe-2")
        let checked = try await command(balance, "bench-balance-probe-2")
        let payRPCs = 1 + paid.toolCalls.filter { !$0.tool.hasPrefix("agent.") }.count + 2
        let balanceRPCs = 1 + checked.toolCalls.filter { !$0.tool.hasPrefix("agent.") }.count

        let payTimings = try await CallTimings.measure(requests: requests, depth: 1, warmUp: 20) { index in
            _ = try await command(pay, "bench-pay-\(index)")
        }
        let balanceTimings = try await CallTimings.measure(requests: requests, depth: 1, warmUp: 20) { index in
            _ = try await command(balance, "bench-balance-\(index)")
        }
        if breakdown {
            for text in [pay, balance] {
                var byTool: [String: (Double, Int)] = [:]
                var total = 0.0
                let runs = 50
                for index in 0..<runs {
                    let start = ContinuousClock.now
                    let execution = try await command(text, "bench-breakdown-\(text.count)-\(index)")
                    total += (ContinuousClock.now - start).inSeconds * 1e6
                    for call in execution.toolCalls {
                        let entry = byTool[call.tool] ?? (0, 0)
                        byTool[call.tool] = (entry.0 + call.durationMillis * 1000, entry.1 + 1)
                    }
                }
                print("where \"\(text)\" goes, mean of \(runs): \(format(total / Double(runs))) µs at the client")
                for (tool, (sum, count)) in byTool.sorted(by: { $0.value.0 > $1.value.0 }) {
                    print("  \(pad(tool, 32)) \(leftPad(format(sum / Double(runs)), 9)) µs  (\(count / runs) call\(count / runs == 1 ? "" : "s"))")
                }
            }
            print("")
        }
        // The bare round trips, in the same run: an echo over ipc, and an unpaid GET of the sample API.
        let echo = RPCServer(endpoint: "ipc://\(services.home)/echo.ipc", serviceName: "bench", context: ZMQContext(), logger: logger)
        echo.register("echo") { (request: BenchEcho, _) in request }
        let echoClient = try RPCClient(endpoint: try echo.start(), serviceName: "bench", context: services.context)
        let rpc = try await CallTimings.measure(requests: requests, depth: 1, warmUp: 50) { _ in
            let _: BenchEcho = try await echoClient.call("echo", BenchEcho(payload: Data(count: 64)))
        }
        let get = try await CallTimings.measure(requests: requests, depth: 1, warmUp: 50) { _ in
            let response = try await http.fetch("http://127.0.0.1:\(marketPort)/health") { _ in throw ValidationError("paid") }
            guard response.status == 200 else { throw ValidationError("GET /health answered \(response.status)") }
        }
        echoClient.close()
        await services.stop()

        let payBare = Double(payRPCs) * rpc.p50 + get.p50
        let balanceBare = Double(balanceRPCs) * rpc.p50
        print("agent: \(requests) commands per case, one at a time; payments, registry and orchestrator in one process over ipc, the sample API on loopback HTTP")
        print("")
        print("\(pad("case", 58)) \(leftPad("p50 µs", 9)) \(leftPad("p99 µs", 9)) \(leftPad("bare µs", 9)) \(leftPad("× bare", 7))")
        let rows: [(String, CallTimings, Double?)] = [
            ("\"\(pay)\"", payTimings, payBare),
            ("\"\(balance)\"", balanceTimings, balanceBare),
            ("bare RPC round trip (echo over ipc)", rpc, nil),
            ("bare HTTP round trip (unpaid GET /health)", get, nil),
        ]
        for (name, timings, bare) in rows {
            print(
                "\(pad(name, 58)) \(leftPad(format(timings.p50), 9)) \(leftPad(format(timings.p99), 9)) \(leftPad(bare.map { format($0) } ?? "", 9)) \(leftPad(bare.map { format(timings.p50 / $0, 2) } ?? "", 7))")
        }
        print("bare sums: the payment makes \(payRPCs) RPC round trips and 1 HTTP request; the balance check \(balanceRPCs) RPC round trips")
        print("")
        var verdicts = Verdicts()
        verdicts.add("agent-payment-p50", measured: "\(format(payTimings.p50 / 1000, 2)) ms", goal: "≤ 3 ms", pass: payTimings.p50 <= 3000)
        verdicts.add(
            "agent-payment-vs-round-trips", measured: "\(format(payTimings.p50 / payBare, 2))× the bare round trips (\(format(payBare)) µs)", goal: "≤ 2×",
            pass: payTimings.p50 <= 2 * payBare)
        verdicts.add("agent-balance-p50", measured: "\(format(balanceTimings.p50 / 1000, 2)) ms", goal: "≤ 1 ms", pass: balanceTimings.p50 <= 1000)
        verdicts.print()
        if verdicts.failed { throw ExitCode(1) }
    }
}
