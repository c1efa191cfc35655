import PaygentPaymentsAPI
import PaygentWire
import Synchronization

/// The ledger's tokens by symbol, as a service that holds ledger accounts learns them once the
/// payments service answers; until then every lookup answers `unavailable` with `opening`.
public final class LedgerTokens: Sendable {
    private let tokens = Mutex<(byName: [String: TokenInfo], chainID: UInt64)?>(nil)
    private let opening: String

    /// `opening`: what a caller is told until the tokens are known.
    public init(opening: String) {
        self.opening = opening
    }

    public var ready: Bool { tokens.withLock { $0 != nil } }
    /// The ledger's chain id (0 before the tokens are known).
    public var chainID: UInt64 { tokens.withLock { $0?.chainID ?? 0 } }

    public func set(_ reply: TokensReply) {
        tokens.withLock { $0 = (Dictionary(uniqueKeysWithValues: reply.tokens.map { ($0.symbol, $0) }), reply.chainID) }
    }

    public func all() throws(PaygentError) -> [String: TokenInfo] {
        guard let known = tokens.withLock({ $0?.byName }) else { throw PaygentError(.unavailable, opening) }
        return known
    }
}
