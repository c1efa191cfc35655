import PaygentOrchestratorAPI

/// An intent proposed by something other than the grammar (an LLM planner's tool call), held to
/// the grammar's rules: every value read as the grammar reads it (amounts as decimal strings,
/// known tokens and markets, addresses, URLs and names without shell or SQL symbols), no argument
/// the intent does not take, and the ones it needs present.
public enum ProposedIntent {
    /// The arguments each intent takes; those it cannot do without are listed in `required`.
    public static let arguments: [IntentName: [String]] = [
        .payment: ["amount", "token", "recipient", "service", "url"],
        .balanceCheck: ["token"],
        .allowance: ["token"],
        .swap: ["amount", "token", "toToken"],
        .addLiquidity: ["amount", "token", "toAmount", "toToken", "pool"],
        .removeLiquidity: ["amount", "pool"],
        .farm: ["action", "amount", "pool"],
        .perpetualTrade: ["market", "side", "leverage", "collateral"],
        .closePosition: ["market", "position"],
        .setStopLoss: ["price", "market", "position"],
        .setTakeProfit: ["price", "market", "position"],
        .fundingRate: ["market"],
        .serviceDiscovery: ["query"],
        .subscribe: ["service", "url"],
        .history: ["period"],
    ]

    static let required: [IntentName: [[String]]] = [
        .payment: [["token"], ["recipient", "service", "url"]],
        .swap: [["amount"], ["token"], ["toToken"]],
        .addLiquidity: [["amount"], ["token"], ["toAmount"], ["toToken"]],
        .removeLiquidity: [["amount"], ["pool"]],
        .farm: [["action"], ["pool"]],
        .perpetualTrade: [["market"], ["side"], ["leverage"]],
        .closePosition: [["market", "position"]],
        .setStopLoss: [["price"]],
        .setTakeProfit: [["price"]],
        .subscribe: [["service", "url"]],
    ]

    public static func validate(_ name: IntentName, _ arguments: [String: String], text: String) throws(CommandError) -> ParsedIntent {
        let taken = Self.arguments[name] ?? []
        var captures: [String: String] = [:]
        for (key, value) in arguments.sorted(by: { $0.key < $1.key }) {
            guard taken.contains(key) else {
                throw CommandError("\(name.rawValue) takes no argument '\(key)' (it takes: \(taken.joined(separator: ", ")))", part: key)
            }
            captures[key] = try read(key, value, intent: name)
        }
        for group in required[name] ?? [] where !group.contains(where: { captures[$0] != nil }) {
            throw CommandError("\(name.rawValue) needs \(group.joined(separator: " or "))", part: name.rawValue)
        }
        return try CommandParser.build(name, captures, text: text)
    }

    static func read(_ key: String, _ value: String, intent: IntentName) throws(CommandError) -> String {
        let word = CommandWord(raw: value, lower: value.lowercased())
        func slot(_ slot: Slot, _ what: String) throws(CommandError) -> String {
            guard let read = slot.read([word], from: 0).first, read.0 == 1 else {
                throw CommandError("\(key) '\(value)' is not \(what)", part: value)
            }
            return read.1
        }
        switch key {
        case "amount" where value.lowercased() == "all" && [.removeLiquidity, .farm].contains(intent):
            return "all"
        case "amount", "toAmount", "collateral", "price":
            guard CommandWords.isAmount(value) else { throw CommandError("\(key) '\(value)' is not a decimal amount", part: value) }
            return value
        case "token", "toToken": return try slot(.token, "a known token (\(Slot.tokens.joined(separator: ", ")))")
        case "recipient":
            guard CommandWords.isAddress(value) else { throw CommandError("recipient '\(value)' is not an address: 0x and 40 hex digits", part: value) }
            return value
        case "url":
            try CommandWords.checkValue(value)
            return try slot(.url, "an http or https URL")
        case "market": return try slot(.market, "a market (BTC, ETH, CRO)")
        case "side": return try slot(.side, "long or short")
        case "leverage":
            let lower = value.lowercased()
            guard let leverage = Slot.leverage(lower.hasSuffix("x") || lower.hasSuffix("×") ? lower : lower + "x") else {
                throw CommandError("leverage '\(value)' is not a whole number from 1 to 1000", part: value)
            }
            return leverage
        case "position": return try slot(.position, "a position id (pos_…)")
        case "pool": return try slot(.pool, "a pool of two known tokens (CRO-USDC)")
        case "action":
            guard ["stake", "harvest", "unstake"].contains(value.lowercased()) else { throw CommandError("action '\(value)' is not stake, harvest or unstake", part: value) }
            return value.lowercased()
        case "period":
            guard ["today", "week", "all"].contains(value.lowercased()) else { throw CommandError("period '\(value)' is not today, week or all", part: value) }
            return value.lowercased()
        default:
            try CommandWords.checkValue(value)
            let words = value.lowercased().split(separator: " ").map { CommandWord(raw: String($0), lower: String($0)) }
            guard !words.isEmpty, words.count <= 6, Slot.words(stop: []).read(words, from: 0).last?.0 == words.count else {
                throw CommandError("\(key) '\(value)' is not one to six plain words", part: value)
            }
            return words.map(\.lower).joined(separator: " ")
        }
    }
}
