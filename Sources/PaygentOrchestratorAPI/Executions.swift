import Foundation
import PaygentMoney

/// Where an execution stands.
public enum ExecutionStatus: String, Codable, Sendable, CaseIterable {
    case running
    case awaitingApproval = "awaiting_approval"
    case completed
    case failed
    /// A human rejected a step, or its approval timed out.
    case rejected
    /// The kill switch stopped it.
    case killed

    public var isFinished: Bool { self != .running && self != .awaitingApproval }
}

/// `orchestrator.run`: understands a command, plans it, and carries the plan out in a session,
/// answering when it finishes or waits for an approval. Sent with an idempotency key, the same
/// key answers the same execution (whose id derives from it), never a second run.
public struct RunRequest: Codable, Sendable, Equatable {
    public var command: String
    /// A session by id or name; the default session when absent.
    public var session: String?
    /// A budget for this command alone, USD (micro-dollars).
    public var budgetLimitUsd: Amount?

    public init(command: String, session: String? = nil, budgetLimitUsd: Amount? = nil) {
        (self.command, self.session, self.budgetLimitUsd) = (command, session, budgetLimitUsd)
    }
}

/// `orchestrator.plan`: the intents and plan of a command, without running anything.
public struct PlanRequest: Codable, Sendable, Equatable {
    public var command: String

    public init(command: String) {
        self.command = command
    }
}

/// One call a step made: to a service method, or the orchestrator's own check.
public struct ToolCall: Codable, Sendable, Equatable {
    public var step: Int
    public var tool: String
    /// The arguments, as JSON.
    public var arguments: String
    /// What it answered, as JSON (absent when it failed).
    public var result: String?
    public var error: String?
    public var startedAt: Date
    public var durationMillis: Double

    public init(step: Int, tool: String, arguments: String, result: String?, error: String?, startedAt: Date, durationMillis: Double) {
        (self.step, self.tool, self.arguments, self.result, self.error, self.startedAt, self.durationMillis) =
            (step, tool, arguments, result, error, startedAt, durationMillis)
    }
}

/// What a step spent, in its token and in USD at the rate used.
public struct Cost: Codable, Sendable, Equatable {
    public var step: Int
    public var token: String
    public var decimals: Int
    public var amount: Amount
    public var usd: Amount
    /// How the USD value was found: `stable` (1:1) or the VVS quote used (`vvs 10 CRO = 0.89 USDC`).
    public var rate: String

    public init(step: Int, token: String, decimals: Int, amount: Amount, usd: Amount, rate: String) {
        (self.step, self.token, self.decimals, self.amount, self.usd, self.rate) = (step, token, decimals, amount, usd, rate)
    }
}

public struct ExecutionInfo: Codable, Sendable, Equatable {
    /// `exec_` and 16 hex digits.
    public var id: String
    public var session: String
    public var command: String
    public var status: ExecutionStatus
    public var plan: Plan
    public var toolCalls: [ToolCall]
    public var costs: [Cost]
    public var totalUsd: Amount
    /// What it came to, for people (each intent's outcome).
    public var result: [String]
    /// Why it failed, was rejected or killed.
    public var error: String?
    /// The approval it waits for.
    public var approval: ApprovalInfo?
    public var startedAt: Date
    public var finishedAt: Date?
    public var durationMillis: Double?

    public init(
        id: String, session: String, command: String, status: ExecutionStatus, plan: Plan, toolCalls: [ToolCall], costs: [Cost], totalUsd: Amount,
        result: [String], error: String?, approval: ApprovalInfo?, startedAt: Date, finishedAt: Date?, durationMillis: Double?
    ) {
        (self.id, self.session, self.command, self.status, self.plan, self.toolCalls, self.costs) = (id, session, command, status, plan, toolCalls, costs)
        (self.totalUsd, self.result, self.error, self.approval, self.startedAt, self.finishedAt, self.durationMillis) =
            (totalUsd, result, error, approval, startedAt, finishedAt, durationMillis)
    }
}

public struct ExecutionRequest: Codable, Sendable, Equatable {
    public var id: String

    public init(id: String) {
        self.id = id
    }
}

/// Execution logs, newest first, with filters.
public struct ExecutionListRequest: Codable, Sendable, Equatable {
    public var session: String?
    public var status: ExecutionStatus?
    public var intent: IntentName?
    public var since: Date?
    public var until: Date?
    /// 1 to 100 (20 when absent).
    public var limit: Int?
    public var offset: Int?

    public init(
        session: String? = nil, status: ExecutionStatus? = nil, intent: IntentName? = nil, since: Date? = nil, until: Date? = nil, limit: Int? = nil,
        offset: Int? = nil
    ) {
        (self.session, self.status, self.intent, self.since, self.until, self.limit, self.offset) = (session, status, intent, since, until, limit, offset)
    }
}

public struct ExecutionListReply: Codable, Sendable, Equatable {
    public var executions: [ExecutionInfo]
    public var total: Int

    public init(executions: [ExecutionInfo], total: Int) {
        (self.executions, self.total) = (executions, total)
    }
}

/// Published on `exec.<executionId>` each time a todo changes, a tool call finishes, or the
/// execution's status changes.
public struct ExecutionEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case planned
        case todo
        case toolCall = "tool_call"
        case approvalRequired = "approval_required"
        case finished
    }

    public var execution: String
    public var kind: Kind
    public var status: ExecutionStatus
    public var todo: Todo?
    public var toolCall: ToolCall?
    public var approval: ApprovalInfo?
    public var plan: Plan?

    public init(execution: String, kind: Kind, status: ExecutionStatus, todo: Todo? = nil, toolCall: ToolCall? = nil, approval: ApprovalInfo? = nil, plan: Plan? = nil) {
        (self.execution, self.kind, self.status, self.todo, self.toolCall, self.approval, self.plan) = (execution, kind, status, todo, toolCall, approval, plan)
    }
}

/// `orchestrator.kill`: stops a session's executions, or every session's.
public struct KillRequest: Codable, Sendable, Equatable {
    /// A session by id or name; every session when absent.
    public var session: String?
    public var reason: String?

    public init(session: String? = nil, reason: String? = nil) {
        (self.session, self.reason) = (session, reason)
    }
}

public struct KillReply: Codable, Sendable, Equatable {
    /// The executions stopped.
    public var killed: [String]

    public init(killed: [String]) {
        self.killed = killed
    }
}
