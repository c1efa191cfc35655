import BigInt
import PaygentCrypto

/// An EVM network as x402 names it: CAIP-2 `eip155:<chainId>` in protocol v2, a legacy name in v1.
public struct Network: Sendable, Hashable, CustomStringConvertible {
    public let chainID: UInt64

    public init(chainID: UInt64) {
        self.chainID = chainID
    }

    public static let cronos = Network(chainID: 25)
    public static let cronosTestnet = Network(chainID: 338)
    public static let base = Network(chainID: 8453)
    public static let baseSepolia = Network(chainID: 84532)

    /// v1 names and their chain ids. `cronos` and `cronos-mainnet` are aliases.
    public static let v1Names: [String: UInt64] = [
        "cronos": 25, "cronos-mainnet": 25, "cronos-testnet": 338, "base": 8453, "base-sepolia": 84532,
        "ethereum": 1, "sepolia": 11_155_111, "polygon": 137, "polygon-amoy": 80002, "avalanche": 43114,
        "avalanche-fuji": 43113, "sei": 1329, "sei-testnet": 1328, "celo": 42220, "iotex": 4689,
    ]

    /// Parses `eip155:<id>` (v2) or a v1 name; nil if it is neither.
    public init?(_ name: String) {
        if name.hasPrefix("eip155:"), let id = UInt64(name.dropFirst(7)), id > 0 {
            chainID = id
        } else if let id = Self.v1Names[name] {
            chainID = id
        } else {
            return nil
        }
    }

    /// `eip155:<id>`.
    public var caip2: String { "eip155:\(chainID)" }

    /// The preferred v1 name, if the network has one.
    public var v1Name: String? {
        switch chainID {
        case 25: "cronos-mainnet"
        case 338: "cronos-testnet"
        default: Self.v1Names.filter { $0.value == chainID }.keys.sorted().first
        }
    }

    public var displayName: String {
        switch chainID {
        case 25: "Cronos"
        case 338: "Cronos testnet"
        case 8453: "Base"
        case 84532: "Base Sepolia"
        default: "chain \(chainID)"
        }
    }

    public var description: String { caip2 }
}

/// A token x402 can pay with: its contract and EIP-712 domain.
public struct KnownAsset: Sendable, Hashable {
    public let network: Network
    public let address: Address
    public let symbol: String
    public let decimals: Int
    /// EIP-712 domain name and version of the token contract.
    public let domainName: String
    public let domainVersion: String

    public var domain: TokenDomain {
        TokenDomain(name: domainName, version: domainVersion, chainID: BigUInt(network.chainID), verifyingContract: address)
    }

    /// USDC on the networks Paygent knows. Cronos values are those the Cronos x402 facilitator
    /// publishes (`../shared/x402/PROTOCOL.md`); Base values are the x402 SDK's defaults.
    public static let usdc: [KnownAsset] = [
        KnownAsset(
            network: .cronos, address: try! Address("0xf951eC28187D9E5Ca673Da8FE6757E6f0Be5F77C"), symbol: "USDC.e",
            decimals: 6, domainName: "Bridged USDC (Stargate)", domainVersion: "1"),
        KnownAsset(
            network: .cronosTestnet, address: try! Address("0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0"),
            symbol: "devUSDC.e", decimals: 6, domainName: "Bridged USDC (Stargate)", domainVersion: "1"),
        KnownAsset(
            network: .base, address: try! Address("0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"), symbol: "USDC",
            decimals: 6, domainName: "USD Coin", domainVersion: "2"),
        KnownAsset(
            network: .baseSepolia, address: try! Address("0x036CbD53842c5426634e7929541eC2318f3dCF7e"), symbol: "USDC",
            decimals: 6, domainName: "USDC", domainVersion: "2"),
    ]

    public static func lookup(network: Network, address: String) -> KnownAsset? {
        usdc.first { $0.network == network && $0.address.lowercase == address.lowercased() }
    }
}
