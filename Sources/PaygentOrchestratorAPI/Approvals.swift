import Foundation
import PaygentMoney

/// A step waiting for a human: what it would do and spend.
public struct ApprovalInfo: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable {
        case pending
        case approved
        case rejected
        case edited
        case timedOut = "timed_out"
    }

    /// `apr_` and 12 hex digits.
    public var id: String
    public var execution: String
    public var session: String
    public var step: Int
    public var tool: String
    /// What the step would do, for people ("pay 25 USDC to merchant").
    public var summary: String
    public var token: String
    public var amount: String
    public var usd: Amount
    public var thresholdUsd: Amount
    public var state: State
    public var createdAt: Date
    public var expiresAt: Date
    public var decidedAt: Date?
    public var reason: String?

    public init(
        id: String, execution: String, session: String, step: Int, tool: String, summary: String, token: String, amount: String, usd: Amount,
        thresholdUsd: Amount, state: State, createdAt: Date, expiresAt: Date, decidedAt: Date? = nil, reason: String? = nil
    ) {
        (self.id, self.execution, self.session, self.step, self.tool, self.summary) = (id, execution, session, step, tool, summary)
        (self.token, self.amount, self.usd, self.thresholdUsd, self.state, self.createdAt, self.expiresAt) = (token, amount, usd, thresholdUsd, state, createdAt, expiresAt)
        (self.decidedAt, self.reason) = (decidedAt, reason)
    }
}

public struct ApprovalListRequest: Codable, Sendable, Equatable {
    public var session: String?
    /// `pending` when absent.
    public var state: ApprovalInfo.State?

    public init(session: String? = nil, state: ApprovalInfo.State? = nil) {
        (self.session, self.state) = (session, state)
    }
}

public struct ApprovalListReply: Codable, Sendable, Equatable {
    public var approvals: [ApprovalInfo]

    public init(approvals: [ApprovalInfo]) {
        self.approvals = approvals
    }
}

/// `orchestrator.decide`: approve, reject, or edit a pending approval, then the execution goes on
/// (or stops) and the reply is where it got to.
public struct DecideRequest: Codable, Sendable, Equatable {
    public enum Decision: String, Codable, Sendable, CaseIterable {
        case approve
        case reject
        case edit
    }

    public var approval: String
    public var decision: Decision
    public var reason: String?
    /// For `edit`: the step's new amount (human decimals of its token).
    public var amount: String?
    /// For `edit`: a payment's new recipient address.
    public var recipient: String?

    public init(approval: String, decision: Decision, reason: String? = nil, amount: String? = nil, recipient: String? = nil) {
        (self.approval, self.decision, self.reason, self.amount, self.recipient) = (approval, decision, reason, amount, recipient)
    }
}
