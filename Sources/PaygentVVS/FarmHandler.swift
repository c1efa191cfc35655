import BigInt
import Foundation
import Logging
import PaygentLedgerAccounts
import PaygentMoney
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentServiceKit
import PaygentTransport
import PaygentVVSAPI
import PaygentWire

/// The farms: one per seed pool, MasterChef ("Craftsman") accounting on the service's clock
/// (`FarmAccounting`), staked LP and VVS rewards held by the farms' own ledger account. A stake
/// is the wallet's signed LP transfer to that account; harvests and unstakes are the account's
/// signed payouts. Each runs in the swaps' queue and settles as one batch (`OperationSettler`);
/// the farm's and the stake's new accounting apply only once the batch has.
struct FarmHandler: HandlerGroup {
    let store: PoolStore
    let tokens: LedgerTokens
    let payments: RPCClient
    let keys: PoolKeys
    let queue: SerialQueue
    let settler: OperationSettler
    let settings: FarmSettings
    let publisher: Publisher
    let time: ServiceTime
    let random: RandomSource
    let logger: Logger

    var signer: AccountSigner { AccountSigner(tokens: tokens, random: random) }

    func register(on server: RPCServer) {
        server.register(VVSMethod.farms) { _, _ in
            // Like every vvs method: unavailable until the pools, their LP and the farms are open.
            _ = try tokens.all()
            let rows = try store.farms()
            let accounting = accounting(rows)
            let total = accounting.totalAllocPoint
            return try FarmsReply(
                rewardToken: FarmSettings.rewardToken, rewardPerSecond: Amount(baseUnits: settings.rewardPerSecond),
                farms: rows.map { row in
                    try FarmInfo(
                        pool: row.pool, lpToken: "LP-" + row.pool, allocPoint: row.allocPoint, staked: Amount(baseUnits: row.farm.staked),
                        rewardPerSecond: Amount(baseUnits: total == 0 ? 0 : settings.rewardPerSecond * row.farm.allocPoint / total))
                })
        }
        server.register(VVSMethod.farmPending) { request, _ in
            _ = try tokens.all()
            let wallet = try await WalletDirectory(payments: payments).address(of: request.wallet)
            let rows = try store.farms()
            let accounting = accounting(rows)
            let stakes = try store.stakes(wallet: wallet.lowercased())
            let now = seconds(time.now())
            var positions: [FarmPosition] = []
            for (index, row) in rows.enumerated() {
                guard let stake = stakes[row.pool], stake.amount > 0 || stake.rewardDebt > 0 else { continue }
                positions.append(try FarmPosition(
                    pool: row.pool, staked: Amount(baseUnits: stake.amount), pending: Amount(baseUnits: try accounting.pending(stake, farm: index, now: now))))
            }
            return FarmPendingReply(wallet: wallet, positions: positions)
        }
        for (method, kind) in [(VVSMethod.farmStake, FarmReply.Kind.stake), (VVSMethod.farmHarvest, .harvest), (VVSMethod.farmUnstake, .unstake)] {
            server.register(method) { request, context in
                let reply = try await queue.serially {
                    await settler.drainSwaps()
                    return try await run(kind, request, method: method.name, idempotencyKey: context.idempotencyKey)
                }
                publisher.publish(VVSEvent.farm, reply)
                return reply
            }
        }
    }

    private func accounting(_ rows: [FarmRow]) -> FarmAccounting {
        FarmAccounting(rewardPerSecond: settings.rewardPerSecond, farms: rows.map(\.farm))
    }

    private func seconds(_ date: Date) -> UInt64 { UInt64(max(0, date.timeIntervalSince1970)) }

    private func run(_ kind: FarmReply.Kind, _ request: FarmRequest, method: String, idempotencyKey: String?) async throws -> FarmReply {
        let (id, fingerprint, replayed) = try IdempotentWrites.begin(
            request, prefix: "farm", method: method, key: idempotencyKey, in: .operation, store: store, random: random, as: FarmReply.self)
        if let replayed { return replayed }
        let now = time.now()
        let known = try tokens.all()
        let rows = try store.farms()
        let wanted = Set(request.pool.uppercased().split(separator: "-").map(String.init))
        guard let index = rows.firstIndex(where: { Set($0.pool.split(separator: "-").map(String.init)) == wanted }) else {
            throw PaygentError(.notFound, "no farm for pool '\(request.pool)'; `paygent farm list` shows them")
        }
        let pool = rows[index].pool
        let lpToken = "LP-" + pool
        let amount: BigUInt
        switch kind {
        case .harvest:
            guard request.amount == nil else { throw PaygentError(.badRequest, "a harvest takes no amount") }
            amount = 0
        case .stake, .unstake:
            guard let text = request.amount else { throw PaygentError(.badRequest, "amount: the LP to \(kind.rawValue), e.g. 1.5") }
            amount = try Validate.amount(text, decimals: known[lpToken]?.decimals ?? 18, field: "amount").baseUnits
        }
        let wallet = try await WalletDirectory(payments: payments).address(of: request.wallet)
        var accounting = accounting(rows)
        var position = try store.stakes(wallet: wallet.lowercased())[pool] ?? FarmAccounting.Position()
        let earned: BigUInt
        do {
            switch kind {
            case .stake: earned = try accounting.deposit(amount, into: index, position: &position, now: seconds(now))
            case .harvest: earned = try accounting.harvest(index, position: &position, now: seconds(now))
            case .unstake: earned = try accounting.withdraw(amount, from: index, position: &position, now: seconds(now))
            }
        } catch {
            throw PaygentError(
                .failedPrecondition,
                "\(wallet) has \((try? Amount(baseUnits: position.amount).formatted(decimals: 18)) ?? "\(position.amount)") LP staked in \(pool), less than \(request.amount ?? "0"); nothing moved")
        }
        if earned == 0 && amount == 0 {
            return FarmReply(
                id: id, kind: kind, pool: pool, wallet: wallet, amount: try Amount(baseUnits: 0), reward: try Amount(baseUnits: 0),
                staked: try Amount(baseUnits: position.amount), transactions: [])
        }
        let key = "vvs-farm-\(id)"
        let farmsKey = try keys.key(account: .farms)
        // MasterChef's `safeVVSTransfer`: the reward paid is what the farms' account holds at
        // most, so a stake can always be taken back even when the rewards have run out.
        let held = try await payments.call(PaymentsMethod.balances, BalancesRequest(owner: farmsKey.address.eip55), deadline: .seconds(10))
            .balances.first { $0.token.symbol == FarmSettings.rewardToken }?.amount.baseUnits ?? 0
        let reward = min(earned, held)
        if reward < earned {
            logger.warning("the farms' account holds less VVS than a reward; paid what it holds", metadata: [
                "vvs.farm": "\(pool)", "vvs.earned": "\(earned)", "vvs.held": "\(held)",
            ])
        }
        let validBefore = AccountSigner.validBefore(now)
        var transfers: [SignedTransferMessage] = []
        switch kind {
        case .stake:
            let staked = try await payments.call(
                PaymentsMethod.walletAuthorize,
                WalletAuthorizeRequest(
                    wallet: request.wallet, to: farmsKey.address.eip55, token: lpToken, amount: try Amount(baseUnits: amount).formatted(decimals: 18),
                    validSeconds: AccountSigner.validSeconds),
                deadline: .seconds(10), idempotencyKey: "\(key)-lp")
            guard staked.value.baseUnits == amount, staked.to.lowercased() == farmsKey.address.lowercase,
                staked.token.lowercased() == known[lpToken]?.address.lowercased(), staked.from.lowercased() == wallet.lowercased()
            else {
                throw PaygentError(.internal, "the wallet's authorization is not for the stake priced; refused, nothing moved")
            }
            transfers.append(staked)
        case .unstake:
            transfers.append(try signer.transfer(from: farmsKey, token: lpToken, amount: amount, to: wallet, validBefore: validBefore))
        case .harvest:
            break
        }
        if reward > 0 {
            transfers.append(try signer.transfer(from: farmsKey, token: FarmSettings.rewardToken, amount: reward, to: wallet, validBefore: validBefore))
        }
        let farm = accounting.farms[index]
        let effect = OperationEffect(
            farm: .init(pool: pool, accRewardPerShare: farm.accRewardPerShare.description, lastRewardTime: farm.lastRewardTime, staked: farm.staked.description),
            stake: .init(pool: pool, wallet: wallet.lowercased(), amount: position.amount.description, rewardDebt: position.rewardDebt.description))
        let reply = FarmReply(
            id: id, kind: kind, pool: pool, wallet: wallet, amount: try Amount(baseUnits: amount), reward: try Amount(baseUnits: reward),
            staked: try Amount(baseUnits: position.amount), transactions: [])
        return try await settler.settle(
            id: id, kind: kind.rawValue, key: key, wallet: wallet, batch: SettleRequest(transfers: transfers), effect: effect,
            request: fingerprint, reply: reply, now: now)
    }
}

/// The farms' reward rate and the seed farms' allocation points.
struct FarmSettings: Sendable {
    static let rewardToken = "VVS"
    /// VVS (base units, 18 decimals) paid per second across all farms: 10,000 VVS (about $0.03
    /// at the seed price).
    var rewardPerSecond = BigUInt(10_000) * BigUInt(10).power(18)
    /// Whole VVS minted to the farms' account when the farms open (`vvs.farmRewardFunding`; by
    /// default 10^11, about 116 days of rewards).
    var rewardFunding = "100000000000"
    /// Allocation points of each seed pool's farm; the CRO-VVS farm weighs double, as VVS's own
    /// pair does on the Craftsman.
    func allocPoint(pool: String) -> Int { pool == "CRO-VVS" || pool == "VVS-CRO" ? 200 : 100 }
}
