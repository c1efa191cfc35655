/// A small grammar of words: a pattern matches a run of a command's words, capturing values.
/// Matching enumerates every way a pattern can match (few: commands are short), shortest
/// captures first, so the grammar can ask which match, if any, takes the whole clause.
indirect enum Pattern: Sendable {
    /// One of these words.
    case word(Set<String>)
    case optional(Pattern)
    case sequence([Pattern])
    case either([Pattern])
    /// A value read from one word (several for `.words`), stored under `key`.
    case capture(Slot, key: String)
    /// Matches nothing, stores `value` under `key` (a side, an action, a memory reference).
    case set(key: String, value: String)

    typealias Captures = [String: String]

    func matches(_ words: [CommandWord], from start: Int, _ captures: Captures) -> [(end: Int, captures: Captures)] {
        switch self {
        case .word(let choices):
            guard start < words.count, choices.contains(words[start].lower) else { return [] }
            return [(start + 1, captures)]
        case .optional(let inner):
            return inner.matches(words, from: start, captures) + [(start, captures)]
        case .sequence(let parts):
            var states: [(end: Int, captures: Captures)] = [(start, captures)]
            for part in parts {
                states = states.flatMap { part.matches(words, from: $0.end, $0.captures) }
                if states.isEmpty { return [] }
            }
            return states
        case .either(let choices):
            return choices.flatMap { $0.matches(words, from: start, captures) }
        case .set(let key, let value):
            var next = captures
            next[key] = value
            return [(start, next)]
        case .capture(let slot, let key):
            return slot.read(words, from: start).map { end, value in
                var next = captures
                next[key] = value
                return (end, next)
            }
        }
    }
}

/// What a captured value may be.
enum Slot: Sendable {
    case amount
    case token
    case address
    case url
    case market
    case leverage
    case side
    case position
    case pool
    /// One to six plain words (a service's name or description), none of `stop`.
    case words(stop: Set<String>)

    static let tokens = ["CRO", "WCRO", "USDC", "USDT", "VVS", "WBTC", "WETH"]
    static let markets: [String: String] = [
        "btc": "BTC-USD", "btc-usd": "BTC-USD", "bitcoin": "BTC-USD", "eth": "ETH-USD", "eth-usd": "ETH-USD", "ether": "ETH-USD",
        "ethereum": "ETH-USD", "cro": "CRO-USD", "cro-usd": "CRO-USD",
    ]

    func read(_ words: [CommandWord], from start: Int) -> [(Int, String)] {
        guard start < words.count else { return [] }
        let word = words[start]
        let one: String? =
            switch self {
            case .amount: CommandWords.isAmount(word.raw) ? word.raw : nil
            case .token: Self.tokens.first { $0.lowercased() == word.lower }
            case .address: CommandWords.isAddress(word.raw) ? word.raw : nil
            case .url: word.lower.hasPrefix("http://") || word.lower.hasPrefix("https://") ? word.raw : nil
            case .market: Self.markets[word.lower]
            case .leverage: Self.leverage(word.lower)
            case .side: ["long", "short"].contains(word.lower) ? word.lower : nil
            case .position: word.lower.hasPrefix("pos_") && word.lower.count > 4 ? word.lower : nil
            case .pool: Self.pool(word.lower)
            case .words: nil
            }
        if let one { return [(start + 1, one)] }
        guard case .words(let stop) = self else { return [] }
        var results: [(Int, String)] = []
        var taken: [String] = []
        for index in start..<min(words.count, start + 6) {
            let lower = words[index].lower
            guard !stop.contains(lower), lower != ",", lower.first?.isLetter == true || lower.first?.isNumber == true,
                !lower.hasPrefix("http"), !lower.hasPrefix("0x")
            else { break }
            taken.append(lower)
            results.append((index + 1, taken.joined(separator: " ")))
        }
        return results
    }

    /// `10x`, `10×` or `x10`: 1 to 1000.
    static func leverage(_ lower: String) -> String? {
        var digits = lower
        if digits.hasSuffix("x") || digits.hasSuffix("×") {
            digits.removeLast()
        } else if digits.hasPrefix("x") {
            digits.removeFirst()
        } else {
            return nil
        }
        guard let value = Int(digits), (1...1000).contains(value) else { return nil }
        return String(value)
    }

    /// `cro-usdc` or `cro/usdc`, both known tokens: `CRO-USDC`.
    static func pool(_ lower: String) -> String? {
        let parts = lower.split(whereSeparator: { $0 == "-" || $0 == "/" }).map(String.init)
        guard parts.count == 2 else { return nil }
        let symbols = parts.compactMap { part in tokens.first { $0.lowercased() == part } }
        return symbols.count == 2 && symbols[0] != symbols[1] ? symbols.joined(separator: "-") : nil
    }
}

/// Shorthands the grammar is written in.
func w(_ choices: String...) -> Pattern { .word(Set(choices)) }
func opt(_ pattern: Pattern) -> Pattern { .optional(pattern) }
func opt(_ choices: String...) -> Pattern { .optional(.word(Set(choices))) }
func seq(_ parts: Pattern...) -> Pattern { .sequence(parts) }
func any(_ choices: Pattern...) -> Pattern { .either(choices) }
func cap(_ slot: Slot, _ key: String) -> Pattern { .capture(slot, key: key) }
func set(_ key: String, _ value: String) -> Pattern { .set(key: key, value: value) }
