import Logging
import PaygentOrchestratorAPI
import PaygentRuntime
import PaygentTransport

/// The orchestrator service (`paygent-orchestrator`): sessions, plans, budgets, approvals and the agent.
///
/// Its domain methods are registered here as they are built; the host adds `health` and
/// `logs.recent`.
public enum OrchestratorService {
    public static let definition = ServiceDefinition(name: .orchestrator, catalog: OrchestratorCatalog.catalog) { _, environment in
        environment.logger.debug("data directory ready", metadata: ["directory": "\(environment.directory)"])
    }
}
