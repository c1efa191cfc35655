import Logging
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTransport
import PaygentVVSAPI

/// The vvs service (`paygent-vvs`): VVS Finance pools on the payments ledger, and quotes over the
/// best route. Swaps, liquidity and farms come next (issue 11).
///
/// On first start it opens the seed pools (`PoolSeeder`); at every start it checks their records
/// against the ledger. Both wait for the payments service, in the background: until they are
/// done, quotes answer `unavailable`. The host adds `health` and `logs.recent`.
public enum VVSService {
    public static let definition = ServiceDefinition(name: .vvs, catalog: VVSCatalog.catalog) { server, environment in
        let store = try PoolStore(directory: environment.directory)
        let payments = try RPCClient(
            endpoint: environment.config.endpoints(.payments).rpc, serviceName: "payments", context: environment.context)
        let tokens = LedgerTokens()
        PoolHandlers(store: store, tokens: tokens).register(on: server)
        environment.health.report("pools") { tokens.ready ? "\((try? store.all().filter(\.ready).count) ?? 0)" : "opening" }
        let seeder = PoolSeeder(
            store: store, payments: payments, keys: try PoolKeys(directory: environment.directory, random: environment.random),
            now: environment.time.now, logger: environment.logger)
        let (clock, logger) = (environment.time.clock, environment.logger)
        environment.background.run("pool opening") {
            while !Task.isCancelled {
                do {
                    try await seeder.run()
                    tokens.set(try await payments.call(PaymentsMethod.tokens, TokensRequest(), deadline: .seconds(10)).tokens)
                    return
                } catch {
                    logger.notice("cannot open the pools yet; trying again in 2 s", metadata: ["error": "\(error)"])
                    try await clock.sleep(for: .seconds(2))
                }
            }
        }
    }
}
