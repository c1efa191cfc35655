import PaygentWire

/// Methods of the vvs service (`protocol/services/vvs.md`): VVS Finance pools, quotes, swaps,
/// liquidity and farms.
public enum VVSMethod {
    public static let pools = RPCMethod<PoolsRequest, PoolsReply>(
        "vvs.pools", .read, "every pool: its pair, reserves (its ledger balances), LP supply and fee")
    public static let quote = RPCMethod<QuoteRequest, QuoteReply>(
        "vvs.quote", .read, "the best route of up to 3 pools for a swap, exact input or output, with price impact, fees and a slippage bound")
    public static let swap = RPCMethod<SwapRequest, SwapReply>(
        "vvs.swap", .write,
        "swaps from a wallet over the best route, within a bound and a deadline, settled as one all-or-nothing ledger batch")
    public static let addLiquidity = RPCMethod<AddLiquidityRequest, LiquidityReply>(
        "vvs.add_liquidity", .write, "deposits both tokens of a pool at its ratio; the pool mints LP to the wallet on the ledger")
    public static let removeLiquidity = RPCMethod<RemoveLiquidityRequest, LiquidityReply>(
        "vvs.remove_liquidity", .write, "returns LP to its pool, which burns it and pays the wallet its share of both reserves")
    public static let positions = RPCMethod<PositionsRequest, PositionsReply>(
        "vvs.positions", .read, "a wallet's LP, held and staked, with its share of each pool and what it withdraws now")
    public static let farms = RPCMethod<FarmsRequest, FarmsReply>(
        "vvs.farms", .read, "every farm: its pool, allocation points, LP staked and VVS per second")
    public static let farmStake = RPCMethod<FarmRequest, FarmReply>(
        "vvs.farm_stake", .write, "stakes a wallet's LP in its pool's farm, paying the pending reward")
    public static let farmHarvest = RPCMethod<FarmRequest, FarmReply>(
        "vvs.farm_harvest", .write, "pays a wallet the VVS its stake has earned")
    public static let farmUnstake = RPCMethod<FarmRequest, FarmReply>(
        "vvs.farm_unstake", .write, "returns staked LP to the wallet, paying the pending reward")
    public static let farmPending = RPCMethod<FarmPendingRequest, FarmPendingReply>(
        "vvs.farm_pending", .read, "a wallet's stakes and the VVS a harvest would pay now")
}

/// Events of the vvs service.
public enum VVSEvent {
    public static let swap = EventTopic<SwapReply>("vvs.swap", "a swap settled")
    public static let pool = EventTopic<PoolInfo>(
        "vvs.pool.<pair>", "a pool's reserves after a swap or a liquidity event settled in it (pair: its id, CRO-USDC)")
    public static let liquidity = EventTopic<LiquidityReply>("vvs.liquidity", "a deposit or withdrawal of liquidity settled")
    public static let farm = EventTopic<FarmReply>("vvs.farm", "a stake, harvest or unstake settled")
}

/// The vvs service's methods and events.
public enum VVSCatalog {
    public static let catalog = ServiceCatalog(
        service: "vvs",
        methods: [
            VVSMethod.pools, VVSMethod.quote, VVSMethod.swap, VVSMethod.addLiquidity, VVSMethod.removeLiquidity, VVSMethod.positions,
            VVSMethod.farms, VVSMethod.farmStake, VVSMethod.farmHarvest, VVSMethod.farmUnstake, VVSMethod.farmPending,
        ],
        events: [VVSEvent.swap, VVSEvent.pool, VVSEvent.liquidity, VVSEvent.farm])
}
