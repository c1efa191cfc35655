import BigInt
import PaygentCrypto

/// A token on the local chain: its contract address, decimals and EIP-712 domain (authorizations
/// to move it are signed over that domain, as on a real chain).
public struct LedgerToken: Sendable, Hashable {
    public let symbol: String
    public let address: Address
    public let decimals: Int
    public let domainName: String
    public let domainVersion: String
    /// Who may mint and burn it (`SupplyAuthorization`), for a token created on the ledger (a
    /// pool's LP token); nil for the catalog's tokens, which only the local faucet mints.
    public let minter: Address?

    public init(symbol: String, address: Address, decimals: Int, domainName: String, domainVersion: String, minter: Address? = nil) {
        self.symbol = symbol
        self.address = address
        self.decimals = decimals
        self.domainName = domainName
        self.domainVersion = domainVersion
        self.minter = minter
    }

    /// A token created by `minter`, at keccak256("paygent-token:" ‖ minter ‖ symbol)'s last 20
    /// bytes: the same minter and symbol give the same address, as a CREATE2 deployment would.
    public static func minted(symbol: String, name: String, decimals: Int, minter: Address) -> LedgerToken {
        let address = try! Address(bytes: Array(Keccak256.hash(Array("paygent-token:".utf8) + minter.bytes + Array(symbol.utf8)).suffix(20)))
        return LedgerToken(symbol: symbol, address: address, decimals: decimals, domainName: name, domainVersion: "1", minter: minter)
    }

    public func domain(chainID: UInt64) -> TokenDomain {
        TokenDomain(name: domainName, version: domainVersion, chainID: BigUInt(chainID), verifyingContract: address)
    }

    /// The local chain's tokens. USDC carries the Cronos testnet token's address, EIP-712 name and
    /// version, so a signature made for Cronos testnet verifies here. The others are local-only
    /// contracts at addresses derived from their symbols (keccak256("paygent-local:" + symbol)).
    public static let catalog: [LedgerToken] = [
        local("CRO", decimals: 18, name: "Cronos"),
        local("WCRO", decimals: 18, name: "Wrapped CRO"),
        LedgerToken(
            symbol: "USDC", address: try! Address("0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0"), decimals: 6,
            domainName: "Bridged USDC (Stargate)", domainVersion: "1"),
        local("USDT", decimals: 6, name: "Tether USD"),
        local("VVS", decimals: 18, name: "VVSToken"),
        local("WBTC", decimals: 8, name: "Wrapped BTC"),
        local("WETH", decimals: 18, name: "Wrapped Ether"),
    ]

    static func local(_ symbol: String, decimals: Int, name: String) -> LedgerToken {
        let address = try! Address(bytes: Array(Keccak256.hash("paygent-local:\(symbol)").suffix(20)))
        return LedgerToken(symbol: symbol, address: address, decimals: decimals, domainName: name, domainVersion: "1")
    }
}
