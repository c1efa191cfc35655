import Foundation
import PaygentMoney

/// USD values are `Amount`s with 6 decimals (micro-dollars): `10000000` is $10.
public enum USD {
    public static let decimals = 6
}

/// What a session may spend, checked before every cost-bearing step. Absent limits do not apply.
public struct SpendPolicy: Codable, Sendable, Equatable {
    /// The most the session spends in all, USD (micro-dollars).
    public var budgetUsd: Amount?
    /// The most one step spends, USD.
    public var maxPaymentUsd: Amount?
    /// A step above this waits for a human's approval, USD ($10 when absent).
    public var approvalThresholdUsd: Amount?
    /// Payees a payment may go to: service names, URL hosts or addresses. Absent: any.
    public var allowedPayees: [String]?
    /// Token symbols the session may spend. Absent: any.
    public var allowedAssets: [String]?

    public static let defaultApprovalThreshold = (try? Amount(parsing: "10", decimals: USD.decimals)) ?? .zero

    public init(
        budgetUsd: Amount? = nil, maxPaymentUsd: Amount? = nil, approvalThresholdUsd: Amount? = nil, allowedPayees: [String]? = nil,
        allowedAssets: [String]? = nil
    ) {
        (self.budgetUsd, self.maxPaymentUsd, self.approvalThresholdUsd) = (budgetUsd, maxPaymentUsd, approvalThresholdUsd)
        (self.allowedPayees, self.allowedAssets) = (allowedPayees, allowedAssets)
    }
}

public struct SessionInfo: Codable, Sendable, Equatable {
    /// `ses_` and 12 hex digits; `default` for the deployment's default session.
    public var id: String
    public var name: String
    /// The wallet the session's commands spend from (a payments wallet's name).
    public var wallet: String
    public var policy: SpendPolicy
    /// Tools the session's plans may call; absent: every tool.
    public var allowedTools: [String]?
    /// Seconds a pending approval waits before it counts as rejected.
    public var approvalTimeoutSeconds: Int
    /// `active` or `terminated`.
    public var state: String
    /// What the session has spent, USD.
    public var spentUsd: Amount
    /// Facts carried from one command to the next (`last_service`, `last_swap`, `last_position`).
    public var memory: [String: String]
    public var createdAt: Date

    public init(
        id: String, name: String, wallet: String, policy: SpendPolicy, allowedTools: [String]?, approvalTimeoutSeconds: Int, state: String,
        spentUsd: Amount, memory: [String: String], createdAt: Date
    ) {
        (self.id, self.name, self.wallet, self.policy, self.allowedTools) = (id, name, wallet, policy, allowedTools)
        (self.approvalTimeoutSeconds, self.state, self.spentUsd, self.memory, self.createdAt) = (approvalTimeoutSeconds, state, spentUsd, memory, createdAt)
    }
}

public struct SessionCreateRequest: Codable, Sendable, Equatable {
    /// Letters, digits, `-` and `_`, 1 to 40.
    public var name: String
    /// A payments wallet's name or address; the default wallet when absent.
    public var wallet: String?
    public var policy: SpendPolicy
    public var allowedTools: [String]?
    /// 10 to 86,400 seconds (600 when absent).
    public var approvalTimeoutSeconds: Int?

    public init(name: String, wallet: String? = nil, policy: SpendPolicy = SpendPolicy(), allowedTools: [String]? = nil, approvalTimeoutSeconds: Int? = nil) {
        (self.name, self.wallet, self.policy, self.allowedTools, self.approvalTimeoutSeconds) = (name, wallet, policy, allowedTools, approvalTimeoutSeconds)
    }
}

public struct SessionListRequest: Codable, Sendable, Equatable {
    /// `active` or `terminated`; both when absent.
    public var state: String?
    /// 1 to 100 (20 when absent).
    public var limit: Int?
    public var offset: Int?

    public init(state: String? = nil, limit: Int? = nil, offset: Int? = nil) {
        (self.state, self.limit, self.offset) = (state, limit, offset)
    }
}

public struct SessionListReply: Codable, Sendable, Equatable {
    public var sessions: [SessionInfo]
    public var total: Int

    public init(sessions: [SessionInfo], total: Int) {
        (self.sessions, self.total) = (sessions, total)
    }
}

/// A session by id or name.
public struct SessionRequest: Codable, Sendable, Equatable {
    public var session: String

    public init(session: String) {
        self.session = session
    }
}

/// What a session did: its commands, spending per token and in USD, and how many succeeded.
public struct SessionSummary: Codable, Sendable, Equatable {
    public struct Spent: Codable, Sendable, Equatable {
        public var token: String
        public var decimals: Int
        public var amount: Amount
        public var usd: Amount

        public init(token: String, decimals: Int, amount: Amount, usd: Amount) {
            (self.token, self.decimals, self.amount, self.usd) = (token, decimals, amount, usd)
        }
    }

    public var session: SessionInfo
    public var commands: Int
    public var completed: Int
    /// Failed, rejected and killed executions.
    public var unsuccessful: Int
    public var pendingApprovals: Int
    public var spent: [Spent]
    public var totalUsd: Amount
    /// completed / finished, 0 when none finished.
    public var successRate: Double

    public init(
        session: SessionInfo, commands: Int, completed: Int, unsuccessful: Int, pendingApprovals: Int, spent: [Spent], totalUsd: Amount, successRate: Double
    ) {
        (self.session, self.commands, self.completed, self.unsuccessful, self.pendingApprovals) = (session, commands, completed, unsuccessful, pendingApprovals)
        (self.spent, self.totalUsd, self.successRate) = (spent, totalUsd, successRate)
    }
}
