import Foundation
import Logging
import PaygentLedgerAccounts
import PaygentMoonlanderAPI
import PaygentRuntime
import PaygentTransport

/// The moonlander service (`paygent-moonlander`): perpetual futures against a USDC vault on the
/// payments ledger, priced by an oracle (an embedded random walk, fixed prices, or Pyth's
/// Hermes), with a keeper that closes positions at the ticks that cross their triggers or
/// liquidation prices, and funding and holding fees each interval.
///
/// On first start it funds the vault; at every start it resolves what a crash left pending and
/// checks the vault against the ledger, in the background, waiting for the payments service:
/// until then every method answers `unavailable`. The host adds `health` and `logs.recent`.
public enum MoonlanderService {
    public static let definition = ServiceDefinition(name: .moonlander, catalog: MoonlanderCatalog.catalog) { server, environment in
        let settings = try environment.config.moonlanderSettings()
        let store = try PerpStore(directory: environment.directory)
        let payments = try RPCClient(
            endpoint: environment.config.endpoints(.payments).rpc, serviceName: "payments", context: environment.context)
        let keys = try AccountKeys(directory: environment.directory, file: "vault.key.json", random: environment.random)
        let prices = PriceBook(maxAge: TimeInterval(settings.maxPriceAgeSeconds))
        let desk = PerpDesk(
            store: store, payments: payments, keys: keys, prices: prices, publisher: environment.publisher, time: environment.time,
            random: environment.random, logger: environment.logger, fundingInterval: TimeInterval(settings.fundingIntervalSeconds))
        let source: any PriceSource =
            switch settings.oracle {
            case .walk: EmbeddedPriceSource(markets: MarketSpec.all, seed: settings.walkSeed, stepBps: 20)
            case .fixed: EmbeddedPriceSource(markets: MarketSpec.all, seed: 0, stepBps: 0)
            case .hermes:
                HermesPriceSource(
                    client: HermesClient(baseURL: settings.hermesURL, maxAge: TimeInterval(settings.maxPriceAgeSeconds), now: environment.time.now),
                    markets: MarketSpec.all)
            }
        for (market, price) in try store.adminPrices() { source.set(market, price: price) }
        MoonlanderHandlers(desk: desk, source: source).register(on: server)
        environment.health.report("positions.open") { "\(desk.state.withLock { $0.ready ? "\($0.open.count)" : "opening" })" }
        environment.health.report("oracle") { settings.oracle.rawValue }
        environment.health.report("open_blocks.sent") { "\(desk.blocks.counts.withLock { $0.sent })" }
        environment.health.report("open_blocks.opens") { "\(desk.blocks.counts.withLock { $0.carried })" }
        environment.health.report("keeper.ticks") { "\(desk.tickTimings.count)" }
        environment.health.report("keeper.tick_p50_us") { String(format: "%.1f", desk.tickTimings.quantile(0.5)) }
        environment.health.report("keeper.tick_p99_us") { String(format: "%.1f", desk.tickTimings.quantile(0.99)) }
        let (clock, logger, time) = (environment.time.clock, environment.logger, environment.time)
        environment.background.run("vault opening and oracle") {
            while !Task.isCancelled {
                do {
                    try await desk.openVault(funding: settings.vaultFunding)
                    break
                } catch {
                    logger.notice("cannot open the vault yet; trying again in 2 s", metadata: ["error": "\(error)"])
                    try await clock.sleep(for: .seconds(2))
                }
            }
            while !Task.isCancelled {
                do {
                    for (market, price) in try await source.latest(at: time.now()).sorted(by: { $0.key < $1.key }) {
                        await desk.tick(market, price)
                    }
                } catch {
                    logger.warning("the oracle did not answer; prices age until it does", metadata: ["error": "\(error)"])
                }
                try await clock.sleep(for: .milliseconds(settings.tickMillis))
            }
        }
    }
}
