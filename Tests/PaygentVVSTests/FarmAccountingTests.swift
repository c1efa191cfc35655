import BigInt
import PaygentVVS
import XCTest

/// MasterChef accounting with exact expected amounts (computed independently, Python integers):
/// two farms split a reward rate 1:2; stakers come and go in one of them at odd times and amounts.
final class FarmAccountingTests: XCTestCase {
    func testStakeHarvestAndWithdrawPayExactlyTheAccruedRewards() throws {
        var farms = FarmAccounting(rewardPerSecond: BigUInt("3000000000000000007", radix: 10)!)
        let market = farms.add(allocPoint: 100, now: 0)
        _ = farms.add(allocPoint: 200, now: 0)
        var alice = FarmAccounting.Position()
        var bob = FarmAccounting.Position()

        XCTAssertEqual(try farms.deposit(1_000_003, into: market, position: &alice, now: 5), 0)
        XCTAssertEqual(try farms.deposit(2_999_999, into: market, position: &bob, now: 17), 0)
        // Alice alone 5…17, then a quarter-ish share 17…61, of a third of the rate.
        XCTAssertEqual(try farms.harvest(market, position: &alice, now: 61), BigUInt("23000027499986250060", radix: 10)!)
        XCTAssertEqual(try farms.withdraw(1_500_000, from: market, position: &bob, now: 100), BigUInt("62249948125025937631", radix: 10)!)
        XCTAssertEqual(try farms.pending(alice, farm: market, now: 130), BigUInt("21750050774966692574", radix: 10)!)
        XCTAssertEqual(try farms.withdraw(1_000_003, from: market, position: &alice, now: 130), BigUInt("21750050774966692574", radix: 10)!)
        XCTAssertEqual(farms.farms[market].accRewardPerShare, BigUInt("44749944025120867271513095", radix: 10)!)
        XCTAssertEqual(farms.farms[market].staked, 1_499_999)
        XCTAssertEqual(alice, FarmAccounting.Position(amount: 0, rewardDebt: 0))
        XCTAssertEqual(try farms.pending(alice, farm: market, now: 1_000), 0, "nothing accrues to an empty position")

        XCTAssertThrowsError(try farms.withdraw(1_500_000, from: market, position: &bob, now: 140)) { error in
            XCTAssertEqual(error as? FarmAccounting.Failure, .withdrawMoreThanStaked)
        }
        XCTAssertThrowsError(try farms.harvest(7, position: &bob, now: 140))
    }

    /// Whatever the order of stakes, the rewards paid and pending never exceed what the farm was
    /// allotted, and fall short of it only by rounding (at most a unit per staker per update).
    func testRewardsPaidNeverExceedTheFarmsShare() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var farms = FarmAccounting(rewardPerSecond: BigUInt.randomInteger(withMaximumWidth: 70, using: &generator) + 1)
            let farm = farms.add(allocPoint: 1, now: 0)
            var positions = Array(repeating: FarmAccounting.Position(), count: 4)
            var paid = BigUInt(0)
            var now: UInt64 = 0
            var firstStake: UInt64?
            for _ in 0..<30 {
                now += UInt64.random(in: 1...1000, using: &generator)
                let who = Int.random(in: 0..<4, using: &generator)
                if positions[who].amount > 0, Bool.random(using: &generator) {
                    paid += try farms.withdraw(positions[who].amount / 2, from: farm, position: &positions[who], now: now)
                } else {
                    firstStake = firstStake ?? now
                    paid += try farms.deposit(BigUInt.randomInteger(withMaximumWidth: 60, using: &generator) + 1, into: farm, position: &positions[who], now: now)
                }
            }
            let pending = try positions.reduce(BigUInt(0)) { $0 + (try farms.pending($1, farm: farm, now: now)) }
            let allotted = BigUInt(now - (firstStake ?? now)) * farms.rewardPerSecond
            XCTAssertLessThanOrEqual(paid + pending, allotted)
        }
    }
}
