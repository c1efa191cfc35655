import Foundation
import PaygentMoney
import PaygentMoonlanderAPI
import PaygentOrchestratorAPI
import PaygentPaymentsAPI
import PaygentPaymentsTesting
import PaygentRuntime
import PaygentTestSupport
import PaygentTransport
import PaygentVVSAPI
import PaygentWire

/// Every service of a deployment as built executables — payments, the sample paid API, the
/// registry, VVS, Moonlander (fixed oracle prices) and the orchestrator — with a wallet `agent`
/// funded with USDC and CRO, ready when VVS's pools and Moonlander's vault are open.
final class AgentDeployment: @unchecked Sendable {
    let service: PaymentsTestService
    var orchestrator: ChildProcess
    let others: [ChildProcess]
    let client: RPCClient
    let agentAddress: String

    init(usdc: String = "100", cro: String = "1000", settings: [(String, String, String)] = []) async throws {
        service = try await PaymentsTestService(settings: [("moonlander", "oracle", "fixed"), ("moonlander", "tickMillis", "200")] + settings)
        try await service.startMarket()
        var started: [ChildProcess] = []
        for name in [ServiceName.registry, .vvs, .moonlander] {
            started.append(try await startService(name, deployment: service.deployment, context: service.context))
        }
        others = started
        orchestrator = try await startService(.orchestrator, deployment: service.deployment, context: service.context)
        client = try RPCClient(endpoint: service.deployment.config.endpoints(.orchestrator).rpc, serviceName: "orchestrator", context: service.context)
        let wallet = try await service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        agentAddress = wallet.address
        try await service.fund(wallet.address, usdc)
        let _: LedgerReceipt = try await service.client.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: "CRO", amount: cro))
        try await waitFor("vvs pools and the moonlander vault") {
            let vvs = try RPCClient(endpoint: self.service.deployment.config.endpoints(.vvs).rpc, serviceName: "vvs", context: self.service.context)
            let moonlander = try RPCClient(
                endpoint: self.service.deployment.config.endpoints(.moonlander).rpc, serviceName: "moonlander", context: self.service.context)
            defer {
                vvs.close()
                moonlander.close()
            }
            let pools = try await vvs.call(VVSMethod.pools, PoolsRequest())
            let markets = try await moonlander.call(MoonlanderMethod.markets, MarketsRequest())
            return !pools.pools.isEmpty && markets.markets.allSatisfy { $0.price != nil }
        }
    }

    /// Runs a command through the orchestrator as `paygent run` does.
    func run(_ command: String, session: String? = nil, budget: String? = nil, key: String = UUID().uuidString) async throws -> ExecutionInfo {
        try await client.call(
            OrchestratorMethod.run,
            RunRequest(command: command, session: session, budgetLimitUsd: try budget.map { try Amount(parsing: $0, decimals: 6) }), deadline: .seconds(60),
            idempotencyKey: key)
    }

    func decide(_ approval: String, _ decision: DecideRequest.Decision, amount: String? = nil) async throws -> ExecutionInfo {
        try await client.call(
            OrchestratorMethod.decide, DecideRequest(approval: approval, decision: decision, reason: decision == .reject ? "too much" : nil, amount: amount),
            deadline: .seconds(60), idempotencyKey: UUID().uuidString)
    }

    /// Base units of `token` held by `owner`.
    func balance(_ owner: String, _ token: String) async throws -> String {
        let reply = try await service.client.call(PaymentsMethod.balances, BalancesRequest(owner: owner))
        return reply.balances.first { $0.token.symbol == token }?.amount.description ?? "0"
    }

    func restartOrchestrator() async throws {
        orchestrator = try await startService(.orchestrator, deployment: service.deployment, context: service.context)
    }

    func tearDown() {
        client.close()
        for child in others + [orchestrator] where child.isRunning { child.signal(SIGKILL) }
        service.tearDown()
    }
}

/// Polls `condition` (errors count as not yet) for up to `timeout`.
func waitFor(_ what: String, timeout: Duration = .seconds(60), _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(200))
    }
    throw TestFailure("\(what) not ready within \(timeout)")
}
