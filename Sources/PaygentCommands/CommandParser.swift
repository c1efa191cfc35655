import PaygentOrchestratorAPI

/// Reads a command into intents with the built-in grammar. A compound command ("… then …",
/// "… and then …", "…, …") gives its intents in order. Anything the grammar cannot account
/// for is refused, pointing at the part it did not understand: nothing is guessed.
public enum CommandParser {
    /// Words that begin a command, so that "and" before one of them starts a new step.
    static let verbs: Set<String> = [
        "pay", "send", "transfer", "check", "show", "get", "what", "how", "swap", "exchange", "trade", "convert", "sell", "add", "provide",
        "deposit", "remove", "withdraw", "stake", "harvest", "unstake", "open", "go", "long", "short", "close", "set", "move", "find",
        "search", "discover", "list", "subscribe", "which",
    ]

    public static let examples = Grammar.examples

    public static func parse(_ command: String) throws(CommandError) -> [ParsedIntent] {
        let words = try CommandWords.split(command)
        guard !words.isEmpty else {
            throw CommandError("the command is empty; try: \(examplesText)")
        }
        return try clauses(words).map { clause throws(CommandError) in try intent(clause) }
    }

    static var examplesText: String {
        Grammar.examples.map { "\"\($0)\"" }.joined(separator: ", ")
    }

    /// Splits at `then`, `and then`, a comma, or `and` before a verb.
    static func clauses(_ words: [CommandWord]) throws(CommandError) -> [[CommandWord]] {
        var result: [[CommandWord]] = []
        var current: [CommandWord] = []
        var index = 0
        func close(at word: String) throws(CommandError) {
            guard !current.isEmpty else {
                throw CommandError("'\(word)' must come between two steps; nothing precedes it", part: word)
            }
            result.append(current)
            current = []
        }
        while index < words.count {
            let lower = words[index].lower
            let next = index + 1 < words.count ? words[index + 1].lower : nil
            if lower == "," || lower == "then" || (lower == "and" && (next == "then" || next.map(verbs.contains) == true)) {
                try close(at: words[index].raw)
                index += 1
                while index < words.count, ["then", "and", ","].contains(words[index].lower) { index += 1 }
                guard index < words.count else {
                    throw CommandError("the command ends after '\(lower)': say what to do next, or leave it out", part: lower)
                }
                continue
            }
            current.append(words[index])
            index += 1
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    static func intent(_ clause: [CommandWord]) throws(CommandError) -> ParsedIntent {
        let text = clause.map(\.raw).joined(separator: " ")
        var longest: (end: Int, intent: IntentName)?
        for rule in Grammar.rules {
            let matches = rule.pattern.matches(clause, from: 0, [:])
            if let whole = matches.first(where: { $0.end == clause.count }) {
                return try build(rule.intent, whole.captures, text: text)
            }
            if let best = matches.map(\.end).max(), best > 0, best > (longest?.end ?? 0) {
                longest = (best, rule.intent)
            }
        }
        if let longest {
            let understood = clause[..<longest.end].map(\.raw).joined(separator: " ")
            let rest = clause[longest.end...].map(\.raw).joined(separator: " ")
            throw CommandError(
                "understood \"\(understood)\" (\(longest.intent.rawValue)) but not \"\(rest)\" after it; nothing ran. Leave it out, or make it a step of its own after 'then'",
                part: rest)
        }
        for (index, word) in clause.enumerated() where CommandWords.isAmount(word.raw) && index + 1 < clause.count {
            let after = clause[index + 1]
            if after.lower.count >= 2, after.lower.count <= 6, after.lower.allSatisfy(\.isLetter), !["usdc", "of", "on", "at", "to", "for", "with"].contains(after.lower),
                Slot.leverage(after.lower) == nil, !Slot.tokens.contains(after.raw.uppercased())
            {
                throw CommandError("no token \(after.raw.uppercased()); known: \(Slot.tokens.joined(separator: ", "))", part: after.raw)
            }
        }
        throw CommandError("did not understand \"\(text)\"; nothing ran. Commands look like: \(examplesText)", part: text, notUnderstood: true)
    }

    /// The text fields of a parsed intent by name, in the order people read them (`leverage` is
    /// the one number).
    public static let textFields: [(name: String, path: WritableKeyPath<ParsedIntent, String?> & Sendable)] = [
        ("amount", \.amount), ("token", \.token), ("toToken", \.toToken), ("toAmount", \.toAmount), ("recipient", \.recipient),
        ("service", \.service), ("url", \.url), ("market", \.market), ("side", \.side), ("collateral", \.collateral), ("price", \.price),
        ("position", \.position), ("pool", \.pool), ("action", \.action), ("query", \.query), ("period", \.period), ("fromMemory", \.fromMemory),
    ]

    public static func build(_ name: IntentName, _ captures: [String: String], text: String) throws(CommandError) -> ParsedIntent {
        var intent = ParsedIntent(intent: name, text: text)
        for (key, value) in captures {
            if key == "leverage" {
                intent.leverage = Int(value)
            } else if let field = textFields.first(where: { $0.name == key })?.path {
                intent[keyPath: field] = value
            }
        }
        if name == .swap, let from = intent.token, from == intent.toToken {
            throw CommandError("a swap needs two different tokens; both are \(from)", part: text)
        }
        if name == .addLiquidity, let a = intent.token, let b = intent.toToken {
            guard a != b else { throw CommandError("liquidity needs two different tokens; both are \(a)", part: text) }
            if let pool = intent.pool, Set(pool.split(separator: "-").map(String.init)) != [a, b] {
                throw CommandError("\(a) and \(b) do not make the \(pool) pool", part: pool)
            }
            intent.pool = intent.pool ?? "\(a)-\(b)"
        }
        for amount in [intent.amount, intent.toAmount, intent.collateral].compactMap({ $0 }) where amount != "all" {
            guard amount.contains(where: { $0 != "0" && $0 != "." }) else {
                throw CommandError("an amount must be more than 0; '\(amount)' is not", part: amount)
            }
        }
        return intent
    }
}
