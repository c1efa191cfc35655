import BigInt
import Foundation
import PaygentMoney
import PaygentPayments
import PaygentPaymentsAPI
import PaygentTestSupport
import PaygentTransport
import PaygentVVS
import PaygentVVSAPI
import PaygentWire
import XCTest

/// Liquidity and farms through the payments ledger, in process, on a manual clock: a deposit,
/// swaps, a stake, time passing, a harvest, an unstake and a withdrawal, each checked against
/// Uniswap V2's and MasterChef's formulas written out here, on the ledger's balances.
final class LiquidityFarmTests: XCTestCase {
    struct System {
        let deployment: TestDeployment
        let time: ManualTime
        let payments: InProcessService
        let vvs: InProcessService
        let wallet: WalletInfo

        static func start(settings: [(section: String, key: String, value: String)] = []) async throws -> System {
            let deployment = try TestDeployment(settings: settings)
            let time = ManualTime("2026-12-02T12:00:00Z")
            let payments = try await InProcessService(PaymentsService.definition, deployment: deployment, time: time.service)
            let vvs = try await InProcessService(VVSService.definition, deployment: deployment, time: time.service)
            // The pools open in the background; a retry sleeps on the manual clock, so move it.
            for _ in 0..<300 {
                if (try? await vvs.client.call(VVSMethod.farms, FarmsRequest()).farms.count) == 6 { break }
                await time.advance(by: .milliseconds(500))
                try await Task.sleep(for: .milliseconds(50))
            }
            let wallet = try await payments.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "provider"))
            for (token, amount) in [("CRO", "1000000"), ("USDC", "100000")] {
                _ = try await payments.client.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: token, amount: amount))
            }
            return System(deployment: deployment, time: time, payments: payments, vvs: vvs, wallet: wallet)
        }

        func stop() async throws {
            try await vvs.stop()
            try await payments.stop()
            deployment.remove()
        }

        func balance(_ owner: String, _ symbol: String) async throws -> BigUInt {
            let balances = try await payments.client.call(PaymentsMethod.balances, BalancesRequest(owner: owner)).balances
            return balances.first { $0.token.symbol == symbol }?.amount.baseUnits ?? 0
        }

        func pool(_ id: String) async throws -> PoolInfo {
            try await vvs.client.call(VVSMethod.pools, PoolsRequest()).pools.first { $0.id == id || Set($0.id.split(separator: "-")) == Set(id.split(separator: "-")) }!
        }
    }

    static let e18 = BigUInt(10).power(18)
    /// The farms' rate (10,000 VVS a second) and weights (six farms, CRO-VVS at 200, the others 100).
    static let rewardPerSecond = BigUInt(10_000) * e18
    static let totalAllocPoint = BigUInt(700)

    func testDepositSwapsStakeHarvestUnstakeWithdrawWithExactAmounts() async throws {
        let system = try await System.start()
        defer { Task { try? await system.stop() } }
        let vvs = system.vvs.client
        let provider = system.wallet.address
        let seeded = try await system.pool("CRO-USDC")
        XCTAssertEqual(seeded.lpToken, "LP-\(seeded.id)")
        let croIs0 = seeded.token0.symbol == "CRO"
        let (r0, r1, supply) = (seeded.reserve0.baseUnits, seeded.reserve1.baseUnits, seeded.lpSupply.baseUnits)
        // The seed liquidity's LP is on the ledger: all but the locked 1000 with the owner.
        let locked = try await system.balance("0x000000000000000000000000000000000000dEaD", seeded.lpToken)
        XCTAssertEqual(locked, 1000)
        XCTAssertEqual(supply, (r0 * r1).squareRoot(), "a first deposit mints sqrt(a0·a1)")

        // 1. Deposit: all 1,000 CRO and the USDC matching it at the pool's ratio (the router's quote).
        let croIn = BigUInt(1000) * Self.e18
        let usdcOffered = BigUInt(100) * BigUInt(1_000_000)
        let rCRO = croIs0 ? r0 : r1, rUSDC = croIs0 ? r1 : r0
        let usdcIn = croIn * rUSDC / rCRO
        XCTAssertLessThan(usdcIn, usdcOffered)
        let minted = min(croIn * supply / rCRO, usdcIn * supply / rUSDC)
        let usdcBefore = try await system.balance(provider, "USDC")
        let added = try await vvs.call(
            VVSMethod.addLiquidity, AddLiquidityRequest(wallet: "provider", tokenA: "CRO", tokenB: "USDC", amountA: "1000", amountB: "100"))
        XCTAssertEqual(added.liquidity.baseUnits, minted)
        XCTAssertEqual(added.protocolFee.baseUnits, 0, "no swap since the last liquidity event: √k has not grown")
        XCTAssertEqual(added.transactions.count, 3, "two deposits and the mint, one batch")
        let heldLP = try await system.balance(provider, seeded.lpToken)
        XCTAssertEqual(heldLP, minted)
        let usdcAfterDeposit = try await system.balance(provider, "USDC")
        XCTAssertEqual(usdcBefore - usdcAfterDeposit, usdcIn)
        let afterDeposit = try await system.pool("CRO-USDC")
        XCTAssertEqual(afterDeposit.lpSupply.baseUnits, supply + minted)
        let kLast = afterDeposit.reserve0.baseUnits * afterDeposit.reserve1.baseUnits

        // 2. Swaps grow k by their fees.
        _ = try await payments(system).call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "trader"))
        let trader = try await payments(system).call(PaymentsMethod.walletList, WalletListRequest()).wallets.first { $0.name == "trader" }!
        _ = try await payments(system).call(PaymentsMethod.faucet, FaucetRequest(to: trader.address, token: "CRO", amount: "500000"))
        _ = try await vvs.call(VVSMethod.swap, SwapRequest(wallet: "trader", from: "CRO", to: "USDC", amount: "200000"))
        _ = try await vvs.call(VVSMethod.swap, SwapRequest(wallet: "trader", from: "USDC", to: "CRO", amount: "10000"))

        // 3. Stake half the LP; 100 seconds pass.
        let staked = minted / 2
        let stake = try await vvs.call(
            VVSMethod.farmStake, FarmRequest(wallet: "provider", pool: "USDC-CRO", amount: try Amount(baseUnits: staked).formatted(decimals: 18)))
        XCTAssertEqual(stake.amount.baseUnits, staked)
        XCTAssertEqual(stake.reward.baseUnits, 0)
        let farmsAccount = try await vvs.call(VVSMethod.farms, FarmsRequest())
        let farm = try XCTUnwrap(farmsAccount.farms.first { $0.pool == seeded.id })
        XCTAssertEqual(farm.staked.baseUnits, staked)
        XCTAssertEqual(farm.rewardPerSecond.baseUnits, Self.rewardPerSecond * 100 / Self.totalAllocPoint)
        await system.time.advance(by: .seconds(100))

        // MasterChef: acc = reward·10^12/staked; pending = staked·acc/10^12 − debt (debt 0 at the first stake).
        let reward100 = BigUInt(100) * Self.rewardPerSecond * 100 / Self.totalAllocPoint
        let acc1 = reward100 * BigUInt(1_000_000_000_000) / staked
        let pending1 = staked * acc1 / BigUInt(1_000_000_000_000)
        let pending = try await vvs.call(VVSMethod.farmPending, FarmPendingRequest(wallet: "provider"))
        XCTAssertEqual(pending.positions.first { $0.pool == seeded.id }?.pending.baseUnits, pending1)

        // 4. Harvest pays exactly that, from the farms' account.
        let vvsBefore = try await system.balance(provider, "VVS")
        let harvest = try await vvs.call(VVSMethod.farmHarvest, FarmRequest(wallet: "provider", pool: seeded.id))
        XCTAssertEqual(harvest.reward.baseUnits, pending1)
        let vvsAfterHarvest = try await system.balance(provider, "VVS")
        XCTAssertEqual(vvsAfterHarvest - vvsBefore, pending1)

        // 5. 50 seconds on, unstake everything: the LP comes back with 50 seconds' reward.
        await system.time.advance(by: .seconds(50))
        let debt = staked * acc1 / BigUInt(1_000_000_000_000)
        let acc2 = acc1 + BigUInt(50) * Self.rewardPerSecond * 100 / Self.totalAllocPoint * BigUInt(1_000_000_000_000) / staked
        let pending2 = staked * acc2 / BigUInt(1_000_000_000_000) - debt
        let unstake = try await vvs.call(
            VVSMethod.farmUnstake, FarmRequest(wallet: "provider", pool: seeded.id, amount: try Amount(baseUnits: staked).formatted(decimals: 18)))
        XCTAssertEqual(unstake.reward.baseUnits, pending2)
        XCTAssertEqual(unstake.staked.baseUnits, 0)
        let lpBack = try await system.balance(provider, seeded.lpToken)
        XCTAssertEqual(lpBack, minted)
        let vvsAfterUnstake = try await system.balance(provider, "VVS")
        XCTAssertEqual(vvsAfterUnstake - vvsAfterHarvest, pending2)

        // 6. Withdraw everything: the protocol fee (a third of √k's growth) is minted to the
        //    treasury first, then the share minted/supply' of each reserve is paid out.
        let beforeRemove = try await system.pool("CRO-USDC")
        let (b0, b1, s) = (beforeRemove.reserve0.baseUnits, beforeRemove.reserve1.baseUnits, beforeRemove.lpSupply.baseUnits)
        let rootK = (b0 * b1).squareRoot(), rootKLast = kLast.squareRoot()
        XCTAssertGreaterThan(rootK, rootKLast)
        let fee = s * (rootK - rootKLast) / (rootK * 2 + rootKLast)
        XCTAssertGreaterThan(fee, 0)
        let supplyWithFee = s + fee
        let out0 = minted * b0 / supplyWithFee, out1 = minted * b1 / supplyWithFee
        let (cro0, usdc0) = (try await system.balance(provider, "CRO"), try await system.balance(provider, "USDC"))
        let removed = try await vvs.call(
            VVSMethod.removeLiquidity,
            RemoveLiquidityRequest(wallet: "provider", tokenA: "USDC", tokenB: "CRO", liquidity: try Amount(baseUnits: minted).formatted(decimals: 18)))
        XCTAssertEqual(removed.protocolFee.baseUnits, fee)
        XCTAssertEqual(removed.amount0.baseUnits, out0)
        XCTAssertEqual(removed.amount1.baseUnits, out1)
        let (cro1, usdc1) = (try await system.balance(provider, "CRO"), try await system.balance(provider, "USDC"))
        XCTAssertEqual(cro1 - cro0, croIs0 ? out0 : out1)
        XCTAssertEqual(usdc1 - usdc0, croIs0 ? out1 : out0)
        let lpLeft = try await system.balance(provider, seeded.lpToken)
        XCTAssertEqual(lpLeft, 0)
        let after = try await system.pool("CRO-USDC")
        XCTAssertEqual(after.lpSupply.baseUnits, supplyWithFee - minted)
        XCTAssertEqual(after.reserve0.baseUnits, b0 - out0)
        let poolHeld0 = try await system.balance(after.address, after.token0.symbol)
        XCTAssertEqual(poolHeld0, after.reserve0.baseUnits, "the record is the ledger")
        let poolLP = try await system.balance(after.address, after.lpToken)
        XCTAssertEqual(poolLP, 0, "the returned LP is burned")
        let positions = try await vvs.call(VVSMethod.positions, PositionsRequest(wallet: "provider"))
        XCTAssertTrue(positions.positions.isEmpty, "\(positions)")
        try await system.stop()
    }

    func payments(_ system: System) -> RPCClient { system.payments.client }

    /// MasterChef's `safeVVSTransfer`: when the farms' account holds less VVS than a stake has
    /// earned, it pays what it holds, and the LP always comes back.
    func testUnstakeReturnsTheLPWhenTheRewardsHaveRunOut() async throws {
        let system = try await System.start(settings: [("vvs", "farmRewardFunding", "2000")])
        defer { Task { try? await system.stop() } }
        let vvs = system.vvs.client
        let added = try await vvs.call(
            VVSMethod.addLiquidity, AddLiquidityRequest(wallet: "provider", tokenA: "CRO", tokenB: "USDC", amountA: "1000", amountB: "100"))
        let lp = try Amount(baseUnits: added.liquidity.baseUnits).formatted(decimals: 18)
        _ = try await vvs.call(VVSMethod.farmStake, FarmRequest(wallet: "provider", pool: "CRO-USDC", amount: lp))
        // Ten seconds earn 10 × 10,000 × 100/700 ≈ 14,286 VVS; the account holds 2,000.
        await system.time.advance(by: .seconds(10))
        let pending = try await vvs.call(VVSMethod.farmPending, FarmPendingRequest(wallet: "provider"))
        XCTAssertGreaterThan(pending.positions.first?.pending.baseUnits ?? 0, BigUInt(2000) * Self.e18)
        let unstaked = try await vvs.call(VVSMethod.farmUnstake, FarmRequest(wallet: "provider", pool: "CRO-USDC", amount: lp))
        XCTAssertEqual(unstaked.reward.baseUnits, BigUInt(2000) * Self.e18, "all the account held")
        let heldLP = try await system.balance(system.wallet.address, added.lpToken)
        XCTAssertEqual(heldLP, added.liquidity.baseUnits, "the LP came back")
        let vvsHeld = try await system.balance(system.wallet.address, "VVS")
        XCTAssertEqual(vvsHeld, BigUInt(2000) * Self.e18)
        try await system.stop()
    }

    /// Every bad input is refused with its reason, and nothing moves.
    func testBadLiquidityAndFarmInputMovesNothing() async throws {
        let system = try await System.start()
        defer { Task { try? await system.stop() } }
        let vvs = system.vvs.client
        let provider = system.wallet.address
        _ = try await vvs.call(
            VVSMethod.addLiquidity, AddLiquidityRequest(wallet: "provider", tokenA: "CRO", tokenB: "USDC", amountA: "1000", amountB: "100"))
        let pool = try await system.pool("CRO-USDC")
        let held = try await system.balance(provider, pool.lpToken)
        let (cro, usdc) = (try await system.balance(provider, "CRO"), try await system.balance(provider, "USDC"))
        let past = system.time.now.addingTimeInterval(-1)

        let refusals: [(String, ErrorCode, () async throws -> Void)] = [
            ("identical tokens", .badRequest, { _ = try await vvs.call(VVSMethod.addLiquidity, AddLiquidityRequest(wallet: "provider", tokenA: "CRO", tokenB: "cro", amountA: "1", amountB: "1")) }),
            ("unknown token", .notFound, { _ = try await vvs.call(VVSMethod.addLiquidity, AddLiquidityRequest(wallet: "provider", tokenA: "CRO", tokenB: "DOGE", amountA: "1", amountB: "1")) }),
            ("no such pool", .notFound, { _ = try await vvs.call(VVSMethod.addLiquidity, AddLiquidityRequest(wallet: "provider", tokenA: "WBTC", tokenB: "VVS", amountA: "1", amountB: "1")) }),
            ("zero amount", .badRequest, { _ = try await vvs.call(VVSMethod.addLiquidity, AddLiquidityRequest(wallet: "provider", tokenA: "CRO", tokenB: "USDC", amountA: "0", amountB: "1")) }),
            ("negative amount", .badRequest, { _ = try await vvs.call(VVSMethod.addLiquidity, AddLiquidityRequest(wallet: "provider", tokenA: "CRO", tokenB: "USDC", amountA: "-5", amountB: "1")) }),
            ("deposit below its minimum", .failedPrecondition, { _ = try await vvs.call(VVSMethod.addLiquidity, AddLiquidityRequest(wallet: "provider", tokenA: "CRO", tokenB: "USDC", amountA: "1000", amountB: "100", amountBMin: "99")) }),
            ("expired deadline", .failedPrecondition, { _ = try await vvs.call(VVSMethod.addLiquidity, AddLiquidityRequest(wallet: "provider", tokenA: "CRO", tokenB: "USDC", amountA: "10", amountB: "1", deadline: past)) }),
            ("more than the wallet holds", .failedPrecondition, { _ = try await vvs.call(VVSMethod.addLiquidity, AddLiquidityRequest(wallet: "provider", tokenA: "CRO", tokenB: "USDC", amountA: "100000000", amountB: "9000000")) }),
            ("more LP than held", .failedPrecondition, { _ = try await vvs.call(VVSMethod.removeLiquidity, RemoveLiquidityRequest(wallet: "provider", tokenA: "CRO", tokenB: "USDC", liquidity: try Amount(baseUnits: held + 1).formatted(decimals: 18))) }),
            ("withdrawal below its minimum", .failedPrecondition, { _ = try await vvs.call(VVSMethod.removeLiquidity, RemoveLiquidityRequest(wallet: "provider", tokenA: "CRO", tokenB: "USDC", liquidity: "0.000001", amountAMin: "1000")) }),
            ("unknown farm", .notFound, { _ = try await vvs.call(VVSMethod.farmStake, FarmRequest(wallet: "provider", pool: "DOGE-USDC", amount: "1")) }),
            ("stake without an amount", .badRequest, { _ = try await vvs.call(VVSMethod.farmStake, FarmRequest(wallet: "provider", pool: "CRO-USDC")) }),
            ("stake more LP than held", .failedPrecondition, { _ = try await vvs.call(VVSMethod.farmStake, FarmRequest(wallet: "provider", pool: "CRO-USDC", amount: try Amount(baseUnits: held + 1).formatted(decimals: 18))) }),
            ("unstake more than staked", .failedPrecondition, { _ = try await vvs.call(VVSMethod.farmUnstake, FarmRequest(wallet: "provider", pool: "CRO-USDC", amount: "1")) }),
            ("unknown wallet", .notFound, { _ = try await vvs.call(VVSMethod.farmHarvest, FarmRequest(wallet: "nobody", pool: "CRO-USDC")) }),
        ]
        for (name, code, call) in refusals {
            do {
                try await call()
                XCTFail("\(name): accepted")
            } catch let error as PaygentError {
                XCTAssertEqual(error.code, code, "\(name): \(error.message)")
            }
        }
        let heldAfter = try await system.balance(provider, pool.lpToken)
        XCTAssertEqual(heldAfter, held)
        let croAfter = try await system.balance(provider, "CRO"), usdcAfter = try await system.balance(provider, "USDC")
        XCTAssertEqual(croAfter, cro)
        XCTAssertEqual(usdcAfter, usdc)
        let after = try await system.pool("CRO-USDC")
        XCTAssertEqual(after, pool, "the pool is as it was")
        try await system.stop()
    }
}
