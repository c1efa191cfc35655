import Foundation

/// One word of a command as typed, and lower-cased for matching.
struct CommandWord: Sendable, Equatable {
    let raw: String
    let lower: String
}

/// A command refused before anything ran: what was not understood, and examples of what is.
public struct CommandError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// The part of the command the grammar could not account for.
    public let part: String?
    /// True when no rule of the grammar matched at all (an LLM planner may try it); false when the
    /// command was refused for what it contains.
    public let notUnderstood: Bool

    public init(_ message: String, part: String? = nil, notUnderstood: Bool = false) {
        (self.message, self.part, self.notUnderstood) = (message, part, notUnderstood)
    }

    public var description: String { message }
}

/// Splits a command into words and refuses characters that have no place in one: quotes, shell
/// and SQL metacharacters are data a command never needs, so a word carrying them is pointed at,
/// never passed on. A URL may carry a query (`?a=1&b=2`); a question may end in `?`; a sentence
/// may end in `.` or `!`; a word before `then` may carry a comma.
enum CommandWords {
    static let plain = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_×")
    static let urlCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_~:/?=&%+")
    static let maximumLength = 500

    static func split(_ command: String) throws(CommandError) -> [CommandWord] {
        guard command.count <= maximumLength else {
            throw CommandError("a command is at most \(maximumLength) characters; this one has \(command.count)")
        }
        var text = command.trimmingCharacters(in: .whitespacesAndNewlines)
        for apostrophe in ["'", "’"] {
            text = text.replacingOccurrences(of: "what\(apostrophe)s", with: "what is", options: .caseInsensitive)
        }
        while let last = text.last, ".!?".contains(last) { text.removeLast() }
        var words: [CommandWord] = []
        for piece in text.split(whereSeparator: { $0.isWhitespace }) {
            var raw = String(piece)
            var trailingComma = false
            if raw.hasSuffix(","), raw.count > 1 {
                raw.removeLast()
                trailingComma = true
            }
            try check(raw)
            words.append(CommandWord(raw: raw, lower: raw.lowercased()))
            if trailingComma { words.append(CommandWord(raw: ",", lower: ",")) }
        }
        return words
    }

    /// Refuses a value that has no place in a command (what an LLM planner proposes is held to the
    /// same rules as what a person types).
    public static func checkValue(_ raw: String) throws(CommandError) {
        for word in raw.split(separator: " ") { try check(String(word)) }
    }

    private static func check(_ raw: String) throws(CommandError) {
        let lower = raw.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard raw.unicodeScalars.allSatisfy(urlCharacters.contains), URL(string: raw)?.host != nil else {
                throw CommandError("'\(raw)' is not a URL a command can use: only letters, digits and - . _ ~ : / ? = & % + may appear in one", part: raw)
            }
            return
        }
        guard raw.unicodeScalars.allSatisfy(plain.contains) else {
            throw CommandError(
                "'\(raw)' has characters a command does not use (quotes, shell or SQL symbols); names, amounts and addresses are letters, digits, '.', '-' and '_'",
                part: raw)
        }
        if lower.hasPrefix("0x"), !isAddress(raw) {
            throw CommandError("'\(raw)' is not an address: an address is 0x and 40 hex digits", part: raw)
        }
    }

    static func isAddress(_ raw: String) -> Bool {
        raw.count == 42 && raw.lowercased().hasPrefix("0x") && raw.dropFirst(2).allSatisfy(\.isHexDigit)
    }

    static func isAmount(_ raw: String) -> Bool {
        let parts = raw.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            return false
        }
        return parts[0].count <= 30 && (parts.count == 1 || parts[1].count <= 18)
    }
}
