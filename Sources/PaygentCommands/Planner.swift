import PaygentOrchestratorAPI

/// Turns intents into todos: tool calls in the order they run, each marked with its service and
/// whether it can move funds. The same plan is shown by `--dry-run` and carried out by the
/// orchestrator.
public enum Planner {
    /// Collateral of a position opened without one ("open a 10x long on BTC"), USDC.
    public static let defaultCollateral = "10"

    /// Tools of the orchestrator itself; every other tool is a service method.
    public enum Tool {
        public static let parse = "agent.parse"
        public static let policyCheck = "agent.policy_check"
        public static let verifySettlement = "agent.verify_settlement"
        public static let history = "agent.history"
        /// Checks a command with several steps that spend against the policy as a whole, before
        /// the first of them spends.
        public static let planCheck = "agent.plan_check"
    }

    public static func plan(_ command: String) throws(CommandError) -> Plan {
        plan(command: command, intents: try CommandParser.parse(command))
    }

    public static func plan(command: String, intents: [ParsedIntent]) -> Plan {
        var todos: [Todo] = []
        func add(_ intentIndex: Int, _ tool: String, _ title: String, cost: Bool = false) {
            let service = tool.hasPrefix("agent.") ? "orchestrator" : String(tool.prefix { $0 != "." })
            todos.append(Todo(step: todos.count + 1, intentIndex: intentIndex, tool: tool, title: title, costBearing: cost, service: service))
        }
        add(0, Tool.parse, "understand the command: \(intents.map(\.intent.rawValue).joined(separator: ", "))")
        let spending = intents.filter { [.payment, .swap, .addLiquidity, .perpetualTrade, .subscribe].contains($0.intent) }
        if spending.count > 1 {
            add(0, Tool.planCheck, "check the \(spending.count) steps that spend against the spend policy together, before any of them runs")
        }
        for (index, intent) in intents.enumerated() {
            let amount = [intent.amount, intent.token].compactMap { $0 }.joined(separator: " ")
            switch intent.intent {
            case .payment:
                if let recipient = intent.recipient {
                    add(index, Tool.policyCheck, "check the spend policy for \(amount) to \(recipient)")
                    add(index, "payments.wallet_transfer", "send \(amount) to \(recipient)", cost: true)
                } else {
                    let target = intent.url ?? intent.service.map { "'\($0)'" } ?? "the service paid last"
                    if intent.url == nil {
                        add(index, intent.fromMemory == nil ? "registry.discover" : "registry.show", "find the service \(target)")
                    }
                    add(index, Tool.policyCheck, "check the spend policy for \(amount.isEmpty ? "its price" : amount)")
                    add(index, "payments.fetch", "pay \(target) over x402\(amount.isEmpty ? "" : ", at most \(amount)")", cost: true)
                }
                add(index, Tool.verifySettlement, "verify the settlement on the ledger")
            case .balanceCheck:
                add(index, "payments.balances", "read the wallet's balances\(intent.token.map { " (\($0))" } ?? "")")
            case .allowance:
                add(index, "payments.wallet_list", "read the wallet's daily limits and what is left today")
            case .swap:
                let pair = intent.fromMemory == nil ? "\(amount) for \(intent.toToken ?? "")" : "the last swap's output back"
                add(index, "vvs.quote", "quote swapping \(pair) on VVS")
                add(index, Tool.policyCheck, "check the spend policy for the swap's input")
                add(index, "vvs.swap", "swap \(pair) within the quote's slippage bound", cost: true)
                add(index, Tool.verifySettlement, "verify the swap's settlement on the ledger")
            case .addLiquidity:
                add(index, Tool.policyCheck, "check the spend policy for \(amount) and \(intent.toAmount ?? "") \(intent.toToken ?? "")")
                add(index, "vvs.add_liquidity", "deposit \(amount) and \(intent.toAmount ?? "") \(intent.toToken ?? "") in \(intent.pool ?? "the pool")", cost: true)
                add(index, Tool.verifySettlement, "verify the deposit's settlement on the ledger")
            case .removeLiquidity:
                add(index, "vvs.positions", "read the wallet's LP in \(intent.pool ?? "")")
                add(index, "vvs.remove_liquidity", "withdraw \(intent.amount == "all" ? "all" : amount) LP from \(intent.pool ?? "")")
            case .farm:
                let action = intent.action ?? "stake"
                let pool = intent.pool ?? ""
                let lp = intent.amount == "all" ? "all LP" : "\(amount) LP"
                if action != "harvest" { add(index, "vvs.positions", "read the wallet's LP in \(pool)") }
                add(index, "vvs.farm_\(action)", action == "harvest" ? "harvest the \(pool) farm's rewards" : "\(action) \(lp) \(action == "stake" ? "in" : "from") the \(pool) farm")
            case .perpetualTrade:
                let collateral = intent.collateral ?? defaultCollateral
                add(index, "moonlander.markets", "read \(intent.market ?? "")'s price and limits")
                add(index, Tool.policyCheck, "check the spend policy for \(collateral) USDC of collateral")
                add(index, "moonlander.open", "open a \(intent.leverage ?? 1)x \(intent.side ?? "") on \(intent.market ?? "") with \(collateral) USDC\(intent.collateral == nil ? " (the default collateral)" : "")", cost: true)
                add(index, Tool.verifySettlement, "verify the collateral's settlement on the ledger")
            case .closePosition:
                add(index, "moonlander.positions", "find \(positionText(intent))")
                add(index, "moonlander.close", "close \(positionText(intent)) at the oracle's price")
            case .setStopLoss, .setTakeProfit:
                let kind = intent.intent == .setStopLoss ? "stop-loss" : "take-profit"
                add(index, "moonlander.positions", "find \(positionText(intent))")
                add(index, "moonlander.triggers", "set the \(kind) of \(positionText(intent)) at \(intent.price ?? "")")
            case .fundingRate:
                add(index, "moonlander.funding", "read the funding rate\(intent.market.map { " of \($0)" } ?? "s")")
            case .serviceDiscovery:
                add(index, "registry.discover", "find \(intent.query.map { "'\($0)' " } ?? "")services")
            case .subscribe:
                add(index, "registry.discover", "find the service \(intent.url ?? intent.service.map { "'\($0)'" } ?? "")")
                add(index, Tool.policyCheck, "check the spend policy for one period's price")
                add(index, "registry.subscribe", "subscribe, paying one period", cost: true)
            case .history:
                add(index, Tool.history, "sum what the session's wallet spent \(intent.period == "all" ? "in total" : intent.period == "week" ? "this week" : "today")")
            }
        }
        return Plan(command: command, intents: intents, todos: todos)
    }

    static func positionText(_ intent: ParsedIntent) -> String {
        if let position = intent.position { return position }
        if let market = intent.market { return "the open \(market) position" }
        return "the position opened last"
    }
}
