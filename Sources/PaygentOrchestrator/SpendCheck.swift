import BigInt
import PaygentMoney
import PaygentOrchestratorAPI

/// What a cost-bearing step would spend, priced in USD.
struct PricedCost: Sendable, Equatable, Codable {
    var token: String
    var decimals: Int
    var amount: Amount
    var usd: Amount
    var rate: String
}

/// The session's spend policy applied to one step, before anything is spent: the asset and payee
/// allowlists, the per-payment maximum, the session's and the command's budgets, what is left of
/// the wallet's daily limit, and the approval threshold. A refusal says which limit and by how much.
struct SpendCheck {
    enum Verdict: Equatable {
        case allowed
        case needsApproval(threshold: Amount)
    }

    let policy: SpendPolicy
    /// What the session spent before this command, and this command before this step.
    let sessionSpent: Amount
    let commandSpent: Amount
    let commandBudget: Amount?

    static func usd(_ amount: Amount) -> String {
        "$" + amount.formatted(decimals: USD.decimals, minimumFractionDigits: 2)
    }

    static func tokens(_ amount: BigUInt, _ decimals: Int, _ symbol: String) -> String {
        ((try? Amount(baseUnits: amount))?.formatted(decimals: decimals) ?? amount.description) + " " + symbol
    }

    /// - Parameters:
    ///   - costs: what the step spends (two tokens for a liquidity deposit).
    ///   - payees: names the payee goes by (a service's name and host, an address).
    ///   - dailyLeft: per token, what is left of the wallet's daily limit (absent: no limit).
    func check(_ costs: [PricedCost], payees: [String], dailyLeft: [String: Amount], approved: Bool) throws(PolicyRefusal) -> Verdict {
        if let assets = policy.allowedAssets {
            for cost in costs where !assets.contains(where: { $0.caseInsensitiveCompare(cost.token) == .orderedSame }) {
                throw PolicyRefusal("the asset \(cost.token) is not allowed in this session (allowed: \(assets.joined(separator: ", ")))")
            }
        }
        if let allowed = policy.allowedPayees, !payees.isEmpty,
            !payees.contains(where: { payee in allowed.contains { $0.caseInsensitiveCompare(payee) == .orderedSame } })
        {
            throw PolicyRefusal("the payee \(payees[0]) is not on this session's allowlist (allowed: \(allowed.joined(separator: ", ")))")
        }
        let usd = costs.reduce(BigUInt(0)) { $0 + $1.usd.baseUnits }
        let total = Self.usd((try? Amount(baseUnits: usd)) ?? .zero)
        if let maximum = policy.maxPaymentUsd, usd > maximum.baseUnits {
            throw PolicyRefusal("\(total) exceeds the per-payment maximum of \(Self.usd(maximum)) by \(Self.usd(Self.amount(usd - maximum.baseUnits)))")
        }
        if let budget = policy.budgetUsd, sessionSpent.baseUnits + usd > budget.baseUnits {
            throw PolicyRefusal(
                "\(total) would exceed the session budget of \(Self.usd(budget)) by \(Self.usd(Self.amount(sessionSpent.baseUnits + usd - budget.baseUnits))) (\(Self.usd(sessionSpent)) spent so far)")
        }
        if let budget = commandBudget, commandSpent.baseUnits + usd > budget.baseUnits {
            throw PolicyRefusal(
                "\(total) would exceed this command's budget of \(Self.usd(budget)) by \(Self.usd(Self.amount(commandSpent.baseUnits + usd - budget.baseUnits)))")
        }
        for cost in costs {
            if let left = dailyLeft[cost.token], cost.amount > left {
                throw PolicyRefusal(
                    "\(Self.tokens(cost.amount.baseUnits, cost.decimals, cost.token)) exceeds what is left of the wallet's daily \(cost.token) limit (\(Self.tokens(left.baseUnits, cost.decimals, cost.token))) by \(Self.tokens(cost.amount.baseUnits - left.baseUnits, cost.decimals, cost.token))")
            }
        }
        let threshold = policy.approvalThresholdUsd ?? SpendPolicy.defaultApprovalThreshold
        if usd > threshold.baseUnits, !approved { return .needsApproval(threshold: threshold) }
        return .allowed
    }

    static func amount(_ value: BigUInt) -> Amount {
        (try? Amount(baseUnits: value)) ?? .zero
    }
}

/// A step the spend policy refuses: nothing was spent.
struct PolicyRefusal: Error, Equatable {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}
