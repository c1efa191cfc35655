import PaygentRuntime

/// The vvs service's section of the configuration (`"vvs": {…}`).
///
/// | key | environment | default |
/// |---|---|---|
/// | `vvs.farmRewardFunding` | `PAYGENT_VVS_FARM_FUNDING` | `100000000000` VVS, minted to the farms' account when the farms open |
extension PaygentConfig {
    /// Whole VVS minted to the farms' account when the farms first open (their rewards).
    public func vvsFarmRewardFunding() throws(ConfigError) -> String {
        let text = setting("vvs", "farmRewardFunding", environment: "PAYGENT_VVS_FARM_FUNDING") ?? "100000000000"
        guard !text.isEmpty, text.count <= 30, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), text.contains(where: { $0 != "0" }) else {
            throw ConfigError("farmRewardFunding is '\(text)' (vvs section, or PAYGENT_VVS_FARM_FUNDING); it must be a positive whole number of VVS")
        }
        return text
    }
}
