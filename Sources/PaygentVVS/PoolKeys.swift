import PaygentCrypto
import PaygentLedgerAccounts
import PaygentRuntime

/// The keys of the pools' ledger accounts, derived from the service's master key
/// (`<data>/vvs/pools.key.json`): a pool's from its id, the service's other accounts from their
/// names.
struct PoolKeys: Sendable {
    let keys: AccountKeys

    init(directory: String, random: RandomSource) throws {
        keys = try AccountKeys(directory: directory, file: "pools.key.json", random: random)
    }

    /// The key of pool `id`.
    func key(pool id: String) throws -> PrivateKey {
        try keys.derive("paygent-vvs-pool:", id)
    }

    /// The service's other accounts: `owner` (provided the seed pools' liquidity and holds their
    /// first LP), `treasury` (receives the protocol fee's LP) and `farms` (holds staked LP and
    /// pays VVS rewards).
    func key(account: Account) throws -> PrivateKey {
        try keys.derive("paygent-vvs-account:", account.rawValue)
    }

    enum Account: String {
        case owner
        case treasury
        case farms
    }
}
