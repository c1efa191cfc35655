import BigInt

/// A perpetual market as the service runs it: its fee schedule and risk limits (`PerpMath.Market`),
/// the least collateral, its Pyth feed, the price the embedded oracles start from, and its share of
/// the vault for each side's open-interest cap.
struct MarketSpec: Sendable {
    var symbol: String
    var terms: PerpMath.Market
    /// USDC base units.
    var minCollateral: BigUInt
    /// Pyth price feed id (hex, without 0x), as Hermes knows it.
    var pythFeed: String
    /// USD with 8 decimals.
    var startPrice: BigUInt
    /// Each side's open interest (size) is capped at this share of the vault's seed liquidity.
    var openInterestShareBps: Int

    /// BTC-USD, ETH-USD and CRO-USD on Moonlander's 1–100x schedule: 0.05% of size to open and to
    /// close, $0.30 execution fee each way, 0.01% of size holding fee per funding interval, 0.5%
    /// maintenance margin, at least 10 USDC collateral.
    static let all: [MarketSpec] = [
        MarketSpec(
            symbol: "BTC-USD", terms: PerpMath.Market(), minCollateral: 10_000_000,
            pythFeed: "e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43", startPrice: 9_621_000_000_000, openInterestShareBps: 2500),
        MarketSpec(
            symbol: "ETH-USD", terms: PerpMath.Market(), minCollateral: 10_000_000,
            pythFeed: "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace", startPrice: 351_200_000_000, openInterestShareBps: 2000),
        MarketSpec(
            symbol: "CRO-USD", terms: PerpMath.Market(maxLeverage: 50), minCollateral: 10_000_000,
            pythFeed: "23199c2bcb1303f667e733b9934db9eca5991e765b45f5ed18bc4b231415f2fe", startPrice: 9_000_000, openInterestShareBps: 1000),
    ]

    /// The market `symbol` (case-insensitive), or nil.
    static func named(_ symbol: String) -> MarketSpec? {
        let wanted = symbol.uppercased()
        return all.first { $0.symbol == wanted }
    }

    /// Each side's cap for a vault seeded with `vaultSeed` base units.
    func maxOpenInterest(vaultSeed: BigUInt) -> BigUInt {
        vaultSeed * BigUInt(openInterestShareBps) / 10_000
    }
}

/// Prices and signed USDC as people read them.
enum PerpFormat {
    /// A price with 8 decimals as a decimal string ("96210.5").
    static func price(_ units: BigUInt) -> String {
        decimal(units, decimals: PerpMath.priceDecimals)
    }

    /// Base units with their sign ("-12500000").
    static func signed(profit: Bool, _ amount: BigUInt) -> String {
        (profit || amount == 0 ? "" : "-") + amount.description
    }

    static func decimal(_ units: BigUInt, decimals: Int) -> String {
        let scale = BigUInt(10).power(decimals)
        let (whole, fraction) = units.quotientAndRemainder(dividingBy: scale)
        guard fraction > 0 else { return whole.description }
        var digits = String(fraction)
        digits = String(repeating: "0", count: decimals - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
