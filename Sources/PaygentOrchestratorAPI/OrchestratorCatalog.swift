import PaygentWire

/// The orchestrator service's methods and events (sessions, plans, budgets, approvals and the agent). Only the common `health` and
/// `logs.recent` so far; each method is declared here as it is built.
public enum OrchestratorCatalog {
    public static let catalog = ServiceCatalog(service: "orchestrator", methods: [], events: [])
}
