/// Lowercase hex, used by golden vectors, logs and the CLI.
public enum Hex {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hex (an optional `0x` prefix, whitespace ignored); nil if not hex.
    public static func decode(_ text: String) -> [UInt8]? {
        var digits = text.unicodeScalars.filter { !$0.properties.isWhitespace }.map { Character($0) }
        if digits.count >= 2, digits[0] == "0", digits[1] == "x" || digits[1] == "X" {
            digits.removeFirst(2)
        }
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let high = digits[i].hexDigitValue, let low = digits[i + 1].hexDigitValue else { return nil }
            out.append(UInt8(high << 4 | low))
            i += 2
        }
        return out
    }
}
