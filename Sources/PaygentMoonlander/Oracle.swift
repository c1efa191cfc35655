import BigInt
import Foundation
import PaygentMoonlanderAPI
import PaygentWire
import Synchronization

/// Where the oracle's prices come from: asked once per tick for every market's latest price.
protocol PriceSource: Sendable {
    func latest(at now: Date) async throws(PaygentError) -> [String: OraclePrice]
    /// An admin's price: the embedded sources go on from it.
    func set(_ market: String, price: BigUInt)
}

/// The embedded deterministic feed: from each market's start price, a random walk of at most
/// ±`stepBps` basis points per tick, drawn from a SplitMix64 sequence of its own seed, so the same
/// seed gives the same prices in every run. `stepBps` 0 is the fixed source: the prices stay put
/// (until an admin sets one), republished fresh at every tick.
final class EmbeddedPriceSource: PriceSource {
    private struct State {
        var prices: [String: BigUInt]
        var random: UInt64
    }

    private let state: Mutex<State>
    private let stepBps: UInt64

    init(markets: [MarketSpec], seed: UInt64, stepBps: UInt64) {
        state = Mutex(State(prices: Dictionary(uniqueKeysWithValues: markets.map { ($0.symbol, $0.startPrice) }), random: seed))
        self.stepBps = stepBps
    }

    func latest(at now: Date) async throws(PaygentError) -> [String: OraclePrice] {
        state.withLock { state in
            var out: [String: OraclePrice] = [:]
            for market in state.prices.keys.sorted() {
                var price = state.prices[market] ?? 0
                if stepBps > 0 {
                    let draw = Self.splitMix(&state.random) % (2 * stepBps + 1)
                    price = max(1, price * BigUInt(10_000 + draw) / BigUInt(10_000 + stepBps))
                    state.prices[market] = price
                }
                out[market] = OraclePrice(price: price, confidence: 0, publishTime: now)
            }
            return out
        }
    }

    func set(_ market: String, price: BigUInt) {
        state.withLock { $0.prices[market] = price }
    }

    static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Pyth's Hermes, through `HermesClient`: each market's feed id asked in one request. An admin's
/// price holds until Hermes answers again.
struct HermesPriceSource: PriceSource {
    let client: HermesClient
    let feeds: [String: String]

    init(client: HermesClient, markets: [MarketSpec]) {
        self.client = client
        feeds = Dictionary(uniqueKeysWithValues: markets.map { ($0.pythFeed, $0.symbol) })
    }

    func latest(at now: Date) async throws(PaygentError) -> [String: OraclePrice] {
        let prices = try await client.latest(Array(feeds.keys).sorted())
        return Dictionary(uniqueKeysWithValues: prices.compactMap { feed, price in feeds[feed].map { ($0, price) } })
    }

    func set(_ market: String, price: BigUInt) {}
}

/// The latest price of each market, and how old a price may be for a position to open on it.
final class PriceBook: Sendable {
    private let prices = Mutex<[String: OraclePrice]>([:])
    let maxAge: TimeInterval

    init(maxAge: TimeInterval) {
        self.maxAge = maxAge
    }

    /// Takes `price` unless the market has a newer one (an admin's price set while the oracle's
    /// answer was on its way): false when it is refused.
    @discardableResult
    func set(_ market: String, _ price: OraclePrice) -> Bool {
        prices.withLock { prices in
            if let current = prices[market], current.publishTime > price.publishTime { return false }
            prices[market] = price
            return true
        }
    }

    func latest(_ market: String) -> OraclePrice? {
        prices.withLock { $0[market] }
    }

    func isStale(_ price: OraclePrice, now: Date) -> Bool {
        now.timeIntervalSince(price.publishTime) > maxAge
    }

    /// The price to open or trade on: refused when there is none yet or it is stale.
    func fresh(_ market: String, now: Date) throws(PaygentError) -> OraclePrice {
        guard let price = latest(market) else {
            throw PaygentError(.unavailable, "no \(market) price yet: the oracle has not answered; try again shortly")
        }
        guard !isStale(price, now: now) else {
            throw PaygentError(
                .failedPrecondition,
                "the \(market) price is stale (published \(Int(now.timeIntervalSince(price.publishTime))) s ago, at most \(Int(maxAge)) s); opening is paused until the oracle answers, nothing moved")
        }
        return price
    }

    /// The tick as published on `moonlander.price.<market>`.
    static func tick(_ market: String, _ price: OraclePrice, triggered: [String] = [], liquidated: [String] = []) -> PriceTick {
        PriceTick(market: market, price: PerpFormat.price(price.price), time: price.publishTime, triggered: triggered, liquidated: liquidated)
    }
}
