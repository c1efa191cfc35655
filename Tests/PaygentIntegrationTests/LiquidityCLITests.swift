import Foundation
import PaygentPaymentsAPI
import PaygentPaymentsTesting
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// `paygent liquidity …` and `paygent farm …` as a person runs them, against the built payments
/// and vvs services: a deposit at the pool's ratio, the position, a stake, the pending reward, a
/// harvest, an unstake and a withdrawal, each readable and each refused input explained.
final class LiquidityCLITests: XCTestCase {
    func testLiquidityAndFarmsFromTheCommandLine() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let vvs = try await startService(.vvs, deployment: service.deployment, context: service.context)
        defer { vvs.signal(SIGKILL) }
        func paygent(_ arguments: [String]) async throws -> (Int32?, String) {
            let child = try ChildProcess("paygent", arguments, deployment: service.deployment, tag: "paygent")
            return (await child.waitForExit(timeout: .seconds(30)), child.output)
        }
        let wallet = try await service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "lp"))
        _ = try await service.client.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: "CRO", amount: "100000"))
        try await service.fund(wallet.address, "1000")
        var (status, farms) = try await paygent(["farm", "list"])
        let deadline = ContinuousClock.now + .seconds(30)
        while status != 0 || !farms.contains("CRO-USDC"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            (status, farms) = try await paygent(["farm", "list"])
        }
        XCTAssertEqual(status, 0, farms)
        XCTAssertTrue(farms.contains("LP-CRO-USDC") && farms.contains("1428.571428571428571428"), "10,000 VVS/s × 100/700: \(farms)")

        // 1,000 CRO offered with up to 100 USDC: the pool takes the 90 USDC its ratio asks.
        let (added, addOutput) = try await paygent(["liquidity", "add", "1000", "CRO", "100", "USDC", "--wallet", "lp"])
        XCTAssertEqual(added, 0, addOutput)
        XCTAssertTrue(addOutput.contains("deposited 1000 CRO + 90 USDC; minted"), addOutput)
        XCTAssertTrue(addOutput.contains("LP-CRO-USDC"), addOutput)
        let (_, positions) = try await paygent(["liquidity", "positions", "lp"])
        XCTAssertTrue(positions.contains("CRO-USDC") && positions.contains("0.0044%") && positions.contains("999.99999") && positions.contains("89.999999 USDC"), positions)
        let (_, json) = try await paygent(["liquidity", "positions", "lp", "--json"])
        let reply = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let position = try XCTUnwrap((reply["positions"] as? [[String: Any]])?.first)
        let held = try XCTUnwrap(position["liquidity"] as? String)
        let lp = try XCTUnwrap(held.isEmpty ? nil : held)

        let (staked, stakeOutput) = try await paygent(["farm", "stake", "0.000001", "CRO-USDC", "--wallet", "lp"])
        XCTAssertEqual(staked, 0, stakeOutput)
        XCTAssertTrue(stakeOutput.contains("staked 0.000001 LP in CRO-USDC"), stakeOutput)
        try await Task.sleep(for: .seconds(2))
        let (_, pending) = try await paygent(["farm", "pending", "lp"])
        XCTAssertTrue(pending.contains("CRO-USDC") && pending.contains("0.000001"), pending)
        let (harvested, harvestOutput) = try await paygent(["farm", "harvest", "CRO-USDC", "--wallet", "lp"])
        XCTAssertEqual(harvested, 0, harvestOutput)
        XCTAssertTrue(harvestOutput.contains("harvested CRO-USDC") && harvestOutput.contains("reward paid: "), harvestOutput)
        XCTAssertFalse(harvestOutput.contains("reward paid: 0 VVS"), "two seconds alone in the farm earn VVS: \(harvestOutput)")
        let (unstaked, unstakeOutput) = try await paygent(["farm", "unstake", "0.000001", "CRO-USDC", "--wallet", "lp"])
        XCTAssertEqual(unstaked, 0, unstakeOutput)
        let (tooMuch, tooMuchOutput) = try await paygent(["farm", "unstake", "1", "CRO-USDC", "--wallet", "lp"])
        XCTAssertEqual(tooMuch, 1, tooMuchOutput)
        XCTAssertTrue(tooMuchOutput.contains("staked in CRO-USDC, less than 1"), tooMuchOutput)

        // The LP in base units, back in LP (18 decimals), all of it withdrawn.
        let all = String(lp.dropLast(18).isEmpty ? "0" : lp.dropLast(18)) + "." + String(repeating: "0", count: max(0, 18 - lp.count)) + lp.suffix(18)
        let (removed, removeOutput) = try await paygent(["liquidity", "remove", all, "USDC", "CRO", "--wallet", "lp"])
        XCTAssertEqual(removed, 0, removeOutput)
        XCTAssertTrue(removeOutput.contains("burned") && removeOutput.contains("received"), removeOutput)
        let (_, empty) = try await paygent(["liquidity", "positions", "lp"])
        XCTAssertTrue(empty.contains("holds no LP"), empty)

        let (unknown, unknownOutput) = try await paygent(["liquidity", "add", "1", "CRO", "1", "DOGE", "--wallet", "lp"])
        XCTAssertEqual(unknown, 1, unknownOutput)
        XCTAssertTrue(unknownOutput.contains("no token 'DOGE'"), unknownOutput)
        let (noPool, noPoolOutput) = try await paygent(["farm", "stake", "1", "WBTC-VVS", "--wallet", "lp"])
        XCTAssertEqual(noPool, 1, noPoolOutput)
        XCTAssertTrue(noPoolOutput.contains("no farm for pool 'WBTC-VVS'"), noPoolOutput)
        let (help, helpOutput) = try await paygent(["farm", "--help"])
        XCTAssertEqual(help, 0, helpOutput)
        XCTAssertTrue(helpOutput.contains("stake") && helpOutput.contains("harvest") && helpOutput.contains("MasterChef"), helpOutput)
        await service.stop()
    }
}
