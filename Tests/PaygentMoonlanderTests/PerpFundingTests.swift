import BigInt
import Foundation
import PaygentMoonlander
import PaygentMoonlanderAPI
import PaygentPayments
import PaygentPaymentsAPI
import PaygentTestSupport
import PaygentWire
import XCTest

/// A funding interval on a manual clock, through the payments and moonlander services run in
/// process: a 1,000 long against a 200 short pays 67 ppm (100 ppm × 800/1200, rounded up), the
/// short receives all of it, both pay the holding fee; closing pays out exactly what is left.
final class PerpFundingTests: XCTestCase {
    func testAFundingIntervalChargesAndPaysExactly() async throws {
        let time = ManualTime("2026-12-02T00:00:00Z")
        let deployment = try TestDeployment(settings: [
            ("moonlander", "oracle", "fixed"), ("moonlander", "tickMillis", "3600000"), ("moonlander", "maxPriceAgeSeconds", "86400"),
            ("moonlander", "vaultFunding", "100000"),
        ])
        defer { deployment.remove() }
        let payments = try await InProcessService(PaymentsService.definition, deployment: deployment, time: time.service)
        let moonlander = try await InProcessService(MoonlanderService.definition, deployment: deployment, time: time.service)
        for _ in 0..<300 {
            if (try? await moonlander.client.call(MoonlanderMethod.markets, MarketsRequest()).markets.allSatisfy { $0.price != nil }) == true { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        var wallets: [String: String] = [:]
        for name in ["longer", "shorter"] {
            let wallet = try await payments.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: name))
            _ = try await payments.client.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: "USDC", amount: "1000"))
            wallets[name] = wallet.address
        }
        let markets = try await moonlander.client.call(MoonlanderMethod.markets, MarketsRequest())
        func usdc(_ owner: String) async throws -> BigUInt {
            try await payments.client.call(PaymentsMethod.balances, BalancesRequest(owner: owner)).balances.first { $0.token.symbol == "USDC" }?.amount
                .baseUnits ?? 0
        }
        let vaultStart = try await usdc(markets.vault)
        func price(_ value: String) async throws -> PriceTick {
            try await moonlander.client.call(MoonlanderMethod.priceSet, PriceSetRequest(market: "BTC-USD", price: value), idempotencyKey: "\(UUID())")
        }
        _ = try await price("100000")
        let long = try await moonlander.client.call(
            MoonlanderMethod.open, OpenRequest(wallet: "longer", market: "BTC-USD", side: "long", collateral: "100", leverage: 10), idempotencyKey: "l")
        let short = try await moonlander.client.call(
            MoonlanderMethod.open, OpenRequest(wallet: "shorter", market: "BTC-USD", side: "short", collateral: "50", leverage: 4), idempotencyKey: "s")
        XCTAssertEqual(short.position.collateral.baseUnits, 49_600_000)
        let before = try await moonlander.client.call(MoonlanderMethod.funding, FundingRequest(market: "BTC-USD")).markets[0]
        XCTAssertEqual(before.payer, "long")
        XCTAssertEqual(before.ratePPM, 67)
        XCTAssertEqual(before.nextFunding, time.start.addingTimeInterval(3600))

        await time.advance(by: .seconds(3599))
        _ = try await price("100000")
        var longNow = try await moonlander.client.call(MoonlanderMethod.positions, PositionsRequest(wallet: "longer")).positions[0]
        XCTAssertEqual(longNow.accruedFees.baseUnits, 0, "funding applied before its time")
        await time.advance(by: .seconds(1))
        _ = try await price("100000")
        longNow = try await moonlander.client.call(MoonlanderMethod.positions, PositionsRequest(wallet: "longer")).positions[0]
        let shortNow = try await moonlander.client.call(MoonlanderMethod.positions, PositionsRequest(wallet: "shorter")).positions[0]
        XCTAssertEqual(longNow.accruedFees.baseUnits, 100_000 + 67_000)
        XCTAssertEqual(longNow.fundingReceived.baseUnits, 0)
        XCTAssertEqual(shortNow.accruedFees.baseUnits, 20_000)
        XCTAssertEqual(shortNow.fundingReceived.baseUnits, 67_000)
        let after = try await moonlander.client.call(MoonlanderMethod.funding, FundingRequest(market: "BTC-USD")).markets[0]
        XCTAssertEqual(after.nextFunding, time.start.addingTimeInterval(7200))

        let closedLong = try await moonlander.client.call(
            MoonlanderMethod.close, CloseRequest(wallet: "longer", position: long.position.id), idempotencyKey: "cl")
        let closedShort = try await moonlander.client.call(
            MoonlanderMethod.close, CloseRequest(wallet: "shorter", position: short.position.id), idempotencyKey: "cs")
        XCTAssertEqual(closedLong.moved.baseUnits, 99_200_000 - 167_000 - 800_000)
        XCTAssertEqual(closedShort.moved.baseUnits, 49_600_000 - 20_000 + 67_000 - 400_000)
        let total = try await usdc(markets.vault) + usdc(wallets["longer"]!) + usdc(wallets["shorter"]!)
        XCTAssertEqual(total, vaultStart + 2_000_000_000)
        try await moonlander.stop()
        try await payments.stop()
    }
}
