import BigInt
import Foundation
import PaygentMoonlanderAPI
import PaygentPaymentsAPI
import PaygentPaymentsTesting
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// Perpetuals through the built payments and moonlander services: positions opened, moved by the
/// admin's price and closed (by their owner, a stop-loss, a liquidation), with every ledger
/// balance checked to the base unit; and the service killed with SIGKILL with positions and
/// triggers open.
final class PerpLedgerTests: XCTestCase {
    struct Deployment {
        let service: PaymentsTestService
        var moonlander: ChildProcess
        let client: RPCClient
        let trader: String

        /// Fixed prices (only the admin moves them), ticking every 200 ms.
        static func start() async throws -> Deployment {
            let service = try await PaymentsTestService(settings: [
                ("moonlander", "oracle", "fixed"), ("moonlander", "tickMillis", "200"), ("moonlander", "vaultFunding", "100000"),
            ])
            let moonlander = try await startService(.moonlander, deployment: service.deployment, context: service.context)
            let client = try RPCClient(endpoint: service.deployment.config.endpoints(.moonlander).rpc, serviceName: "moonlander", context: service.context)
            try await waitForVault(client)
            let wallet: WalletInfo = try await service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "trader"))
            try await service.fund(wallet.address, "1000")
            return Deployment(service: service, moonlander: moonlander, client: client, trader: wallet.address)
        }

        static func waitForVault(_ client: RPCClient) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while (try? await client.call(MoonlanderMethod.markets, MarketsRequest(), deadline: .seconds(1)).markets.allSatisfy { $0.price != nil }) != true {
                guard ContinuousClock.now < deadline else { throw TestFailure("the vault did not open") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }

        /// SIGKILL to the moonlander service, then the payments service's own tear-down.
        func tearDown() {
            moonlander.signal(SIGKILL)
            service.tearDown()
        }

        func usdc(_ owner: String) async throws -> BigUInt {
            BigUInt(try await service.usdc(owner))!
        }

        func vault() async throws -> String {
            try await client.call(MoonlanderMethod.markets, MarketsRequest()).vault
        }

        func price(_ market: String, _ price: String) async throws -> PriceTick {
            try await client.call(MoonlanderMethod.priceSet, PriceSetRequest(market: market, price: price), idempotencyKey: "price-\(UUID())")
        }

        func open(_ side: String, _ market: String, _ collateral: String, leverage: Int, stopLoss: String? = nil, key: String = "\(UUID())") async throws
            -> PositionReply
        {
            try await client.call(
                MoonlanderMethod.open,
                OpenRequest(wallet: "trader", market: market, side: side, collateral: collateral, leverage: leverage, stopLoss: stopLoss),
                deadline: .seconds(30), idempotencyKey: key)
        }
    }

    /// A 10× long of 100 USDC on BTC from 100,000 to 110,000: size 1,000, fees 0.5 + 0.3 to open
    /// and to close, PnL +100; the trader ends 98.4 up, the vault 98.4 down, to the base unit.
    func testALongOpenedMovedAndClosedSettlesExactlyOnTheLedger() async throws {
        let system = try await Deployment.start()
        defer { system.tearDown() }
        let vault = try await system.vault()
        let vaultStart = try await system.usdc(vault)
        XCTAssertEqual(vaultStart, 100_000_000_000)
        _ = try await system.price("BTC-USD", "100000")
        let opened = try await system.open("long", "BTC-USD", "100", leverage: 10)
        XCTAssertEqual(opened.position.size.baseUnits, 1_000_000_000)
        XCTAssertEqual(opened.position.collateral.baseUnits, 99_200_000)
        XCTAssertEqual(opened.fees.baseUnits, 800_000)
        XCTAssertEqual(opened.position.entryPrice, "100000")
        let traderAfterOpen = try await system.usdc(system.trader)
        XCTAssertEqual(traderAfterOpen, 900_000_000)
        let vaultAfterOpen = try await system.usdc(vault)
        XCTAssertEqual(vaultAfterOpen, vaultStart + 100_000_000)

        _ = try await system.price("BTC-USD", "110000")
        let listed = try await system.client.call(MoonlanderMethod.positions, PositionsRequest(wallet: "trader")).positions
        XCTAssertEqual(listed.map(\.pnl), ["100000000"])
        XCTAssertEqual(listed.first?.markPrice, "110000")

        let closed = try await system.client.call(
            MoonlanderMethod.close, CloseRequest(wallet: "trader", position: opened.position.id), deadline: .seconds(30), idempotencyKey: "close-1")
        XCTAssertEqual(closed.realizedPnl, "100000000")
        XCTAssertEqual(closed.moved.baseUnits, 198_400_000)
        XCTAssertEqual(closed.position.state, "closed")
        let traderAfterClose = try await system.usdc(system.trader)
        XCTAssertEqual(traderAfterClose, 1_098_400_000)
        let vaultAfterClose = try await system.usdc(vault)
        XCTAssertEqual(vaultAfterClose, vaultStart - 98_400_000)

        // The same key again answers the first close; closing it anew is refused, nothing moved.
        let again = try await system.client.call(
            MoonlanderMethod.close, CloseRequest(wallet: "trader", position: opened.position.id), deadline: .seconds(30), idempotencyKey: "close-1")
        XCTAssertEqual(again, closed)
        do {
            _ = try await system.client.call(
                MoonlanderMethod.close, CloseRequest(wallet: "trader", position: opened.position.id), deadline: .seconds(30), idempotencyKey: "close-2")
            XCTFail("a closed position closed again")
        } catch {
            XCTAssertEqual(error.code, .failedPrecondition, error.message)
        }
        let traderAfterRefusal = try await system.usdc(system.trader)
        XCTAssertEqual(traderAfterRefusal, 1_098_400_000)
        await system.service.stop()
    }

    /// A stop-loss and a take-profit fire at the first tick at or past them, once; a liquidation
    /// happens at the liquidation price and not one unit above it; the vault keeps what a liquidated position
    /// had; bad input moves nothing.
    func testStopLossAndLiquidationFireAtTheirPricesOnce() async throws {
        let system = try await Deployment.start()
        defer { system.tearDown() }
        let vault = try await system.vault()
        let vaultStart = try await system.usdc(vault)
        _ = try await system.price("ETH-USD", "4000")
        let stopped = try await system.open("long", "ETH-USD", "50", leverage: 5, stopLoss: "3900")
        let above = try await system.price("ETH-USD", "3900.00000001")
        XCTAssertEqual(above.triggered, [])
        let atStop = try await system.price("ETH-USD", "3900")
        XCTAssertEqual(atStop.triggered, [stopped.position.id])
        let belowStop = try await system.price("ETH-USD", "3899").triggered
        XCTAssertEqual(belowStop, [])

        // One unit (10⁻⁸ USD) above the liquidation price: still open; at it: liquidated.
        _ = try await system.price("ETH-USD", "4000")
        let liquidated = try await system.open("long", "ETH-USD", "20", leverage: 50)
        let liquidation = try XCTUnwrap(liquidated.position.liquidationPrice)
        let liquidationUnits = try XCTUnwrap(Self.units(liquidation))
        let justAbove = try await system.price("ETH-USD", Self.price(liquidationUnits + 1))
        XCTAssertEqual(justAbove.liquidated, [])
        let at = try await system.price("ETH-USD", liquidation)
        XCTAssertEqual(at.liquidated, [liquidated.position.id])
        let farBelow = try await system.price("ETH-USD", "1000").liquidated
        XCTAssertEqual(farBelow, [])

        // A short's take-profit at 3,800: not at 3,800.00000001, at 3,800, and not again below.
        _ = try await system.price("ETH-USD", "4000")
        let taking = try await system.client.call(
            MoonlanderMethod.open,
            OpenRequest(wallet: "trader", market: "ETH-USD", side: "short", collateral: "20", leverage: 2, takeProfit: "3800"),
            deadline: .seconds(30), idempotencyKey: "take")
        let notYet = try await system.price("ETH-USD", "3800.00000001")
        XCTAssertEqual(notYet.triggered, [])
        let atTake = try await system.price("ETH-USD", "3800")
        XCTAssertEqual(atTake.triggered, [taking.position.id])
        let belowTake = try await system.price("ETH-USD", "3700")
        XCTAssertEqual(belowTake.triggered, [])
        _ = try await system.price("ETH-USD", "1000")

        let all = try await system.client.call(MoonlanderMethod.positions, PositionsRequest(wallet: "trader", includeClosed: true)).positions
        XCTAssertEqual(Set(all.map(\.state)), ["closed", "liquidated"])
        // Size 40: fees 0.02 + 0.3 each way, PnL +2 at 3,800: 19.68 + 2 − 0.32 paid.
        let take = try XCTUnwrap(all.first { $0.id == taking.position.id })
        XCTAssertEqual([take.pnl, take.closeReason], ["2000000", "take_profit"])
        XCTAssertEqual(take.payout?.baseUnits, 21_360_000)
        // The stop closed 250 of size at 3900: PnL −6.25, fees 0.125 + 0.3 to open and to close.
        let stop = try XCTUnwrap(all.first { $0.id == stopped.position.id })
        XCTAssertEqual(stop.pnl, "-6250000")
        XCTAssertEqual(stop.payout?.baseUnits, 50_000_000 - 425_000 - 6_250_000 - 425_000)
        let trader = try await system.usdc(system.trader)
        XCTAssertEqual(trader, 1_000_000_000 - 50_000_000 - 20_000_000 + stop.payout!.baseUnits - 20_000_000 + 21_360_000)
        let vaultAndTrader = try await system.usdc(vault) + trader
        XCTAssertEqual(vaultAndTrader, vaultStart + 1_000_000_000)

        for (request, code) in [
            (OpenRequest(wallet: "trader", market: "ETH-USD", side: "long", collateral: "20", leverage: 101), ErrorCode.badRequest),
            (OpenRequest(wallet: "trader", market: "ETH-USD", side: "long", collateral: "20", leverage: 0), .badRequest),
            (OpenRequest(wallet: "trader", market: "ETH-USD", side: "long", collateral: "9.99", leverage: 2), .badRequest),
            (OpenRequest(wallet: "trader", market: "DOGE-USD", side: "long", collateral: "20", leverage: 2), .notFound),
            (OpenRequest(wallet: "trader", market: "ETH-USD", side: "up", collateral: "20", leverage: 2), .badRequest),
            (OpenRequest(wallet: "trader", market: "ETH-USD", side: "long", collateral: "20", leverage: 2, stopLoss: "1001"), .badRequest),
            (OpenRequest(wallet: "trader", market: "ETH-USD", side: "short", collateral: "20", leverage: 2, takeProfit: "1001"), .badRequest),
            (OpenRequest(wallet: "trader", market: "CRO-USD", side: "long", collateral: "300", leverage: 50), .failedPrecondition),
        ] {
            do {
                _ = try await system.client.call(MoonlanderMethod.open, request, deadline: .seconds(30), idempotencyKey: "\(UUID())")
                XCTFail("opened: \(request)")
            } catch {
                XCTAssertEqual(error.code, code, "\(request): \(error.message)")
                XCTAssertTrue(error.message.contains("nothing moved") || code == .notFound, error.message)
            }
        }
        let traderAfterRefusals = try await system.usdc(system.trader)
        XCTAssertEqual(traderAfterRefusals, trader)
        await system.service.stop()
    }

    /// Collateral comes back only within the leverage limit on margin without unrealized profit,
    /// and never below the minimum; a partial close may not leave less than the minimum; a
    /// stop-loss past the liquidation price, an empty trigger and a wrong-side trigger are
    /// refused; `none` clears. Nothing moves on a refusal.
    func testCollateralPartialClosesAndTriggersKeepTheLimits() async throws {
        let system = try await Deployment.start()
        defer { system.tearDown() }
        _ = try await system.price("ETH-USD", "3512")
        let opened = try await system.open("long", "ETH-USD", "100", leverage: 50)
        XCTAssertEqual(opened.position.collateral.baseUnits, 97_200_000)
        let id = opened.position.id
        _ = try await system.price("ETH-USD", "3700")
        func collateral(_ change: CollateralRequest.Change, _ amount: String) async throws -> PositionReply {
            try await system.client.call(
                MoonlanderMethod.collateral, CollateralRequest(wallet: "trader", position: id, change: change, amount: amount), deadline: .seconds(30),
                idempotencyKey: "\(UUID())")
        }
        func refused(_ call: () async throws -> PositionReply, _ words: String) async {
            do {
                _ = try await call()
                XCTFail("not refused: \(words)")
            } catch {
                let message = (error as? PaygentError)?.message ?? "\(error)"
                XCTAssertTrue(message.contains(words) && message.contains("nothing moved"), message)
            }
        }
        let trader = try await system.usdc(system.trader)
        // 5,000 of size at ETH-USD's 100× needs 50 of margin, and the collateral never goes
        // below 10 USDC; the unrealized profit (about 267.7) does not count.
        await refused({ try await collateral(.remove, "97.199999") }, "below ETH-USD's minimum of 10 USDC")
        await refused({ try await collateral(.remove, "47.3") }, "leverage limit")
        let removed = try await collateral(.remove, "47.2")
        XCTAssertEqual(removed.position.collateral.baseUnits, 50_000_000)
        let traderAfterRemoval = try await system.usdc(system.trader)
        XCTAssertEqual(traderAfterRemoval, trader + 47_200_000)
        let added = try await collateral(.add, "40")
        XCTAssertEqual(added.position.collateral.baseUnits, 90_000_000)

        // 4,999.999999 of 5,000 closed would leave dust.
        await refused(
            {
                try await system.client.call(
                    MoonlanderMethod.close, CloseRequest(wallet: "trader", position: id, size: "4999.999999"), deadline: .seconds(30),
                    idempotencyKey: "\(UUID())")
            }, "close it all instead")
        func triggers(_ stop: String?, _ take: String? = nil) async throws -> PositionReply {
            try await system.client.call(
                MoonlanderMethod.triggers, TriggersRequest(wallet: "trader", position: id, stopLoss: stop, takeProfit: take), deadline: .seconds(30))
        }
        await refused({ try await triggers("") }, "is not a price")
        await refused({ try await triggers("3000") }, "would never fire")
        await refused({ try await triggers("3800") }, "must be below the price")
        let set = try await triggers("3600", "4000")
        XCTAssertEqual([set.position.stopLoss, set.position.takeProfit], ["3600", "4000"])
        let cleared = try await triggers("NONE")
        XCTAssertEqual([cleared.position.stopLoss, cleared.position.takeProfit], [nil, "4000"])
        let vault = try await system.vault()
        let total = try await system.usdc(vault) + (try await system.usdc(system.trader))
        XCTAssertEqual(total, 100_000_000_000 + 1_000_000_000)
        await system.service.stop()
    }

    /// SIGKILL during a stream of opens, with positions and stop-losses open: after a restart each
    /// key sent again gets one outcome, the vault's ledger balance is its seed plus the deposits
    /// of exactly the positions recorded, triggers are intact, and the next tick fires each stop
    /// once.
    func testAKilledServiceKeepsPositionsAndTriggersAndFiresOnce() async throws {
        var system = try await Deployment.start()
        defer { system.tearDown() }
        let vault = try await system.vault()
        let vaultStart = try await system.usdc(vault)
        _ = try await system.price("BTC-USD", "100000")
        let client = system.client
        let stream = Task {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        _ = try? await client.call(
                            MoonlanderMethod.open,
                            OpenRequest(
                                wallet: "trader", market: "BTC-USD", side: index % 2 == 0 ? "long" : "short", collateral: "10", leverage: 2,
                                stopLoss: index % 2 == 0 ? "\(99_000 - index)" : "\(101_000 + index)"),
                            deadline: .seconds(5), idempotencyKey: "crash-\(index)")
                    }
                }
            }
        }
        try await Task.sleep(for: .milliseconds(150))
        system.moonlander.signal(SIGKILL)
        _ = await system.moonlander.waitForExit(timeout: .seconds(10))
        await stream.value
        system.moonlander = try await startService(.moonlander, deployment: system.service.deployment, context: system.service.context)
        try await Deployment.waitForVault(system.client)

        var opened: [PositionReply] = []
        for index in 0..<30 {
            let stop = index % 2 == 0 ? "\(99_000 - index)" : "\(101_000 + index)"
            let reply = try await system.open(index % 2 == 0 ? "long" : "short", "BTC-USD", "10", leverage: 2, stopLoss: stop, key: "crash-\(index)")
            XCTAssertEqual(reply.position.stopLoss, stop)
            opened.append(reply)
        }
        XCTAssertEqual(Set(opened.map(\.position.id)).count, 30)
        let listed = try await system.client.call(MoonlanderMethod.positions, PositionsRequest(wallet: "trader")).positions
        XCTAssertEqual(Set(listed.map(\.id)), Set(opened.map(\.position.id)))
        let vaultAfterRestart = try await system.usdc(vault)
        XCTAssertEqual(vaultAfterRestart, vaultStart + 30 * 10_000_000)
        let traderAfterRestart = try await system.usdc(system.trader)
        XCTAssertEqual(traderAfterRestart, 1_000_000_000 - 30 * 10_000_000)
        let markets = try await system.client.call(MoonlanderMethod.markets, MarketsRequest())
        XCTAssertEqual(markets.vaultBalance.baseUnits, vaultStart + 30 * 10_000_000)

        // Kill again with 30 stops pending; the first tick after the restart fires the longs'
        // stops at or above 98,990 (indices 0…10 even: 6 of them), once.
        system.moonlander.signal(SIGKILL)
        _ = await system.moonlander.waitForExit(timeout: .seconds(10))
        system.moonlander = try await startService(.moonlander, deployment: system.service.deployment, context: system.service.context)
        try await Deployment.waitForVault(system.client)
        let tick = try await system.price("BTC-USD", "98990")
        let expected = Set((0..<30).filter { $0 % 2 == 0 && 99_000 - $0 >= 98_990 }.map { opened[$0].position.id })
        XCTAssertEqual(Set(tick.triggered), expected)
        let secondTick = try await system.price("BTC-USD", "98990").triggered
        XCTAssertEqual(secondTick, [])
        let open = try await system.client.call(MoonlanderMethod.positions, PositionsRequest(wallet: "trader")).positions
        XCTAssertEqual(open.count, 30 - expected.count)
        let totalAfterStops = try await system.usdc(vault) + (try await system.usdc(system.trader))
        XCTAssertEqual(totalAfterStops, vaultStart + 1_000_000_000)
        await system.service.stop()
    }

    /// 8-decimal price units as a decimal string, and back.
    static func price(_ units: BigUInt) -> String {
        let (whole, fraction) = units.quotientAndRemainder(dividingBy: 100_000_000)
        var digits = String(fraction)
        digits = String(repeating: "0", count: 8 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return digits.isEmpty ? "\(whole)" : "\(whole).\(digits)"
    }

    static func units(_ price: String) -> BigUInt? {
        let parts = price.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        return BigUInt(String(parts[0]) + fraction + String(repeating: "0", count: 8 - fraction.count))
    }
}
