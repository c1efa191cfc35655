import PaygentRuntime

/// The payments service's section of the configuration (`"payments": {…}`) and the sample paid
/// API's (`"market": {…}`), with their defaults and environment overrides. The runtime keeps them
/// as text; these read and check them.
///
/// | key | environment | default |
/// |---|---|---|
/// | `payments.facilitatorHTTP` | `PAYGENT_FACILITATOR_HTTP` | `127.0.0.1:7412` |
/// | `payments.maxPaymentValiditySeconds` | `PAYGENT_MAX_PAYMENT_VALIDITY` | 300 (10 to 86400) |
/// | `market.http` | `PAYGENT_MARKET_HTTP` | `127.0.0.1:8402` |
extension PaygentConfig {
    /// `host:port` of the payments service's x402 facilitator HTTP API (`/verify`, `/settle`, `/supported`).
    public var facilitatorHTTP: String {
        get { setting("payments", "facilitatorHTTP", environment: "PAYGENT_FACILITATOR_HTTP") ?? "127.0.0.1:7412" }
        set { set("payments", "facilitatorHTTP", newValue) }
    }

    /// `host:port` of the sample paid API (`paygent-market`).
    public var marketHTTP: String {
        get { setting("market", "http", environment: "PAYGENT_MARKET_HTTP") ?? "127.0.0.1:8402" }
        set { set("market", "http", newValue) }
    }

    public var facilitatorURL: String { "http://\(facilitatorHTTP)" }
    public var marketURL: String { "http://\(marketHTTP)" }

    /// The longest an x402 payment signed by the payments service stays valid (`validBefore`),
    /// whatever the server asks: what a server that keeps a header can do with it is bounded.
    public func maxPaymentValiditySeconds() throws(ConfigError) -> Int {
        let text = setting("payments", "maxPaymentValiditySeconds", environment: "PAYGENT_MAX_PAYMENT_VALIDITY") ?? "300"
        guard let seconds = Int(text), (10...86_400).contains(seconds) else {
            throw ConfigError("maxPaymentValiditySeconds is \(text) (payments section, or PAYGENT_MAX_PAYMENT_VALIDITY); it must be 10 to 86400 seconds")
        }
        return seconds
    }
}
