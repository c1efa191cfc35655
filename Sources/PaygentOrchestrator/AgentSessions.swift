import Foundation
import PaygentMoney
import PaygentOrchestratorAPI
import PaygentPaymentsAPI
import PaygentServiceKit
import PaygentWire

/// Sessions: made by callers, or the default one, made on first use for the deployment's default
/// agent wallet.
extension Agent {
    static let defaultSession = "default"

    /// A session by id or name, the default session when nil. Only an active session runs commands.
    func session(_ reference: String?) async throws -> SessionInfo {
        guard let reference else { return try await defaultSessionInfo() }
        guard let session = try store.session(reference) else {
            throw PaygentError(.notFound, "no session '\(reference)'; `paygent sessions list` shows them")
        }
        guard session.state == "active" else {
            throw PaygentError(.failedPrecondition, "session '\(session.name)' is terminated; create another with `paygent sessions create`")
        }
        return session
    }

    private func defaultSessionInfo() async throws -> SessionInfo {
        if let session = try store.session(Self.defaultSession) { return session }
        let wallets = try await tools.payments.call(PaymentsMethod.walletList, WalletListRequest(), deadline: .seconds(10)).wallets
        let wallet: WalletInfo
        if let name = defaultWallet {
            guard let found = wallets.first(where: { $0.name == name || $0.address.lowercased() == name.lowercased() }) else {
                throw PaygentError(.failedPrecondition, "the default agent wallet '\(name)' is not a wallet of the payments service; create it with `paygent wallet create \(name)`")
            }
            wallet = found
        } else {
            guard let oldest = wallets.min(by: { $0.createdAt < $1.createdAt }) else {
                throw PaygentError(.failedPrecondition, "no wallet to run commands with: create one with `paygent wallet create agent` (or run `paygent demo`)")
            }
            wallet = oldest
        }
        let session = SessionInfo(
            id: Self.defaultSession, name: Self.defaultSession, wallet: wallet.name, policy: SpendPolicy(), allowedTools: nil, approvalTimeoutSeconds: 600,
            state: "active", spentUsd: .zero, memory: [:], createdAt: time.now())
        do {
            try store.insert(session)
        } catch {
            // Two first commands at once: the other one made it.
            if let made = try store.session(Self.defaultSession) { return made }
            throw error
        }
        logger.info("default session created", metadata: ["wallet": "\(wallet.name)"])
        return session
    }

    func createSession(_ request: SessionCreateRequest) async throws -> SessionInfo {
        guard (1...40).contains(request.name.count), request.name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw PaygentError(.badRequest, "name: 1 to 40 letters, digits, '-' or '_'")
        }
        guard request.name != Self.defaultSession, try store.session(request.name) == nil else {
            throw PaygentError(.conflict, "a session named '\(request.name)' exists")
        }
        let timeout = request.approvalTimeoutSeconds ?? 600
        guard (10...86_400).contains(timeout) else {
            throw PaygentError(.badRequest, "approvalTimeoutSeconds: from 10 to 86400, not \(timeout)")
        }
        if let tools = request.allowedTools {
            let known = Set(ToolCatalog.tools)
            if let unknown = tools.first(where: { !known.contains($0) }) {
                throw PaygentError(.badRequest, "allowedTools: no tool \(unknown); tools: \(ToolCatalog.tools.joined(separator: ", "))")
            }
        }
        let wallets = try await tools.payments.call(PaymentsMethod.walletList, WalletListRequest(), deadline: .seconds(10)).wallets
        let wallet: WalletInfo
        if let name = request.wallet {
            guard let found = wallets.first(where: { $0.name == name || $0.address.lowercased() == name.lowercased() }) else {
                throw PaygentError(.notFound, "no wallet '\(name)' at the payments service")
            }
            wallet = found
        } else if let first = wallets.min(by: { $0.createdAt < $1.createdAt }) {
            wallet = first
        } else {
            throw PaygentError(.failedPrecondition, "no wallet for the session: create one with `paygent wallet create`")
        }
        let id = "ses_" + Hex.encode(random.bytes(6))
        let session = SessionInfo(
            id: id, name: request.name, wallet: wallet.name, policy: request.policy, allowedTools: request.allowedTools, approvalTimeoutSeconds: timeout,
            state: "active", spentUsd: .zero, memory: [:], createdAt: time.now())
        try store.insert(session)
        return session
    }

    func terminate(_ reference: String) async throws -> SessionInfo {
        guard let session = try store.session(reference) else { throw PaygentError(.notFound, "no session '\(reference)'") }
        guard session.state == "active" else { return session }
        _ = try await kill(KillRequest(session: session.id, reason: "session terminated"))
        return try store.update(session: session.id) { $0.state = "terminated" } ?? session
    }

    func summary(_ reference: String) throws -> SessionSummary {
        guard let session = try store.session(reference) else { throw PaygentError(.notFound, "no session '\(reference)'") }
        let executions = try store.executions(session: session.id)
        var spent: [String: SessionSummary.Spent] = [:]
        var order: [String] = []
        for cost in executions.flatMap(\.costs) {
            if var entry = spent[cost.token] {
                entry.amount = SpendCheck.amount(entry.amount.baseUnits + cost.amount.baseUnits)
                entry.usd = SpendCheck.amount(entry.usd.baseUnits + cost.usd.baseUnits)
                spent[cost.token] = entry
            } else {
                spent[cost.token] = SessionSummary.Spent(token: cost.token, decimals: cost.decimals, amount: cost.amount, usd: cost.usd)
                order.append(cost.token)
            }
        }
        let completed = executions.filter { $0.status == .completed }.count
        let finished = executions.filter(\.status.isFinished).count
        let total = executions.reduce(into: Amount.zero) { $0 = SpendCheck.amount($0.baseUnits + $1.totalUsd.baseUnits) }
        return SessionSummary(
            session: session, commands: executions.count, completed: completed, unsuccessful: finished - completed,
            pendingApprovals: executions.filter { $0.status == .awaitingApproval }.count, spent: order.compactMap { spent[$0] }, totalUsd: total,
            successRate: finished == 0 ? 0 : Double(completed) / Double(finished))
    }
}

/// Every tool a plan may call: the orchestrator's own steps and the service methods it uses.
enum ToolCatalog {
    static let tools = [
        "agent.parse", "agent.plan_check", "agent.policy_check", "agent.verify_settlement", "agent.history", "payments.balances", "payments.wallet_list", "payments.fetch",
        "payments.wallet_transfer", "registry.discover", "registry.show", "registry.subscribe", "vvs.quote", "vvs.swap", "vvs.add_liquidity",
        "vvs.remove_liquidity", "vvs.positions", "vvs.farm_stake", "vvs.farm_harvest", "vvs.farm_unstake", "moonlander.markets", "moonlander.open",
        "moonlander.close", "moonlander.positions", "moonlander.triggers", "moonlander.funding",
    ]
}
