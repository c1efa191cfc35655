import PaygentRuntime

/// The moonlander service's section of the configuration (`"moonlander": {…}`).
///
/// | key | environment | default |
/// |---|---|---|
/// | `moonlander.oracle` | `PAYGENT_MOONLANDER_ORACLE` | `walk`: the embedded seeded random walk; `fixed`: the seed prices, unchanging; `hermes`: Pyth's Hermes at `hermesURL` |
/// | `moonlander.hermesURL` | `PAYGENT_MOONLANDER_HERMES_URL` | `https://hermes.pyth.network` |
/// | `moonlander.tickMillis` | `PAYGENT_MOONLANDER_TICK_MS` | `1000`: how often the oracle is read and the keeper runs |
/// | `moonlander.walkSeed` | `PAYGENT_MOONLANDER_WALK_ID` | `1` |
/// | `moonlander.maxPriceAgeSeconds` | `PAYGENT_MOONLANDER_MAX_PRICE_AGE` | `60`: an older price stops opening |
/// | `moonlander.fundingIntervalSeconds` | `PAYGENT_MOONLANDER_FUNDING_INTERVAL` | `3600` |
/// | `moonlander.vaultFunding` | `PAYGENT_MOONLANDER_VAULT_FUNDING` | `10000000` USDC, minted to the vault on first start |
public struct MoonlanderSettings: Sendable, Equatable {
    public enum OracleSource: String, Sendable, CaseIterable {
        case walk
        case fixed
        case hermes
    }

    public var oracle: OracleSource
    public var hermesURL: String
    public var tickMillis: Int
    public var walkSeed: UInt64
    public var maxPriceAgeSeconds: Int
    public var fundingIntervalSeconds: Int
    /// Whole USDC.
    public var vaultFunding: String
}

extension PaygentConfig {
    public func moonlanderSettings() throws(ConfigError) -> MoonlanderSettings {
        let oracleText = setting("moonlander", "oracle", environment: "PAYGENT_MOONLANDER_ORACLE") ?? "walk"
        guard let oracle = MoonlanderSettings.OracleSource(rawValue: oracleText) else {
            throw ConfigError("moonlander oracle is '\(oracleText)' (PAYGENT_MOONLANDER_ORACLE); it must be walk, fixed or hermes")
        }
        let hermes = setting("moonlander", "hermesURL", environment: "PAYGENT_MOONLANDER_HERMES_URL") ?? "https://hermes.pyth.network"
        guard hermes.hasPrefix("http://") || hermes.hasPrefix("https://") else {
            throw ConfigError("moonlander hermesURL is '\(hermes)' (PAYGENT_MOONLANDER_HERMES_URL); it must be an http or https URL")
        }
        return MoonlanderSettings(
            oracle: oracle, hermesURL: hermes,
            tickMillis: try whole("tickMillis", "PAYGENT_MOONLANDER_TICK_MS", default: 1000, range: 1...3_600_000),
            walkSeed: UInt64(try whole("walkSeed", "PAYGENT_MOONLANDER_WALK_ID", default: 1, range: 0...Int.max)),
            maxPriceAgeSeconds: try whole("maxPriceAgeSeconds", "PAYGENT_MOONLANDER_MAX_PRICE_AGE", default: 60, range: 1...86_400),
            fundingIntervalSeconds: try whole("fundingIntervalSeconds", "PAYGENT_MOONLANDER_FUNDING_INTERVAL", default: 3600, range: 1...604_800),
            vaultFunding: String(try whole("vaultFunding", "PAYGENT_MOONLANDER_VAULT_FUNDING", default: 10_000_000, range: 1...1_000_000_000_000)))
    }

    private func whole(_ key: String, _ variable: String, default value: Int, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let text = setting("moonlander", key, environment: variable) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigError("moonlander \(key) is '\(text)' (\(variable)); it must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}
