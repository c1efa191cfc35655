import Logging
import PaygentLedgerAccounts
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentServiceKit
import PaygentTransport
import PaygentVVSAPI
import PaygentWire
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
        let tokens = LedgerTokens.vvs()
        PoolHandlers(store: store, tokens: tokens).register(on: server)
        environment.health.report("pools") { tokens.ready ? "\((try? store.all().filter(\.ready).count) ?? 0)" : "opening" }
        let keys = try PoolKeys(directory: environment.directory, random: environment.random)
        let farmSettings = FarmSettings(rewardFunding: try environment.config.vvsFarmRewardFunding())
        let seeder = PoolSeeder(
            store: store, payments: payments, keys: keys, now: environment.time.now, random: environment.random, farms: farmSettings,
            logger: environment.logger)
        let pending = PendingSwaps()
        let queue = SerialQueue { try await pending.resolve() }
        let random = environment.random
        let sender = BlockSender()
        let blocks = SwapBlocks(newBlockID: { "blk_" + Hex.encode(random.bytes(6)) }) { id, swaps in await sender.send(id, swaps) }
        let settler = OperationSettler(store: store, payments: payments, blocks: blocks, pending: pending, logger: environment.logger)
        let swaps = SwapHandler(
            store: store, tokens: tokens, payments: payments, keys: keys, queue: queue, seeder: seeder, settler: settler, blocks: blocks,
            pending: pending, publisher: environment.publisher, time: environment.time, random: environment.random, logger: environment.logger)
        pending.handler.withLock { $0 = swaps }
        sender.handler.withLock { $0 = swaps }
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

/// The swap handler, for its queue to resolve what a crash or a lost answer left pending before
/// the next swap or operation (the queue is made before the handler that holds it). It looks
/// only when something may be pending: at start, and after an outcome was not known.
final class PendingSwaps: Sendable {
    let handler = Mutex<SwapHandler?>(nil)
    /// (something may be pending, marks so far)
    private let state = Mutex<(dirty: Bool, marks: UInt64)>((true, 0))

    func mark() {
        state.withLock { $0 = (true, $0.marks &+ 1) }
    }

    func resolve() async throws {
        let (dirty, marks) = state.withLock { ($0.dirty, $0.marks) }
        guard dirty else { return }
        try await handler.withLock { $0 }?.resolvePending()
        state.withLock { if $0.marks == marks { $0.dirty = false } }
    }
}

/// The swap handler, for the blocks to send through (made before the handler that holds them).
final class BlockSender: Sendable {
    let handler = Mutex<SwapHandler?>(nil)

    func send(_ id: String, _ swaps: [SwapBlocks.Priced]) async -> SwapBlocks.BlockOutcome {
        guard let handler = handler.withLock({ $0 }) else {
            return .refused(PaygentError(.unavailable, "the vvs service is starting; try again shortly"), culprit: nil)
        }
        return await handler.settle(block: id, swaps)
    }
}
