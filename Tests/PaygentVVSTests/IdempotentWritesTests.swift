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

/// A write sent again under its idempotency key after the vvs service restarted (the RPC server's
/// own memory of replies is gone) is answered from the service's records, never applied twice;
/// the same key with another request is a conflict.
final class IdempotentWritesTests: XCTestCase {
    func testAKeySentAgainAfterARestartIsAnsweredNotAppliedTwice() async throws {
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let payments = try await InProcessService(PaymentsService.definition, deployment: deployment)
        var vvs = try await InProcessService(VVSService.definition, deployment: deployment)
        func opened(_ vvs: InProcessService) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while (try? await vvs.client.call(VVSMethod.farms, FarmsRequest()).farms.count) != 6 {
                guard ContinuousClock.now < deadline else { throw TestFailure("the pools did not open") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        try await opened(vvs)
        let wallet = try await payments.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        for (token, amount) in [("CRO", "100000"), ("USDC", "10000")] {
            _ = try await payments.client.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: token, amount: amount))
        }
        func balance(_ symbol: String) async throws -> BigUInt {
            let balances = try await payments.client.call(PaymentsMethod.balances, BalancesRequest(owner: wallet.address)).balances
            return balances.first { $0.token.symbol == symbol }?.amount.baseUnits ?? 0
        }
        let swapRequest = SwapRequest(wallet: "agent", from: "CRO", to: "USDC", amount: "1000", deadline: Date().addingTimeInterval(600))
        let addRequest = AddLiquidityRequest(
            wallet: "agent", tokenA: "CRO", tokenB: "USDC", amountA: "1000", amountB: "100", deadline: Date().addingTimeInterval(600))
        let swapped = try await vvs.client.call(VVSMethod.swap, swapRequest, idempotencyKey: "swap-once")
        let added = try await vvs.client.call(VVSMethod.addLiquidity, addRequest, idempotencyKey: "add-once")
        let staked = try await vvs.client.call(
            VVSMethod.farmStake, FarmRequest(wallet: "agent", pool: "CRO-USDC", amount: "0.0001"), idempotencyKey: "stake-once")
        let (cro, usdc, lp) = (try await balance("CRO"), try await balance("USDC"), try await balance(added.lpToken))

        // The service restarts: the server's reply cache is gone.
        try await vvs.stop()
        vvs = try await InProcessService(VVSService.definition, deployment: deployment)
        try await opened(vvs)
        let swappedAgain = try await vvs.client.call(VVSMethod.swap, swapRequest, idempotencyKey: "swap-once")
        let addedAgain = try await vvs.client.call(VVSMethod.addLiquidity, addRequest, idempotencyKey: "add-once")
        let stakedAgain = try await vvs.client.call(
            VVSMethod.farmStake, FarmRequest(wallet: "agent", pool: "CRO-USDC", amount: "0.0001"), idempotencyKey: "stake-once")
        XCTAssertEqual(swappedAgain, swapped, "the first swap's answer, transactions included")
        XCTAssertEqual(addedAgain, added)
        XCTAssertEqual(stakedAgain, staked)
        let croAfter = try await balance("CRO"), usdcAfter = try await balance("USDC"), lpAfter = try await balance(added.lpToken)
        XCTAssertEqual(croAfter, cro, "nothing moved a second time")
        XCTAssertEqual(usdcAfter, usdc)
        XCTAssertEqual(lpAfter, lp)

        // The same key with another request is refused, and moves nothing.
        var other = swapRequest
        other.amount = "2000"
        do {
            _ = try await vvs.client.call(VVSMethod.swap, other, idempotencyKey: "swap-once")
            XCTFail("a key reused for another swap was accepted")
        } catch {
            XCTAssertEqual(error.code, .conflict, error.message)
        }
        // A refused write stays refused under its key.
        let tooMuch = SwapRequest(wallet: "agent", from: "CRO", to: "USDC", amount: "1000", minimumReceived: "1000000", deadline: Date().addingTimeInterval(600))
        for _ in 0..<2 {
            do {
                _ = try await vvs.client.call(VVSMethod.swap, tooMuch, idempotencyKey: "swap-refused")
                XCTFail("a swap below its minimum was accepted")
            } catch {
                XCTAssertEqual(error.code, .failedPrecondition, error.message)
            }
        }
        let croEnd = try await balance("CRO")
        XCTAssertEqual(croEnd, cro)
        try await vvs.stop()
        try await payments.stop()
    }
}
