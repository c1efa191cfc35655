import Foundation
import BigInt
import PaygentWire

/// A token amount in base units (uint256 range), e.g. 100000 for 0.10 USDC (6 decimals).
///
/// The one place where human decimals are parsed and printed: a value with more decimals than
/// the token has is an error, never a rounding. Never `Double`.
public struct Amount: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let baseUnits: BigUInt

    public static let maxBaseUnits = (BigUInt(1) << 256) - 1
    public static let zero = Amount(checked: 0)

    public init(baseUnits: BigUInt) throws(AmountError) {
        guard baseUnits <= Self.maxBaseUnits else {
            throw AmountError("amount exceeds the uint256 range")
        }
        self.baseUnits = baseUnits
    }

    init(checked baseUnits: BigUInt) {
        self.baseUnits = baseUnits
    }

    /// Parses base units written as a decimal integer string ("100000").
    public init(baseUnitsString text: String) throws(AmountError) {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Self.decimal(text) else {
            throw AmountError("'\(text)' is not a whole number of base units")
        }
        try self.init(baseUnits: value)
    }

    /// Parses a human amount ("0.10", "1", "1000.5") for a token with `decimals` decimals.
    public init(parsing text: String, decimals: Int) throws(AmountError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw AmountError("the amount is empty") }
        if trimmed.hasPrefix("-") { throw AmountError("'\(text)' is negative; amounts are 0 or more") }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty,
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } })
        else {
            throw AmountError("'\(text)' is not a decimal amount like 0.10 or 25")
        }
        let fraction = parts.count == 2 ? parts[1] : ""
        if parts.count == 2 && fraction.isEmpty { throw AmountError("'\(text)' ends with a decimal point") }
        guard fraction.count <= decimals else {
            throw AmountError("'\(text)' has \(fraction.count) decimals; this token has \(decimals)")
        }
        let padded = String(whole) + fraction + String(repeating: "0", count: decimals - fraction.count)
        guard let value = Self.decimal(padded) else { throw AmountError("'\(text)' is not a number") }
        try self.init(baseUnits: value)
    }

    /// Human decimals, trailing zeros trimmed down to `minimumFractionDigits`: 100000 at 6
    /// decimals is "0.10" with 2, "0.1" with 0.
    public func formatted(decimals: Int, minimumFractionDigits: Int = 0) -> String {
        let digits = description
        guard decimals > 0 else { return digits }
        let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
        let whole = padded.dropLast(decimals)
        var fraction = Substring(padded.suffix(decimals))
        while fraction.count > minimumFractionDigits, fraction.last == "0" { fraction = fraction.dropLast() }
        return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    }

    public var description: String {
        // Amounts almost always fit 128 bits, where the standard library's integer prints several
        // times faster than BigUInt's general conversion; every message carrying an amount pays it.
        if baseUnits.bitWidth <= 128 {
            var value = UInt128(0)
            for (index, word) in baseUnits.words.prefix(2).enumerated() { value |= UInt128(word) << (64 * index) }
            return String(value)
        }
        return String(baseUnits, radix: 10)
    }

    /// A decimal integer string (digits only) as a BigUInt, through UInt128 when it has at most
    /// 38 digits (always below 2^128).
    static func decimal(_ digits: String) -> BigUInt? {
        if digits.utf8.count <= 38, let value = UInt128(digits, radix: 10) {
            return BigUInt(words: [UInt(truncatingIfNeeded: value), UInt(truncatingIfNeeded: value >> 64)])
        }
        return BigUInt(digits, radix: 10)
    }

    public static func < (lhs: Amount, rhs: Amount) -> Bool { lhs.baseUnits < rhs.baseUnits }

    /// Encoded as the decimal string of base units, on our wire and in JSON alike.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(baseUnitsString: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

public struct AmountError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Amount: WireDocumented {
    public static var wireDescription: String {
        "a decimal string of base units, 0 to 2^256 − 1, no sign, no leading zeros (`100000` is 0.10 USDC)"
    }
}
