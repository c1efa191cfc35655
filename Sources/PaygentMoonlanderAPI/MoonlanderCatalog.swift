import PaygentWire

/// Methods of the moonlander service (`protocol/services/moonlander.md`): perpetual futures against
/// the vault, priced by the oracle.
public enum MoonlanderMethod {
    public static let markets = RPCMethod<MarketsRequest, MarketsReply>(
        "moonlander.markets", .read, "every market: leverage limit, fees, margin, open interest and its cap, the oracle's price")
    public static let open = RPCMethod<OpenRequest, PositionReply>(
        "moonlander.open", .write, "opens a long or short: the wallet signs the collateral to the vault; entry at the oracle's price")
    public static let close = RPCMethod<CloseRequest, PositionReply>(
        "moonlander.close", .write, "closes all or part of a position at the oracle's price; the vault pays what remains after PnL and fees")
    public static let collateral = RPCMethod<CollateralRequest, PositionReply>(
        "moonlander.collateral", .write, "adds collateral to a position, or takes some back within the leverage limit")
    public static let triggers = RPCMethod<TriggersRequest, PositionReply>(
        "moonlander.triggers", .idempotentWrite, "sets or clears a position's stop-loss and take-profit")
    public static let positions = RPCMethod<PositionsRequest, PositionsReply>(
        "moonlander.positions", .read, "a wallet's positions with mark price, PnL, liquidation price and fees so far")
    public static let funding = RPCMethod<FundingRequest, FundingReply>(
        "moonlander.funding", .read, "each market's funding rate, next funding time and open interest per side")
    public static let priceSet = RPCMethod<PriceSetRequest, PriceTick>(
        "moonlander.price_set", .write, "admin: sets a market's oracle price, a tick the keeper evaluates (demos and tests)")
}

/// Events of the moonlander service.
public enum MoonlanderEvent {
    public static let price = EventTopic<PriceTick>("moonlander.price.<market>", "a price tick and what the keeper did with it (market: BTC-USD)")
    public static let opened = EventTopic<PositionReply>("moonlander.position.opened", "a position opened")
    public static let closed = EventTopic<PositionReply>("moonlander.position.closed", "a position closed, in whole or part, by its owner")
    public static let liquidated = EventTopic<PositionReply>(
        "moonlander.position.liquidated", "a position liquidated: its remaining margin fell below maintenance; its collateral went to the vault")
    public static let triggered = EventTopic<PositionReply>("moonlander.position.triggered", "a stop-loss or take-profit closed a position")
    public static let funding = EventTopic<FundingApplied>("moonlander.funding", "a funding interval applied to a market's positions")
}

/// The moonlander service's methods and events.
public enum MoonlanderCatalog {
    public static let catalog = ServiceCatalog(
        service: "moonlander",
        methods: [
            MoonlanderMethod.markets, MoonlanderMethod.open, MoonlanderMethod.close, MoonlanderMethod.collateral, MoonlanderMethod.triggers,
            MoonlanderMethod.positions, MoonlanderMethod.funding, MoonlanderMethod.priceSet,
        ],
        events: [
            MoonlanderEvent.price, MoonlanderEvent.opened, MoonlanderEvent.closed, MoonlanderEvent.liquidated, MoonlanderEvent.triggered,
            MoonlanderEvent.funding,
        ])
}
