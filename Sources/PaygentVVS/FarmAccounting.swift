import BigInt

/// MasterChef accounting, as VVS's "Craftsman" keeps it: a reward rate per second split across
/// farms by allocation points; each farm's `accRewardPerShare` (scaled by 10^12) grows by the
/// rewards since its last update over the LP staked in it; a staker's pending reward is
/// `amount·accRewardPerShare/10^12 − rewardDebt`, and `rewardDebt` is reset whenever the stake
/// changes or rewards are paid. Integer division throughout, as the contract does.
public struct FarmAccounting: Sendable, Equatable {
    public static let precision = BigUInt(1_000_000_000_000)

    public struct Farm: Sendable, Equatable {
        public var allocPoint: BigUInt
        /// Seconds (the service's clock) up to which rewards are counted.
        public var lastRewardTime: UInt64
        /// Rewards per LP share, × 10^12.
        public var accRewardPerShare: BigUInt
        /// LP staked in the farm.
        public var staked: BigUInt

        public init(allocPoint: BigUInt, lastRewardTime: UInt64, accRewardPerShare: BigUInt = 0, staked: BigUInt = 0) {
            self.allocPoint = allocPoint
            self.lastRewardTime = lastRewardTime
            self.accRewardPerShare = accRewardPerShare
            self.staked = staked
        }
    }

    public struct Position: Sendable, Equatable {
        public var amount: BigUInt
        public var rewardDebt: BigUInt

        public init(amount: BigUInt = 0, rewardDebt: BigUInt = 0) {
            self.amount = amount
            self.rewardDebt = rewardDebt
        }
    }

    public enum Failure: Error, Equatable, Sendable {
        case unknownFarm
        case withdrawMoreThanStaked
    }

    /// Reward tokens (base units) minted per second across all farms.
    public var rewardPerSecond: BigUInt
    public private(set) var farms: [Farm]

    public init(rewardPerSecond: BigUInt, farms: [Farm] = []) {
        self.rewardPerSecond = rewardPerSecond
        self.farms = farms
    }

    public var totalAllocPoint: BigUInt { farms.reduce(0) { $0 + $1.allocPoint } }

    /// Adds a farm; every farm is brought up to `now` first, so earlier rewards keep their split.
    public mutating func add(allocPoint: BigUInt, now: UInt64) -> Int {
        updateAll(now: now)
        farms.append(Farm(allocPoint: allocPoint, lastRewardTime: now))
        return farms.count - 1
    }

    /// Changes a farm's allocation points, from `now` on.
    public mutating func set(_ farm: Int, allocPoint: BigUInt, now: UInt64) throws(Failure) {
        guard farms.indices.contains(farm) else { throw .unknownFarm }
        updateAll(now: now)
        farms[farm].allocPoint = allocPoint
    }

    public mutating func updateAll(now: UInt64) {
        for index in farms.indices { farms[index] = Self.updated(farms[index], now: now, rewardPerSecond: rewardPerSecond, total: totalAllocPoint) }
    }

    /// `updatePool`: the farm with its rewards counted up to `now`.
    static func updated(_ farm: Farm, now: UInt64, rewardPerSecond: BigUInt, total: BigUInt) -> Farm {
        var farm = farm
        guard now > farm.lastRewardTime else { return farm }
        if farm.staked > 0, total > 0 {
            let reward = BigUInt(now - farm.lastRewardTime) * rewardPerSecond * farm.allocPoint / total
            farm.accRewardPerShare += reward * precision / farm.staked
        }
        farm.lastRewardTime = now
        return farm
    }

    /// The reward a position could harvest at `now`.
    public func pending(_ position: Position, farm: Int, now: UInt64) throws(Failure) -> BigUInt {
        guard farms.indices.contains(farm) else { throw .unknownFarm }
        let current = Self.updated(farms[farm], now: now, rewardPerSecond: rewardPerSecond, total: totalAllocPoint)
        return position.amount * current.accRewardPerShare / Self.precision - position.rewardDebt
    }

    /// `deposit`: stakes `amount` more LP (0 only harvests). Returns the reward paid out.
    public mutating func deposit(_ amount: BigUInt, into farm: Int, position: inout Position, now: UInt64) throws(Failure) -> BigUInt {
        guard farms.indices.contains(farm) else { throw .unknownFarm }
        farms[farm] = Self.updated(farms[farm], now: now, rewardPerSecond: rewardPerSecond, total: totalAllocPoint)
        let paid = position.amount * farms[farm].accRewardPerShare / Self.precision - position.rewardDebt
        position.amount += amount
        farms[farm].staked += amount
        position.rewardDebt = position.amount * farms[farm].accRewardPerShare / Self.precision
        return paid
    }

    /// `withdraw`: unstakes `amount` LP, paying the pending reward. Returns the reward paid out.
    public mutating func withdraw(_ amount: BigUInt, from farm: Int, position: inout Position, now: UInt64) throws(Failure) -> BigUInt {
        guard farms.indices.contains(farm) else { throw .unknownFarm }
        guard position.amount >= amount else { throw .withdrawMoreThanStaked }
        farms[farm] = Self.updated(farms[farm], now: now, rewardPerSecond: rewardPerSecond, total: totalAllocPoint)
        let paid = position.amount * farms[farm].accRewardPerShare / Self.precision - position.rewardDebt
        position.amount -= amount
        farms[farm].staked -= amount
        position.rewardDebt = position.amount * farms[farm].accRewardPerShare / Self.precision
        return paid
    }

    /// `harvest`: pays the pending reward and keeps the stake.
    public mutating func harvest(_ farm: Int, position: inout Position, now: UInt64) throws(Failure) -> BigUInt {
        try deposit(0, into: farm, position: &position, now: now)
    }
}
