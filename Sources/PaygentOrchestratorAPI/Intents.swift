import Foundation

/// What a command asks for, by name: the `intent` field of every parsed intent.
public enum IntentName: String, Codable, Sendable, CaseIterable {
    case payment
    case balanceCheck = "balance_check"
    case allowance
    case swap
    case addLiquidity = "add_liquidity"
    case removeLiquidity = "remove_liquidity"
    case farm
    case perpetualTrade = "perpetual_trade"
    case closePosition = "close_position"
    case setStopLoss = "set_stop_loss"
    case setTakeProfit = "set_take_profit"
    case fundingRate = "funding_rate"
    case serviceDiscovery = "service_discovery"
    case subscribe
    case history
}

/// One intent of a command with the values the grammar read from it. Amounts and prices are
/// kept as written (decimal strings, never floating point); tokens are upper-case symbols,
/// markets `BTC-USD`. Fields an intent does not use are absent.
public struct ParsedIntent: Codable, Sendable, Equatable {
    public var intent: IntentName
    /// The words of the command this intent was read from.
    public var text: String
    /// Human decimals of `token`: what is paid, sold, deposited or staked.
    public var amount: String?
    public var token: String?
    /// A swap's output token; the second token of a liquidity deposit.
    public var toToken: String?
    /// A liquidity deposit's amount of `toToken`.
    public var toAmount: String?
    /// An address paid directly.
    public var recipient: String?
    /// A service named or described ("market data"), resolved through the registry.
    public var service: String?
    /// A resource paid or subscribed to by its URL.
    public var url: String?
    /// `BTC-USD`, `ETH-USD`, `CRO-USD`.
    public var market: String?
    /// `long` or `short`.
    public var side: String?
    public var leverage: Int?
    /// USDC put up for a position.
    public var collateral: String?
    /// A trigger price, USD.
    public var price: String?
    /// A position id (`pos_…`).
    public var position: String?
    /// A pool (`CRO-USDC`).
    public var pool: String?
    /// A farm's action: `stake`, `harvest` or `unstake`.
    public var action: String?
    /// Words a discovery searches for.
    public var query: String?
    /// A history's period: `today`, `week`, `all`.
    public var period: String?
    /// What the intent took from the session's memory (`last_service`, `last_swap`, `last_position`).
    public var fromMemory: String?

    public init(intent: IntentName, text: String) {
        self.intent = intent
        self.text = text
    }
}

/// The status of one todo of a plan.
public enum TodoStatus: String, Codable, Sendable, CaseIterable {
    case pending
    case inProgress = "in_progress"
    case completed
    case failed
    case skipped
}

/// One step of a plan: a tool call (a service method, or one of the orchestrator's own steps:
/// `agent.parse`, `agent.policy_check`, `agent.verify_settlement`).
public struct Todo: Codable, Sendable, Equatable {
    /// 1, 2, … in the order they run.
    public var step: Int
    /// Which intent of the command it serves (0-based).
    public var intentIndex: Int
    public var tool: String
    /// What the step does, for people.
    public var title: String
    public var status: TodoStatus
    /// Whether the step can move funds (checked by the spend policy first, and keyed by the
    /// execution and step so that a crash never repeats it).
    public var costBearing: Bool
    /// The service the tool belongs to (`payments`, `registry`, `vvs`, `moonlander`, `orchestrator`).
    public var service: String
    /// What it answered, for people (set when it finishes).
    public var result: String?
    public var error: String?

    public init(step: Int, intentIndex: Int, tool: String, title: String, costBearing: Bool, service: String) {
        (self.step, self.intentIndex, self.tool, self.title, self.costBearing, self.service) = (step, intentIndex, tool, title, costBearing, service)
        status = .pending
    }
}

/// A command understood: its intents and the todos that carry them out.
public struct Plan: Codable, Sendable, Equatable {
    public var command: String
    public var intents: [ParsedIntent]
    public var todos: [Todo]
    /// The services the plan calls, in the order it first calls them.
    public var services: [String]
    /// Who read the command: `grammar` (absent means the same), or `llm:<model>`.
    public var planner: String?

    public init(command: String, intents: [ParsedIntent], todos: [Todo], planner: String? = nil) {
        (self.command, self.intents, self.todos, self.planner) = (command, intents, todos, planner)
        var seen: [String] = []
        for todo in todos where todo.service != "orchestrator" && !seen.contains(todo.service) { seen.append(todo.service) }
        services = seen
    }
}
