import PaygentOrchestratorAPI

/// The built-in grammar: the commands Paygent understands without any network, each a pattern
/// of words that must account for a whole clause. Case and spacing do not matter; amounts stay
/// exactly as written.
enum Grammar {
    struct Rule: Sendable {
        let intent: IntentName
        let pattern: Pattern
    }

    static let nameStop: Set<String> = [
        "api", "apis", "service", "services", "endpoint", "then", "and", "to", "for", "with", "at", "on", "in", "from", "again",
    ]
    static let service = cap(.words(stop: nameStop), "service")
    static let serviceSuffix = opt("api", "service", "endpoint", "feed")
    static let my = opt("my", "the")
    static let amount = cap(.amount, "amount")
    static let token = cap(.token, "token")
    static let market = cap(.market, "market")
    static let usdc = opt(seq(w("usdc"), opt("of")))
    static let period = any(
        seq(opt("for"), w("today"), set("period", "today")), seq(w("this"), w("week"), set("period", "week")),
        seq(opt("in"), w("total"), set("period", "all")), set("period", "today"))
    static let stopLoss = any(w("stop-loss", "stoploss", "sl"), seq(w("stop"), w("loss")))
    static let takeProfit = any(w("take-profit", "takeprofit", "tp"), seq(w("take"), w("profit")))
    static let positionRef = any(
        seq(my, market, opt("position", "long", "short")), seq(opt("position"), cap(.position, "position")),
        seq(w("it"), set("fromMemory", "last_position")), seq(my, opt("last"), w("position"), set("fromMemory", "last_position")))
    static let trigger = seq(
        opt("at", "to"), cap(.amount, "price"), opt(seq(w("on", "for"), positionRef)))

    static let rules: [Rule] = [
        Rule(intent: .payment, pattern: seq(w("pay", "send", "transfer"), amount, token, w("to"), cap(.address, "recipient"))),
        Rule(intent: .payment, pattern: seq(w("pay", "send"), amount, token, w("to", "for"), opt("access", "use", "call", "query"), opt("the"), cap(.url, "url"))),
        Rule(intent: .payment, pattern: seq(w("pay", "send"), amount, token, w("to", "for"), opt("access", "use", "call", "query"), opt("the"), service, serviceSuffix)),
        Rule(intent: .payment, pattern: seq(w("pay"), any(seq(opt("the"), w("same"), serviceSuffix), w("it")), opt("again"), set("fromMemory", "last_service"))),

        Rule(intent: .balanceCheck, pattern: seq(w("check", "show", "get", "what"), opt("is", "are"), my, opt("wallet"), opt(token), w("balance", "balances"))),
        Rule(intent: .balanceCheck, pattern: seq(w("check", "show"), my, w("wallet"))),
        Rule(intent: .balanceCheck, pattern: seq(w("how"), w("much"), token, w("do"), w("i"), w("have"))),
        Rule(intent: .balanceCheck, pattern: seq(opt("my"), w("balance", "balances"))),

        Rule(intent: .allowance, pattern: seq(w("check", "show", "what"), opt("is", "are"), my, opt("daily", "spending"), w("allowance", "allowances", "limit", "limits"), opt(seq(w("for"), token)))),
        Rule(intent: .allowance, pattern: seq(w("how"), w("much"), opt(token), w("can"), w("i"), w("spend"), opt("today"))),

        Rule(intent: .swap, pattern: seq(w("swap", "exchange", "trade", "convert", "sell"), amount, token, w("for", "to", "into"), cap(.token, "toToken"))),
        Rule(intent: .swap, pattern: seq(w("swap", "convert"), w("it", "that"), w("back"), set("fromMemory", "last_swap"))),

        Rule(intent: .addLiquidity, pattern: seq(
            w("add", "provide", "deposit"), opt("liquidity"), opt("of", "with"), amount, token, w("and"), cap(.amount, "toAmount"), cap(.token, "toToken"),
            opt(seq(opt("as"), w("liquidity"))), opt(seq(w("to", "into", "in"), opt("the"), opt(cap(.pool, "pool")), opt("pool"))))),

        Rule(intent: .removeLiquidity, pattern: seq(
            w("remove", "withdraw"), any(seq(w("all"), opt("my"), set("amount", "all")), seq(my, set("amount", "all")), amount), opt("lp", "liquidity"),
            w("from"), opt("the"), cap(.pool, "pool"), opt("pool"))),

        Rule(intent: .farm, pattern: seq(
            w("stake"), any(seq(w("all"), opt("my"), set("amount", "all")), seq(my, set("amount", "all")), amount), opt("lp"), w("in", "into", "on"), opt("the"),
            cap(.pool, "pool"), opt("farm", "pool"), set("action", "stake"))),
        Rule(intent: .farm, pattern: seq(w("harvest"), opt("rewards", "vvs"), opt("from"), my, cap(.pool, "pool"), opt("farm"), set("action", "harvest"))),
        Rule(intent: .farm, pattern: seq(
            w("unstake"), any(seq(w("all"), opt("my"), set("amount", "all")), seq(my, set("amount", "all")), amount), opt("lp"), w("from"), opt("the"),
            cap(.pool, "pool"), opt("farm", "pool"), set("action", "unstake"))),

        Rule(intent: .perpetualTrade, pattern: seq(
            opt("open", "go"), opt("a", "an"), cap(.leverage, "leverage"), cap(.side, "side"), opt("position", "perp", "perpetual"), w("on", "in"), market,
            opt(seq(w("with"), cap(.amount, "collateral"), opt("usdc"), opt("collateral", "margin"))))),
        Rule(intent: .perpetualTrade, pattern: seq(
            opt("open", "go"), opt("a", "an"), cap(.side, "side"), cap(.amount, "collateral"), usdc, opt("on"), market, w("at", "with"), cap(.leverage, "leverage"),
            opt("leverage"))),
        Rule(intent: .perpetualTrade, pattern: seq(
            opt("open", "go"), opt("a", "an"), cap(.side, "side"), opt("on"), market, opt("at", "with"), cap(.leverage, "leverage"), opt("leverage"),
            opt(seq(w("with"), cap(.amount, "collateral"), opt("usdc"), opt("collateral", "margin"))))),

        Rule(intent: .closePosition, pattern: seq(w("close"), positionRef)),

        Rule(intent: .setStopLoss, pattern: seq(opt("set", "add", "move"), opt("a", "an", "the", "my"), stopLoss, trigger)),
        Rule(intent: .setTakeProfit, pattern: seq(opt("set", "add", "move"), opt("a", "an", "the", "my"), takeProfit, trigger)),

        Rule(intent: .fundingRate, pattern: seq(
            opt("what", "show", "check", "get"), opt("is", "are"), opt("the"), w("funding"), w("rate", "rates"), opt(seq(w("on", "for", "of"), market)))),
        Rule(intent: .fundingRate, pattern: seq(opt("what", "show", "check", "get"), opt("is", "are"), opt("the"), market, w("funding"), opt("rate"))),

        Rule(intent: .serviceDiscovery, pattern: seq(
            w("find", "search", "discover", "list", "show"), opt("for"), opt("me"), opt("the", "some", "all", "available"),
            opt(cap(.words(stop: nameStop), "query")), w("services", "apis", "service", "api"))),
        Rule(intent: .serviceDiscovery, pattern: seq(w("what", "which"), w("services", "apis"), w("are", "do"), opt("there", "you"), opt("available", "have", "know"))),
        Rule(intent: .serviceDiscovery, pattern: seq(w("find", "search", "discover"), opt("for"), cap(.words(stop: nameStop), "query"))),

        Rule(intent: .subscribe, pattern: seq(w("subscribe"), w("to"), opt("the"), any(cap(.url, "url"), seq(service, serviceSuffix)))),

        Rule(intent: .history, pattern: seq(w("what", "how"), opt("much"), w("did"), w("i"), w("spend", "pay"), period)),
        Rule(intent: .history, pattern: seq(w("show", "check"), opt("my"), w("history", "spending", "spend", "payments", "transactions"), period)),
        Rule(intent: .history, pattern: seq(opt("my"), w("history", "spending"), period)),
    ]

    /// Examples of what the grammar understands, shown when a command is not understood.
    public static let examples = [
        "Check my wallet balance",
        "Pay 0.10 USDC to access the market data API",
        "Send 25 USDC to 0x…",
        "Swap 10 CRO for USDC",
        "Open a 10x long position on BTC with 100 USDC",
        "Set a stop-loss at 90000 on my BTC position",
        "Find market data services",
        "What did I spend today?",
    ]
}
