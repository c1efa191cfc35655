import Logging
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTransport
import PaygentVVSAPI
import Synchronization

/// The vvs service (`paygent-vvs`): VVS Finance pools on the payments ledger, quotes over the best
/// route, swaps, liquidity with LP tokens on the ledger, and farms, each settled as one ledger
/// batch.
///
/// On first start it opens the seed pools, their LP and the farms (`PoolSeeder`); at every start
/// it checks the pools' records against the ledger. Both wait for the payments service, in the background: until they are
/// done, quotes answer `unavailable`. The host adds `health` and `logs.recent`.
public enum VVSService {
    public static let definition = ServiceDefinition(name: .vvs, catalog: VVSCatalog.catalog) { server, environment in
        let store = try PoolStore(directory: environment.directory)
        let payments = try RPCClient(
            endpoint: environment.config.endpoints(.payments).rpc, serviceName: "payments", context: environment.context)
        let tokens = LedgerTokens()
        PoolHandlers(store: store, tokens: tokens).register(on: server)
        environment.health.report("pools") { tokens.ready ? "\((try? store.all().filter(\.ready).count) ?? 0)" : "opening" }
        let keys = try PoolKeys(directory: environment.directory, random: environment.random)
        let farmSettings = FarmSettings(rewardFunding: try environment.config.vvsFarmRewardFunding())
        let seeder = PoolSeeder(
            store: store, payments: payments, keys: keys, now: environment.time.now, random: environment.random, farms: farmSettings,
            logger: environment.logger)
        let pending = PendingSwaps()
        let queue = SwapQueue { try await pending.resolve() }
        let settler = OperationSettler(store: store, payments: payments, logger: environment.logger)
        let swaps = SwapHandler(
            store: store, tokens: tokens, payments: payments, keys: keys, queue: queue, seeder: seeder, settler: settler,
            publisher: environment.publisher, time: environment.time, random: environment.random, logger: environment.logger)
        pending.handler.withLock { $0 = swaps }
        swaps.register(on: server)
        LiquidityHandler(
            store: store, tokens: tokens, payments: payments, keys: keys, queue: queue, seeder: seeder, settler: settler,
            publisher: environment.publisher, time: environment.time, random: environment.random
        ).register(on: server)
        FarmHandler(
            store: store, tokens: tokens, payments: payments, keys: keys, queue: queue, settler: settler, settings: farmSettings,
            publisher: environment.publisher, time: environment.time, random: environment.random, logger: environment.logger
        ).register(on: server)
        let (clock, logger) = (environment.time.clock, environment.logger)
        environment.background.run("pool opening") {
            while !Task.isCancelled {
                do {
                    try await seeder.run()
                    try await swaps.resolvePending()
                    tokens.set(try await payments.call(PaymentsMethod.tokens, TokensRequest(), deadline: .seconds(10)))
                    return
                } catch {
                    logger.notice("cannot open the pools yet; trying again in 2 s", metadata: ["error": "\(error)"])
                    try await clock.sleep(for: .seconds(2))
                }
            }
        }
    }
}

/// The swap handler, for its queue to resolve pending swaps before each swap (the queue is made
/// before the handler that holds it).
final class PendingSwaps: Sendable {
    let handler = Mutex<SwapHandler?>(nil)

    func resolve() async throws {
        try await handler.withLock { $0 }?.resolvePending()
    }
}
