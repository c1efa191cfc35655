import Foundation
import Logging
import PaygentOrchestratorAPI
import PaygentRuntime
import PaygentTransport

/// The orchestrator service (`paygent-orchestrator`): sessions, command understanding, plans,
/// spend policies, approvals, the kill switch and execution logs. It calls payments, the
/// registry, VVS and Moonlander with their typed clients.
///
/// At start it takes up the executions a crash left running; every second it expires approvals
/// whose time ran out (on the service's clock). The host adds `health` and `logs.recent`.
public enum OrchestratorService {
    public static let definition = ServiceDefinition(name: .orchestrator, catalog: OrchestratorCatalog.catalog) { server, environment in
        let store = try AgentStore(directory: environment.directory)
        func client(_ service: ServiceName) throws -> RPCClient {
            try RPCClient(endpoint: environment.config.endpoints(service).rpc, serviceName: service.rawValue, context: environment.context)
        }
        let tools = ToolClients(
            payments: try client(.payments), registry: try client(.registry), vvs: try client(.vvs), moonlander: try client(.moonlander),
            now: environment.time.now, elapsed: environment.time.elapsed)
        let agent = Agent(
            store: store, tools: tools, publisher: environment.publisher, time: environment.time, random: environment.random, logger: environment.logger,
            defaultWallet: environment.config.setting("orchestrator", "defaultWallet", environment: "PAYGENT_DEFAULT_WALLET"),
            llm: try LLMPlanner.configured(environment.config))
        environment.health.report("planner") { agent.llm.map { "grammar, then llm:\($0.model)" } ?? "grammar" }
        OrchestratorHandlers(agent: agent).register(on: server)
        environment.health.report("executions.driving") { "\(agent.driving.withLock { $0.count })" }
        let clock = environment.time.clock
        environment.background.run("resume and approval timeouts") {
            await agent.resume()
            while !Task.isCancelled {
                await agent.expireApprovals()
                try await clock.sleep(for: .seconds(1))
            }
        }
    }
}
