import ArgumentParser
import Foundation
import PaygentVVSAPI
import PaygentWire

/// `paygent farm`: stake LP tokens in VVS farms and harvest VVS rewards.
struct Farm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stake LP tokens in VVS farms, harvest the VVS they earn, unstake.",
        discussion: """
            A farm pays VVS every second to the LP staked in it, split across farms by allocation points (MasterChef \
            accounting). Staking, unstaking and harvesting each pay what the stake has earned so far.
            """,
        subcommands: [List.self, Stake.self, Harvest.self, Unstake.self, Pending.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every farm: its pool, allocation points, LP staked and VVS per second.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await ServiceCall(config: try global.load(), service: .vvs).show(VVSMethod.farms, FarmsRequest(), json: json) { reply in
                var table = Table(headers: ["FARM", "LP TOKEN", "ALLOC POINTS", "LP STAKED", "\(reply.rewardToken) / SECOND"])
                for farm in reply.farms {
                    table.rows.append([
                        farm.pool, farm.lpToken, "\(farm.allocPoint)", farm.staked.formatted(decimals: 18), farm.rewardPerSecond.formatted(decimals: 18),
                    ])
                }
                print(reply.farms.isEmpty ? "no farms" : table.render(style: Style.forStandardOutput()))
            }
        }
    }

    struct Stake: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stake a wallet's LP tokens in their pool's farm.", discussion: "Example: paygent farm stake 10 CRO-USDC --wallet agent")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("LP tokens to stake.", valueName: "amount")) var amount: String
        @Argument(help: ArgumentHelp("The pool (CRO-USDC).", valueName: "pool")) var pool: String
        @Option(help: ArgumentHelp("The wallet that holds the LP.", valueName: "wallet")) var wallet: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await Farm.send(VVSMethod.farmStake, FarmRequest(wallet: wallet, pool: pool, amount: amount), global: global, json: json)
        }
    }

    struct Harvest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pay a wallet the VVS its stake in a farm has earned.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The pool (CRO-USDC).", valueName: "pool")) var pool: String
        @Option(help: ArgumentHelp("The wallet that staked.", valueName: "wallet")) var wallet: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await Farm.send(VVSMethod.farmHarvest, FarmRequest(wallet: wallet, pool: pool), global: global, json: json)
        }
    }

    struct Unstake: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Return staked LP tokens to the wallet, with the VVS they earned.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("LP tokens to unstake.", valueName: "amount")) var amount: String
        @Argument(help: ArgumentHelp("The pool (CRO-USDC).", valueName: "pool")) var pool: String
        @Option(help: ArgumentHelp("The wallet that staked.", valueName: "wallet")) var wallet: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await Farm.send(VVSMethod.farmUnstake, FarmRequest(wallet: wallet, pool: pool, amount: amount), global: global, json: json)
        }
    }

    struct Pending: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A wallet's stakes and the VVS a harvest would pay now.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The wallet (name or address).", valueName: "wallet")) var wallet: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await ServiceCall(config: try global.load(), service: .vvs).show(VVSMethod.farmPending, FarmPendingRequest(wallet: wallet), json: json) { reply in
                guard !reply.positions.isEmpty else {
                    print("\(reply.wallet) has nothing staked")
                    return
                }
                var table = Table(headers: ["FARM", "LP STAKED", "PENDING VVS"])
                for position in reply.positions {
                    table.rows.append([position.pool, position.staked.formatted(decimals: 18), position.pending.formatted(decimals: 18)])
                }
                print(table.render(style: Style.forStandardOutput()))
            }
        }
    }

    static func send(_ method: RPCMethod<FarmRequest, FarmReply>, _ request: FarmRequest, global: GlobalOptions, json: Bool) async throws {
        try await ServiceCall(config: try global.load(), service: .vvs).show(method, request, json: json, idempotencyKey: "farm-\(UUID().uuidString)") { reply in
            let style = Style.forStandardOutput()
            switch reply.kind {
            case .stake: print("staked \(reply.amount.formatted(decimals: 18)) LP in \(reply.pool)")
            case .unstake: print("unstaked \(reply.amount.formatted(decimals: 18)) LP from \(reply.pool)")
            case .harvest: print("harvested \(reply.pool)")
            }
            print("reward paid: \(reply.reward.formatted(decimals: 18)) VVS; staked now \(reply.staked.formatted(decimals: 18)) LP")
            if !reply.transactions.isEmpty { print(style.dim("\(reply.id): tx \(reply.transactions.joined(separator: ", "))")) }
        }
    }
}
