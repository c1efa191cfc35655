import PaygentWire

/// What a refused ledger batch says about itself.
public enum LedgerRefusal {
    /// The position of the member (a swap, an open) whose transfer the ledger refused ("transfer
    /// N: …"), given how many transfers each member put in the batch, in order; nil if it did not
    /// say.
    public static func culprit(of error: PaygentError, in transferCounts: [Int]) -> Int? {
        guard let range = error.message.range(of: "transfer ") else { return nil }
        let digits = error.message[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        guard let index = Int(digits), error.message[range.upperBound...].dropFirst(digits.count).first == ":" else { return nil }
        var end = 0
        for (position, count) in transferCounts.enumerated() {
            end += count
            if index < end { return position }
        }
        return nil
    }
}
