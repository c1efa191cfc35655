import BigInt

/// The open positions the keeper watches, by market, each reduced to two prices: it fires when a
/// tick is at or below `low` or at or above `high`. For a long, `low` is the higher of its
/// liquidation price and stop-loss and `high` its take-profit; for a short, `low` is its
/// take-profit and `high` the lower of its liquidation price and stop-loss. The thresholds sit
/// in flat arrays, so a tick over 10,000 positions is a scan of 20,000 integers; what a crossing
/// means is worked out only for the positions that crossed.
struct PositionBook: Sendable {
    /// Why a position is closed at a tick.
    enum Cause: String, Sendable {
        case liquidation
        case stopLoss = "stop_loss"
        case takeProfit = "take_profit"
    }

    struct Watch: Sendable, Equatable {
        var id: String
        var side: PerpMath.Side
        var liquidation: UInt64?
        var stopLoss: UInt64?
        var takeProfit: UInt64?
    }

    private struct Shelf: Sendable {
        var watches: [Watch] = []
        var lows: [UInt64] = []
        var highs: [UInt64] = []

        mutating func add(_ watch: Watch, low: UInt64, high: UInt64) {
            watches.append(watch)
            lows.append(low)
            highs.append(high)
        }

        /// Removes the watch at `slot` by moving the last into its place: the id moved, if any.
        mutating func remove(at slot: Int) -> String? {
            let last = watches.count - 1
            var moved: String?
            if slot != last {
                watches[slot] = watches[last]
                lows[slot] = lows[last]
                highs[slot] = highs[last]
                moved = watches[slot].id
            }
            watches.removeLast()
            lows.removeLast()
            highs.removeLast()
            return moved
        }
    }

    private var shelves: [String: Shelf] = [:]
    private var slots: [String: (market: String, slot: Int)] = [:]

    var count: Int { slots.count }

    /// Watches `record` (replacing what was watched for it), or stops watching it once closed.
    mutating func update(_ record: PositionRecord, market: PerpMath.Market) {
        remove(record.id)
        guard record.state == .open else { return }
        let liquidation = PerpMath.liquidationPrice(record.position, market: market).map(Self.clamped)
        let watch = Watch(
            id: record.id, side: record.position.side, liquidation: liquidation, stopLoss: record.stopLoss.map(Self.clamped),
            takeProfit: record.takeProfit.map(Self.clamped))
        let (low, high) = Self.bounds(watch)
        // In place: a shelf copied out of the dictionary and back would copy all its arrays.
        slots[record.id] = (record.market, shelves[record.market]?.watches.count ?? 0)
        shelves[record.market, default: Shelf()].add(watch, low: low, high: high)
    }

    mutating func remove(_ id: String) {
        guard let (market, slot) = slots.removeValue(forKey: id) else { return }
        if let moved = shelves[market]?.remove(at: slot) { slots[moved] = (market, slot) }
    }

    func watch(_ id: String) -> Watch? {
        slots[id].flatMap { shelves[$0.market]?.watches[$0.slot] }
    }

    /// The positions of `market` a tick at `price` crosses, with why (liquidation first: a price
    /// past both a stop and the liquidation price liquidates).
    func crossed(_ market: String, price: BigUInt) -> [(id: String, cause: Cause)] {
        guard let shelf = shelves[market] else { return [] }
        let price = Self.clamped(price)
        var fired: [(String, Cause)] = []
        shelf.lows.withUnsafeBufferPointer { lows in
            shelf.highs.withUnsafeBufferPointer { highs in
                for slot in 0..<lows.count where price <= lows[slot] || price >= highs[slot] {
                    let watch = shelf.watches[slot]
                    if let cause = Self.cause(watch, price) { fired.append((watch.id, cause)) }
                }
            }
        }
        return fired
    }

    static func cause(_ watch: Watch, _ price: UInt64) -> Cause? {
        switch watch.side {
        case .long:
            if let liquidation = watch.liquidation, price <= liquidation { return .liquidation }
            if let stop = watch.stopLoss, price <= stop { return .stopLoss }
            if let take = watch.takeProfit, price >= take { return .takeProfit }
        case .short:
            if let liquidation = watch.liquidation, price >= liquidation { return .liquidation }
            if let stop = watch.stopLoss, price >= stop { return .stopLoss }
            if let take = watch.takeProfit, price <= take { return .takeProfit }
        }
        return nil
    }

    private static func bounds(_ watch: Watch) -> (low: UInt64, high: UInt64) {
        switch watch.side {
        case .long:
            return (max(watch.liquidation ?? 0, watch.stopLoss ?? 0), watch.takeProfit ?? .max)
        case .short:
            return (watch.takeProfit ?? 0, min(watch.liquidation ?? .max, watch.stopLoss ?? .max))
        }
    }

    static func clamped(_ price: BigUInt) -> UInt64 {
        price > BigUInt(UInt64.max) ? .max : UInt64(price)
    }
}
