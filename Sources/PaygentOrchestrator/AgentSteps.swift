import BigInt
import Foundation
import PaygentCommands
import PaygentMoney
import PaygentOrchestratorAPI
import PaygentPaymentsAPI
import PaygentRegistryAPI
import PaygentServiceKit
import PaygentVVSAPI
import PaygentWire

/// How a step ended: done with a result for people, or paused for a human.
enum StepOutcome {
    case done(String)
    case paused(ApprovalInfo)
}

/// The steps themselves: each todo's tool called with only what it needs, what it found handed on
/// to later steps through the execution's context (`i<intent>.<name>`), and what it spent
/// recorded against the execution and its session.
extension Agent {
    /// Performs one todo; answers how it ended and what it changed in the session.
    func perform(_ index: Int, _ record: inout ExecutionRecord, _ session: SessionInfo) async throws -> (StepOutcome, SessionChange) {
        let todo = record.info.plan.todos[index]
        var calls = record.info.toolCalls
        defer { record.info.toolCalls = calls }
        var step = StepContext(agent: self, todo: todo, record: record, session: session, decimals: try await tokenDecimals())
        let outcome: StepOutcome
        do {
            outcome = try await step.run(&calls)
        } catch {
            // A step can spend and then fail (a resource paid that answers an error): what it
            // spent is recorded all the same.
            record.context = step.context
            throw StepError(error, change: charge(step.spent, memory: step.memory, of: todo, in: &record))
        }
        record.context = step.context
        record.info.plan.intents = step.intents
        record.info.plan.todos = step.todos(record.info.plan.todos)
        if let allowed = session.allowedTools,
            let next = record.info.plan.todos.first(where: { $0.step > todo.step && !$0.tool.hasPrefix("agent.") && !allowed.contains($0.tool) })
        {
            throw StepError(StepFailure("this session may not call \(next.tool) (step \(next.step): \(next.title)); nothing was spent"), change: SessionChange())
        }
        let change = charge(step.spent, memory: step.memory, of: todo, in: &record)
        if case .done(let result) = outcome, isOutcomeStep(todo, in: record.info.plan) { record.info.result.append(result) }
        return (outcome, change)
    }

    /// Adds a step's costs to its execution; answers the change they make to the session.
    func charge(_ spent: [PricedCost], memory: [String: String], of todo: Todo, in record: inout ExecutionRecord) -> SessionChange {
        var change = SessionChange(memory: memory)
        for cost in spent {
            record.info.costs.append(Cost(step: todo.step, token: cost.token, decimals: cost.decimals, amount: cost.amount, usd: cost.usd, rate: cost.rate))
            record.info.totalUsd = SpendCheck.amount(record.info.totalUsd.baseUnits + cost.usd.baseUnits)
            change.spentUsd += cost.usd.baseUnits
        }
        return change
    }

    /// The last step of an intent says what the intent came to.
    func isOutcomeStep(_ todo: Todo, in plan: Plan) -> Bool {
        plan.todos.last(where: { $0.intentIndex == todo.intentIndex })?.step == todo.step
    }

    /// The ledger's tokens' decimals, asked of the payments service once.
    func tokenDecimals() async throws -> [String: Int] {
        if let known = decimals.withLock({ $0 }) { return known }
        let tokens = try await tools.payments.call(PaymentsMethod.tokens, TokensRequest(), deadline: .seconds(10)).tokens
        let table = Dictionary(tokens.map { ($0.symbol, $0.decimals) }, uniquingKeysWith: { first, _ in first })
        decimals.withLock { $0 = table }
        return table
    }

    /// Services found by a payment's words, remembered for `discoveryTTL`: the same payment again
    /// is not a registry search each time. What is paid is still bounded by the command's maximum
    /// and the price the resource asks at the time (payments refuses more).
    func discover(_ request: DiscoverRequest, step: Int, log calls: inout [ToolCall]) async throws -> DiscoverReply {
        let key = ToolClients.json(request)
        let now = time.elapsed()
        if let (at, reply) = discoveries.withLock({ $0[key] }), now - at < Self.discoveryTTL {
            calls.append(ToolCall(
                step: step, tool: RegistryMethod.discover.name, arguments: key, result: ToolClients.json(reply.logSummary.merging(["cached": "true"]) { a, _ in a }),
                error: nil, startedAt: time.now(), durationMillis: 0))
            return reply
        }
        let reply = try await tools.call(RegistryMethod.discover, request, step: step, log: &calls)
        discoveries.withLock { cache in
            if cache.count > 256 { cache.removeAll() }
            cache[key] = (now, reply)
        }
        return reply
    }

    static let discoveryTTL: Duration = .seconds(10)

    func address(of wallet: String, step: Int, calls: inout [ToolCall]) async throws -> String {
        if let known = addresses.withLock({ $0[wallet] }) { return known }
        let wallets = try await tools.call(PaymentsMethod.walletList, WalletListRequest(), step: step, log: &calls).wallets
        guard let found = wallets.first(where: { $0.name == wallet || $0.address.lowercased() == wallet.lowercased() }) else {
            throw StepFailure("the session's wallet '\(wallet)' is not at the payments service")
        }
        addresses.withLock { $0[wallet] = found.address }
        return found.address
    }
}

/// One step being performed: the intent it serves, the execution's context, and what it spends.
struct StepContext {
    let agent: Agent
    let todo: Todo
    let session: SessionInfo
    let executionID: String
    var intents: [ParsedIntent]
    var context: [String: String]
    let commandSpent: Amount
    let budgetLimit: Amount?
    let approved: Bool
    /// Costs of this step, once it spent them.
    var spent: [PricedCost] = []
    /// Facts for the session's memory.
    var memory: [String: String] = [:]
    /// A todo's tool changed by what a step found (a payee that is a wallet, not a service).
    var retool: [Int: (tool: String, title: String)] = [:]

    /// The ledger's tokens' decimals, by symbol.
    let tokenDecimals: [String: Int]

    init(agent: Agent, todo: Todo, record: ExecutionRecord, session: SessionInfo, decimals: [String: Int]) {
        (self.agent, self.todo, self.session, executionID, tokenDecimals) = (agent, todo, session, record.info.id, decimals)
        intents = record.info.plan.intents
        context = record.context
        commandSpent = record.info.totalUsd
        budgetLimit = record.budgetLimitUsd
        approved = record.context["approved.\(todo.step)"] != nil
    }

    var intent: ParsedIntent { intents[todo.intentIndex] }
    var prefix: String { "i\(todo.intentIndex)." }
    /// The idempotency key of a cost-bearing call: the execution, the step, and the edits made.
    var key: String { "\(executionID)/\(todo.step)/\(context["revision.\(todo.intentIndex)"] ?? "0")" }
    var wallet: String { session.wallet }

    subscript(name: String) -> String? {
        get { context[prefix + name] }
        set { context[prefix + name] = newValue }
    }

    func todos(_ todos: [Todo]) -> [Todo] {
        var result = todos
        for (step, change) in retool {
            if let index = result.firstIndex(where: { $0.step == step }) {
                result[index].tool = change.tool
                result[index].title = change.title
            }
        }
        return result
    }

    mutating func run(_ calls: inout [ToolCall]) async throws -> StepOutcome {
        switch todo.tool {
        case Planner.Tool.parse:
            let names = intents.map(\.intent.rawValue).joined(separator: ", ")
            local(&calls, arguments: ["command": intents.map(\.text).joined(separator: " then ")], result: names)
            return .done("understood: \(names)")
        case Planner.Tool.policyCheck:
            return try await policyCheck(&calls)
        case Planner.Tool.planCheck:
            return .done(try await planCheck(&calls))
        case Planner.Tool.verifySettlement:
            return .done(try await verifySettlement(&calls))
        case Planner.Tool.history:
            return .done(try history(&calls))
        case "registry.discover", "registry.show":
            return .done(try await findService(&calls))
        case "payments.balances":
            let address = try await agent.address(of: wallet, step: todo.step, calls: &calls)
            let reply = try await agent.tools.call(PaymentsMethod.balances, BalancesRequest(owner: address), step: todo.step, log: &calls)
            let shown = reply.balances.filter { intent.token == nil ? $0.amount.baseUnits > 0 : $0.token.symbol == intent.token }
            let text = shown.map { "\($0.amount.formatted(decimals: $0.token.decimals)) \($0.token.symbol)" }.joined(separator: ", ")
            return .done("\(wallet) (\(address)) holds \(text.isEmpty ? "nothing yet" : text)")
        case "payments.wallet_list":
            let wallets = try await agent.tools.call(PaymentsMethod.walletList, WalletListRequest(), step: todo.step, log: &calls).wallets
            guard let info = wallets.first(where: { $0.name == wallet }) else { throw StepFailure("the session's wallet '\(wallet)' is not at the payments service") }
            let limits = info.limits.filter { intent.token == nil || $0.token == intent.token }
            guard !limits.isEmpty else { return .done("\(wallet) has no daily limit\(intent.token.map { " for \($0)" } ?? "s"): the session's policy is what bounds it") }
            return .done(limits.map {
                "\($0.token): \($0.remaining.formatted(decimals: $0.decimals)) left of \($0.limit.formatted(decimals: $0.decimals)) today (\($0.spentToday.formatted(decimals: $0.decimals)) spent)"
            }.joined(separator: "; "))
        case "payments.fetch":
            return .done(try await fetch(&calls))
        case "payments.wallet_transfer":
            return .done(try await transfer(&calls))
        case "registry.subscribe":
            return .done(try await subscribe(&calls))
        case "vvs.quote", "vvs.swap", "vvs.add_liquidity", "vvs.remove_liquidity", "vvs.positions", "vvs.farm_stake", "vvs.farm_harvest", "vvs.farm_unstake":
            return .done(try await vvs(&calls))
        case "moonlander.markets", "moonlander.open", "moonlander.positions", "moonlander.close", "moonlander.triggers", "moonlander.funding":
            return .done(try await moonlander(&calls))
        default:
            throw StepFailure("no tool \(todo.tool)")
        }
    }

    /// Records one of the orchestrator's own steps as a tool call.
    func local(_ calls: inout [ToolCall], arguments: [String: String], result: String? = nil, error: String? = nil) {
        calls.append(ToolCall(
            step: todo.step, tool: todo.tool, arguments: ToolClients.json(arguments), result: result.map { ToolClients.json(["result": $0]) },
            error: error, startedAt: agent.time.now(), durationMillis: 0))
    }

    // MARK: amounts

    /// A token's decimals on the ledger (18, an ERC-20's usual, for one it does not list: the
    /// service the step calls refuses an unknown token by name).
    func decimals(_ token: String) -> Int {
        tokenDecimals[token] ?? 18
    }

    func amount(_ text: String, _ token: String, field: String) throws -> Amount {
        do {
            return try Amount(parsing: text, decimals: decimals(token))
        } catch {
            throw StepFailure("\(field) '\(text)' is not an amount of \(token): \(error.message)")
        }
    }

    static let stables: Set<String> = ["USDC", "USDT"]

    /// `amount` of `token` in USD: 1:1 for stablecoins, otherwise what VVS would pay in USDC for it now.
    func price(_ token: String, _ amount: Amount, _ calls: inout [ToolCall]) async throws -> PricedCost {
        let decimals = decimals(token)
        if Self.stables.contains(token) {
            let usd = decimals >= USD.decimals
                ? amount.baseUnits / BigUInt(10).power(decimals - USD.decimals) : amount.baseUnits * BigUInt(10).power(USD.decimals - decimals)
            return PricedCost(token: token, decimals: decimals, amount: amount, usd: SpendCheck.amount(usd), rate: "stable, 1 \(token) = $1")
        }
        let quote = try await agent.tools.call(
            VVSMethod.quote, QuoteRequest(from: token, to: "USDC", amount: amount.formatted(decimals: decimals)), step: todo.step, log: &calls)
        return PricedCost(
            token: token, decimals: decimals, amount: amount, usd: quote.amountOut,
            rate: "VVS: \(amount.formatted(decimals: decimals)) \(token) = \(quote.amountOut.formatted(decimals: 6)) USDC")
    }

    // MARK: the spend policy

    mutating func policyCheck(_ calls: inout [ToolCall]) async throws -> StepOutcome {
        let (costs, payees) = try await costsOfIntent(&calls)
        context[prefix + "costs"] = ToolClients.json(costs)
        let dailyLeft = try await self.dailyLeft(&calls)
        let check = SpendCheck(policy: session.policy, sessionSpent: session.spentUsd, commandSpent: commandSpent, commandBudget: budgetLimit)
        let total = SpendCheck.amount(costs.reduce(BigUInt(0)) { $0 + $1.usd.baseUnits })
        let described = costs.map { "\($0.amount.formatted(decimals: $0.decimals)) \($0.token) = \(SpendCheck.usd($0.usd)) (\($0.rate))" }.joined(separator: " + ")
        let verdict: SpendCheck.Verdict
        do {
            verdict = try check.check(costs, payees: payees, dailyLeft: dailyLeft, approved: approved)
        } catch {
            local(&calls, arguments: ["costs": described, "payees": payees.joined(separator: ", ")], error: "spend policy: \(error.message)")
            throw error
        }
        switch verdict {
        case .allowed:
            local(&calls, arguments: ["costs": described], result: "allowed")
            return .done("\(described): within the session's policy\(approved ? " (approved)" : "")")
        case .needsApproval(let threshold):
            let costTodo = agent.costTodo(after: todo, in: intents)
            let now = agent.time.now()
            let approval = ApprovalInfo(
                id: "apr_" + Hex.encode(agent.random.bytes(6)), execution: executionID, session: session.id, step: todo.step, tool: costTodo ?? todo.tool,
                summary: "\(intent.text) — \(described)", token: costs.first?.token ?? "", amount: costs.first.map { $0.amount.formatted(decimals: $0.decimals) } ?? "",
                usd: total, thresholdUsd: threshold, state: .pending, createdAt: now, expiresAt: now.addingTimeInterval(TimeInterval(session.approvalTimeoutSeconds)))
            local(&calls, arguments: ["costs": described], result: "waits for approval \(approval.id): \(SpendCheck.usd(total)) is above \(SpendCheck.usd(threshold))")
            return .paused(approval)
        }
    }

    /// What is left today of each of the wallet's daily limits, by token (no entry: no limit).
    func dailyLeft(_ calls: inout [ToolCall]) async throws -> [String: Amount] {
        let wallets = try await agent.tools.call(PaymentsMethod.walletList, WalletListRequest(), step: todo.step, log: &calls).wallets
        var left: [String: Amount] = [:]
        for limit in wallets.first(where: { $0.name == wallet })?.limits ?? [] { left[limit.token] = limit.remaining }
        return left
    }

    /// The whole command against the policy: each step's spending as written in the command,
    /// added up, so that a command whose later step would break a limit stops before its first
    /// step spends. Steps whose cost is known only later (a service's price) are checked at
    /// their own policy step.
    mutating func planCheck(_ calls: inout [ToolCall]) async throws -> String {
        var dailyLeft = try await self.dailyLeft(&calls)
        var total = BigUInt(0)
        var checked = 0
        for intent in intents {
            guard let (costs, payees) = try await estimate(intent, &calls) else { continue }
            let check = SpendCheck(
                policy: session.policy, sessionSpent: SpendCheck.amount(session.spentUsd.baseUnits + total),
                commandSpent: SpendCheck.amount(commandSpent.baseUnits + total), commandBudget: budgetLimit)
            do {
                _ = try check.check(costs, payees: payees, dailyLeft: dailyLeft, approved: true)
            } catch {
                local(&calls, arguments: ["intent": intent.text], error: "spend policy: \(error.message)")
                throw PolicyRefusal("\"\(intent.text)\": \(error.message)")
            }
            for cost in costs {
                total += cost.usd.baseUnits
                if let left = dailyLeft[cost.token] { dailyLeft[cost.token] = SpendCheck.amount(left.baseUnits - min(left.baseUnits, cost.amount.baseUnits)) }
            }
            checked += 1
        }
        let result = "\(checked) step\(checked == 1 ? "" : "s") that spend, \(SpendCheck.usd(SpendCheck.amount(total))) together: within the session's policy"
        local(&calls, arguments: ["command": intents.map(\.text).joined(separator: " then ")], result: result)
        return result
    }

    /// What an intent spends as its command says, priced; nil when only a later step knows.
    func estimate(_ intent: ParsedIntent, _ calls: inout [ToolCall]) async throws -> ([PricedCost], [String])? {
        switch intent.intent {
        case .payment:
            guard let written = intent.amount else { return nil }
            let token = intent.token ?? "USDC"
            return ([try await price(token, try amount(written, token, field: "amount"), &calls)], intent.recipient.map { [$0] } ?? [])
        case .swap:
            guard intent.fromMemory == nil, let from = intent.token else { return nil }
            return ([try await price(from, try amount(intent.amount ?? "", from, field: "amount"), &calls)], Self.venue("vvs", intent.pool))
        case .addLiquidity:
            let a = try await price(intent.token ?? "", try amount(intent.amount ?? "", intent.token ?? "", field: "amount"), &calls)
            let b = try await price(intent.toToken ?? "", try amount(intent.toAmount ?? "", intent.toToken ?? "", field: "amount"), &calls)
            return ([a, b], Self.venue("vvs", intent.pool))
        case .perpetualTrade:
            return (
                [try await price("USDC", try amount(intent.collateral ?? Planner.defaultCollateral, "USDC", field: "collateral"), &calls)],
                Self.venue("moonlander", intent.market)
            )
        default:
            return nil
        }
    }

    /// What the intent would spend, priced, and who would be paid.
    mutating func costsOfIntent(_ calls: inout [ToolCall]) async throws -> ([PricedCost], [String]) {
        switch intent.intent {
        case .payment:
            if let recipient = intent.recipient ?? self["payee.address"] {
                let token = intent.token ?? "USDC"
                let cost = try await price(token, try amount(intent.amount ?? "", token, field: "amount"), &calls)
                self["decimals"] = String(decimals(token))
                return ([cost], [recipient] + (intent.service.map { [$0] } ?? []))
            }
            let token = self["service.token"] ?? intent.token ?? "USDC"
            if let written = intent.token, written != token {
                throw StepFailure("\(self["service.name"] ?? "the service") is paid in \(token), not \(written)")
            }
            let price = try Amount(baseUnitsString: self["service.price"] ?? "0")
            let offered = try intent.amount.map { try amount($0, token, field: "amount") } ?? price
            if offered < price {
                throw StepFailure(
                    "\(self["service.name"] ?? "the service") charges \(price.formatted(decimals: decimals(token))) \(token), more than the \(offered.formatted(decimals: decimals(token))) \(token) offered; nothing was paid")
            }
            self["decimals"] = String(decimals(token))
            self["max"] = offered.formatted(decimals: decimals(token))
            let url = self["service.url"] ?? intent.url ?? ""
            return ([try await self.price(token, offered, &calls)], [self["service.name"], URL(string: url)?.host, self["service.payTo"], url].compactMap { $0 })
        case .swap:
            let (from, _, text) = try swapTerms()
            self["decimals"] = String(decimals(from))
            return ([try await price(from, try amount(text, from, field: "amount"), &calls)], Self.venue("vvs", intent.pool))
        case .addLiquidity:
            let a = try await price(intent.token ?? "", try amount(intent.amount ?? "", intent.token ?? "", field: "amount"), &calls)
            let b = try await price(intent.toToken ?? "", try amount(intent.toAmount ?? "", intent.toToken ?? "", field: "amount"), &calls)
            self["decimals"] = String(decimals(intent.token ?? ""))
            return ([a, b], Self.venue("vvs", intent.pool))
        case .perpetualTrade:
            self["decimals"] = "6"
            return (
                [try await price("USDC", try amount(intent.collateral ?? Planner.defaultCollateral, "USDC", field: "collateral"), &calls)],
                Self.venue("moonlander", intent.market)
            )
        case .subscribe:
            let token = self["service.token"] ?? "USDC"
            self["decimals"] = String(decimals(token))
            let cost = try await price(token, try Amount(baseUnitsString: self["service.price"] ?? "0"), &calls)
            return ([cost], [self["service.name"], self["service.payTo"]].compactMap { $0 })
        default:
            return ([], [])
        }
    }

    /// Who a trade pays, for the payee allowlist: the venue (`vvs`, `moonlander`) and its pool or
    /// market (`CRO-USDC`, `BTC-USD`); either on the list allows it.
    static func venue(_ name: String, _ detail: String?) -> [String] {
        [name] + (detail.map { [$0] } ?? [])
    }

    /// The priced costs the policy step passed, for the cost-bearing step to record.
    func checkedCosts() throws -> [PricedCost] {
        guard let text = self["costs"] else { throw StepFailure("the spend policy was not checked before this step") }
        return try AgentStore.value([PricedCost].self, text)
    }

    /// From, to and amount of a swap, from the command or the last swap in memory ("swap it back").
    func swapTerms() throws -> (String, String, String) {
        if intent.fromMemory == "last_swap" {
            guard let last = session.memory["last_swap"] else { throw StepFailure("no swap to reverse yet in this session") }
            let parts = last.split(separator: "|").map(String.init)
            guard parts.count == 3 else { throw StepFailure("the last swap in memory is unreadable") }
            // An approval edited to another amount swaps that amount back.
            return (parts[1], parts[2], intent.amount ?? parts[0])
        }
        return (intent.token ?? "", intent.toToken ?? "", intent.amount ?? "")
    }
}

extension Agent {
    /// The tool of the cost-bearing step that a policy check guards.
    func costTodo(after todo: Todo, in intents: [ParsedIntent]) -> String? {
        Planner.plan(command: "", intents: intents).todos.first { $0.intentIndex == todo.intentIndex && $0.step > todo.step && $0.costBearing }?.tool
    }
}
