import BigInt
import Foundation
import PaygentMoonlanderAPI
import PaygentWire
import Synchronization

/// The keeper: every price tick of a market applies a funding interval when one is due, then
/// closes each open position the tick crosses — liquidated when its remaining margin is below
/// maintenance at that price, else closed by its stop-loss or take-profit — at that tick's price.
///
/// A tick first scans the book (`PositionBook.crossed`), outside the queue; only when something
/// crossed or funding is due does it take the queue, where it scans again and closes each position
/// that is still open, so a position is closed once however many ticks cross it. A close that
/// fails (the payments service not answering) leaves the position open and watched: the next
/// tick tries again.
extension PerpDesk {
    @discardableResult
    func tick(_ market: String, _ price: OraclePrice) async -> PriceTick {
        guard prices.set(market, price) else { return PriceBook.tick(market, prices.latest(market) ?? price) }
        let started = time.elapsed()
        let due = state.withLock { state in
            state.ready && (state.markets[market].map { price.publishTime >= $0.nextFunding } ?? false)
        }
        let crossed = state.withLock { $0.ready ? $0.book.crossed(market, price: price.price) : [] }
        tickTimings.record(time.elapsed() - started)
        guard due || !crossed.isEmpty else {
            let tick = PriceBook.tick(market, price)
            publisher.publish(MoonlanderEvent.price, topic: "moonlander.price.\(market)", tick)
            return tick
        }
        var (triggered, liquidated) = ([String](), [String]())
        do {
            (triggered, liquidated) = try await run {
                var (triggered, liquidated) = ([String](), [String]())
                if due { try applyFunding(market, at: price.publishTime) }
                for (id, cause) in state.withLock({ $0.book.crossed(market, price: price.price) }) {
                    guard let record = state.withLock({ $0.open[id] }), let spec = MarketSpec.named(record.market) else { continue }
                    do {
                        if cause == .liquidation {
                            guard PerpMath.isLiquidatable(record.position, at: price.price, market: spec.terms) else { continue }
                            let reply = try await liquidate(record, at: price.price, id: "liq_" + Hex.encode(random.bytes(6)))
                            publisher.publish(MoonlanderEvent.liquidated, reply)
                            log("position liquidated", reply)
                            liquidated.append(id)
                        } else {
                            let reply = try await closePosition(
                                record, at: price.price, size: nil, action: cause == .stopLoss ? .stopLoss : .takeProfit,
                                id: "trg_" + Hex.encode(random.bytes(6)), key: nil, request: nil)
                            publisher.publish(MoonlanderEvent.triggered, reply)
                            log(cause == .stopLoss ? "stop-loss fired" : "take-profit fired", reply)
                            triggered.append(id)
                        }
                    } catch {
                        logger.warning(
                            "the keeper could not close a position; the next tick tries again",
                            metadata: ["moonlander.position": "\(id)", "moonlander.cause": "\(cause.rawValue)", "error": "\(error)"])
                    }
                }
                return (triggered, liquidated)
            }
        } catch {
            logger.warning("a tick was not applied", metadata: ["moonlander.market": "\(market)", "error": "\(error)"])
        }
        let tick = PriceBook.tick(market, price, triggered: triggered, liquidated: liquidated)
        publisher.publish(MoonlanderEvent.price, topic: "moonlander.price.\(market)", tick)
        return tick
    }

    /// One funding interval for `market`: every open position pays the holding fee on its size,
    /// the heavier side pays the funding rate and the lighter side receives it
    /// (`PerpMath.applyInterval`). Records only: the money is already in the vault and is settled
    /// when each position closes. Applied in one transaction with the next funding time.
    func applyFunding(_ market: String, at now: Date) throws {
        let (current, records) = state.withLock { state in (state.markets[market], state.open.values.filter { $0.market == market }) }
        guard var current, now >= current.nextFunding, let spec = MarketSpec.named(market) else { return }
        let rate = PerpMath.fundingRate(longOpenInterest: current.longOpenInterest, shortOpenInterest: current.shortOpenInterest, market: spec.terms)
        var (paid, holding) = (BigUInt(0), BigUInt(0))
        let updated = records.sorted { $0.id < $1.id }.map { record in
            var record = record
            let before = record.position.accruedFees
            PerpMath.applyInterval(
                &record.position, rate: rate, longOpenInterest: current.longOpenInterest, shortOpenInterest: current.shortOpenInterest, market: spec.terms)
            let fee = PerpMath.feeUp(record.position.size, spec.terms.holdingFeeBps)
            holding += fee
            paid += record.position.accruedFees - before - fee
            return record
        }
        // Intervals missed while the service was stopped are not charged: the next is one interval on.
        current.nextFunding = current.nextFunding.addingTimeInterval(fundingInterval)
        if current.nextFunding <= now { current.nextFunding = now.addingTimeInterval(fundingInterval) }
        try store.applyFunding(updated, market: market, nextFunding: current.nextFunding)
        absorb(PerpEffect(positions: updated))
        state.withLock { $0.markets[market]?.nextFunding = current.nextFunding }
        publisher.publish(
            MoonlanderEvent.funding,
            FundingApplied(
                market: market, payer: rate.payer?.rawValue, ratePPM: Int(rate.ppm), time: now, positions: updated.count, fundingPaid: Self.amount(paid),
                holdingFees: Self.amount(holding)))
    }
}

/// The keeper's cost per tick (evaluating a market's open positions against a price), the last
/// 4,096 ticks, for `health` (`keeper.tick_p50_us`, `keeper.tick_p99_us`).
final class TickTimings: Sendable {
    private let samples = Mutex<(values: [Duration], next: Int, count: Int)>(([], 0, 0))
    static let capacity = 4096

    func record(_ duration: Duration) {
        samples.withLock { state in
            if state.values.count < Self.capacity { state.values.append(duration) } else { state.values[state.next] = duration }
            state.next = (state.next + 1) % Self.capacity
            state.count += 1
        }
    }

    /// Microseconds at quantile `q` (0…1) of the recorded ticks; 0 before any.
    func quantile(_ q: Double) -> Double {
        let sorted = samples.withLock { $0.values }.sorted()
        guard !sorted.isEmpty else { return 0 }
        let at = sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))].components
        return Double(at.seconds) * 1e6 + Double(at.attoseconds) / 1e12
    }

    var count: Int { samples.withLock { $0.count } }
}
