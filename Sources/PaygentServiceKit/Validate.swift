import Foundation
import PaygentCrypto
import PaygentMoney
import PaygentWire

/// The checks every service makes of what callers send, in one place so that a bad address or
/// amount is refused with the same words everywhere: `bad_request`, naming the field and what
/// is wrong with it.
public enum Validate {
    /// A 0x-hex address (EIP-55, or all lower or upper case).
    public static func address(_ text: String, field: String) throws(PaygentError) -> Address {
        do {
            return try Address(text)
        } catch {
            throw PaygentError(.badRequest, "\(field): \(error.message)")
        }
    }

    /// An address funds may be sent to: not the zero address, which no token contract accepts.
    public static func recipient(_ text: String, field: String) throws(PaygentError) -> Address {
        let address = try address(text, field: field)
        guard address != Address.zero else {
            throw PaygentError(.badRequest, "\(field): the zero address cannot receive funds")
        }
        return address
    }

    /// An amount in human units of a token with `decimals` (`0.10`); more than 0 unless `allowZero`.
    public static func amount(_ text: String, decimals: Int, field: String, allowZero: Bool = false) throws(PaygentError) -> Amount {
        let amount: Amount
        do {
            amount = try Amount(parsing: text, decimals: decimals)
        } catch {
            throw PaygentError(.badRequest, "\(field): \(error.message)")
        }
        guard allowZero || amount.baseUnits > 0 else {
            throw PaygentError(.badRequest, "\(field): must be more than 0")
        }
        return amount
    }

    /// A symbol among `known` (case-insensitive), or `not_found` listing them.
    public static func token<Token>(_ symbol: String, in known: [Token], symbol name: (Token) -> String) throws(PaygentError) -> Token {
        guard let token = known.first(where: { name($0).caseInsensitiveCompare(symbol) == .orderedSame }) else {
            throw PaygentError(.notFound, "no token \(symbol); known: \(known.map(name).joined(separator: ", "))")
        }
        return token
    }
}
