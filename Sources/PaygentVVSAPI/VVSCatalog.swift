import PaygentWire

/// Methods of the vvs service (`protocol/services/vvs.md`): VVS Finance pools, quotes and swaps
/// so far; liquidity and farms are declared here as they are built.
public enum VVSMethod {
    public static let pools = RPCMethod<PoolsRequest, PoolsReply>(
        "vvs.pools", .read, "every pool: its pair, reserves (its ledger balances), LP supply and fee")
    public static let quote = RPCMethod<QuoteRequest, QuoteReply>(
        "vvs.quote", .read, "the best route of up to 3 pools for a swap, exact input or output, with price impact, fees and a slippage bound")
    public static let swap = RPCMethod<SwapRequest, SwapReply>(
        "vvs.swap", .write,
        "swaps from a wallet over the best route, within a bound and a deadline, settled as one all-or-nothing ledger batch")
}

/// Events of the vvs service.
public enum VVSEvent {
    public static let swap = EventTopic<SwapReply>("vvs.swap", "a swap settled")
    public static let pool = EventTopic<PoolInfo>("vvs.pool.<pair>", "a pool's reserves after a swap settled in it (pair: its id, CRO-USDC)")
}

/// The vvs service's methods and events.
public enum VVSCatalog {
    public static let catalog = ServiceCatalog(
        service: "vvs", methods: [VVSMethod.pools, VVSMethod.quote, VVSMethod.swap], events: [VVSEvent.swap, VVSEvent.pool])
}
