import Foundation
import PaygentMoney

public struct FarmsRequest: Codable, Sendable, Equatable {
    public init() {}
}

/// One farm: stake a pool's LP, earn VVS per second by the farm's allocation points.
public struct FarmInfo: Codable, Sendable, Equatable {
    public var pool: String
    public var lpToken: String
    public var allocPoint: Int
    /// LP staked in the farm, base units.
    public var staked: Amount
    /// VVS paid to the farm's stakers per second, base units (18 decimals).
    public var rewardPerSecond: Amount

    public init(pool: String, lpToken: String, allocPoint: Int, staked: Amount, rewardPerSecond: Amount) {
        (self.pool, self.lpToken, self.allocPoint, self.staked, self.rewardPerSecond) = (pool, lpToken, allocPoint, staked, rewardPerSecond)
    }
}

public struct FarmsReply: Codable, Sendable, Equatable {
    public var rewardToken: String
    /// VVS paid across all farms per second, base units.
    public var rewardPerSecond: Amount
    public var farms: [FarmInfo]

    public init(rewardToken: String, rewardPerSecond: Amount, farms: [FarmInfo]) {
        (self.rewardToken, self.rewardPerSecond, self.farms) = (rewardToken, rewardPerSecond, farms)
    }
}

/// `vvs.farm_stake`, `vvs.farm_unstake` (with `amount`) and `vvs.farm_harvest` (without): each
/// also pays the wallet's pending reward, as MasterChef's deposit and withdraw do.
public struct FarmRequest: Codable, Sendable, Equatable {
    public var wallet: String
    /// The pool's id (`CRO-USDC`; either order of the symbols).
    public var pool: String
    /// LP, human decimals; absent for a harvest.
    public var amount: String?

    public init(wallet: String, pool: String, amount: String? = nil) {
        (self.wallet, self.pool, self.amount) = (wallet, pool, amount)
    }
}

/// A settled stake, harvest or unstake (also the `vvs.farm` event).
public struct FarmReply: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case stake
        case harvest
        case unstake
    }

    public var id: String
    public var kind: Kind
    public var pool: String
    /// The wallet's address.
    public var wallet: String
    /// LP staked or unstaked, base units.
    public var amount: Amount
    /// VVS paid to the wallet, base units.
    public var reward: Amount
    /// The wallet's stake after, base units.
    public var staked: Amount
    public var transactions: [String]

    public init(id: String, kind: Kind, pool: String, wallet: String, amount: Amount, reward: Amount, staked: Amount, transactions: [String]) {
        (self.id, self.kind, self.pool, self.wallet, self.amount, self.reward, self.staked, self.transactions) =
            (id, kind, pool, wallet, amount, reward, staked, transactions)
    }
}

public struct FarmPendingRequest: Codable, Sendable, Equatable {
    public var wallet: String

    public init(wallet: String) {
        self.wallet = wallet
    }
}

public struct FarmPosition: Codable, Sendable, Equatable {
    public var pool: String
    /// LP staked, base units.
    public var staked: Amount
    /// VVS a harvest would pay now, base units.
    public var pending: Amount

    public init(pool: String, staked: Amount, pending: Amount) {
        (self.pool, self.staked, self.pending) = (pool, staked, pending)
    }
}

public struct FarmPendingReply: Codable, Sendable, Equatable {
    public var wallet: String
    public var positions: [FarmPosition]

    public init(wallet: String, positions: [FarmPosition]) {
        (self.wallet, self.positions) = (wallet, positions)
    }
}
