import PaygentWire

/// Methods of the orchestrator service (`protocol/services/orchestrator.md`): sessions, command
/// understanding, plans, spend policies, approvals, the kill switch and execution logs.
public enum OrchestratorMethod {
    public static let run = RPCMethod<RunRequest, ExecutionInfo>(
        "orchestrator.run", .write,
        "understands a command, plans it and carries it out in a session; answers when it finishes or waits for an approval")
    public static let plan = RPCMethod<PlanRequest, Plan>(
        "orchestrator.plan", .read, "the intents and plan of a command, without running anything")
    public static let execution = RPCMethod<ExecutionRequest, ExecutionInfo>(
        "orchestrator.execution", .read, "one execution's log: command, plan, tool calls, costs, status")
    public static let executions = RPCMethod<ExecutionListRequest, ExecutionListReply>(
        "orchestrator.executions", .read, "execution logs, newest first, by session, status, intent and time, a page at a time")
    public static let sessionCreate = RPCMethod<SessionCreateRequest, SessionInfo>(
        "orchestrator.session_create", .write, "a session: its wallet, spend policy, allowed tools and approval timeout")
    public static let sessions = RPCMethod<SessionListRequest, SessionListReply>(
        "orchestrator.sessions", .read, "sessions, newest first, a page at a time")
    public static let sessionSummary = RPCMethod<SessionRequest, SessionSummary>(
        "orchestrator.session_summary", .read, "a session with its commands, spending per token and in USD, and success rate")
    public static let sessionTerminate = RPCMethod<SessionRequest, SessionInfo>(
        "orchestrator.session_terminate", .idempotentWrite, "ends a session: its running executions are killed and it takes no more commands")
    public static let approvals = RPCMethod<ApprovalListRequest, ApprovalListReply>(
        "orchestrator.approvals", .read, "approvals, pending ones unless a state is asked for")
    public static let decide = RPCMethod<DecideRequest, ExecutionInfo>(
        "orchestrator.decide", .write, "approves, rejects or edits a pending approval; answers where its execution got to")
    public static let kill = RPCMethod<KillRequest, KillReply>(
        "orchestrator.kill", .idempotentWrite, "the kill switch: stops a session's executions (or every session's) at once")
}

/// Events of the orchestrator service.
public enum OrchestratorEvent {
    public static let execution = EventTopic<ExecutionEvent>(
        "exec.<execution>", "an execution's plan, a todo's status, a tool call, an approval it waits for, or its end")
    public static let approvalRequired = EventTopic<ApprovalInfo>("approval.required", "a step waits for a human's approval")
}

/// The orchestrator service's methods and events.
public enum OrchestratorCatalog {
    public static let catalog = ServiceCatalog(
        service: "orchestrator",
        methods: [
            OrchestratorMethod.run, OrchestratorMethod.plan, OrchestratorMethod.execution, OrchestratorMethod.executions, OrchestratorMethod.sessionCreate,
            OrchestratorMethod.sessions, OrchestratorMethod.sessionSummary, OrchestratorMethod.sessionTerminate, OrchestratorMethod.approvals,
            OrchestratorMethod.decide, OrchestratorMethod.kill,
        ],
        events: [OrchestratorEvent.execution, OrchestratorEvent.approvalRequired])
}
