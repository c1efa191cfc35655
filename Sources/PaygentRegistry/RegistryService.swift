import Foundation
import Logging
import PaygentPaymentsAPI
import PaygentRegistryAPI
import PaygentRuntime
import PaygentTransport

/// The registry service (`paygent-registry`): the service catalog, discovery, pricing, reputation
/// and subscriptions.
///
/// Its catalog lives in `registry.sqlite`, seeded on first start; lookups go through a cache
/// (services 5 minutes, prices 1 minute, emptied by every change) whose hits and misses `health`
/// reports. The host adds `health` and `logs.recent`.
public enum RegistryService {
    public static let definition = ServiceDefinition(name: .registry, catalog: RegistryCatalog.catalog) { server, environment in
        let store = try CatalogStore(directory: environment.directory)
        if try store.isEmpty {
            let seed = SeedCatalog.entries(marketURL: environment.config.marketURL, now: environment.time.now())
            try store.insert(seed)
            environment.logger.info("catalog seeded", metadata: ["registry.services": "\(seed.count)"])
        }
        let admin = try AdminCredential(directory: environment.directory, random: environment.random.bytes)
        let payments = try RPCClient(
            endpoint: environment.config.endpoints(.payments).rpc, serviceName: "payments", context: environment.context)
        let elapsed = environment.time.elapsed
        let handlers = RegistryHandlers(
            store: store, admin: admin, tokens: TokenDirectory(client: payments),
            services: LookupCache(lifetime: .seconds(300), elapsed: elapsed), entries: LookupCache(lifetime: .seconds(300), elapsed: elapsed),
            prices: LookupCache(lifetime: .seconds(60), elapsed: elapsed), time: environment.time, random: environment.random)
        handlers.register(on: server)
        let subscriptions = SubscriptionStore(store)
        let payer = SubscriptionPayer(
            payments: payments, catalog: store, store: subscriptions, time: environment.time, random: environment.random, logger: environment.logger)
        SubscriptionHandlers(catalog: store, store: subscriptions, payer: payer, time: environment.time, random: environment.random)
            .register(on: server)
        let (services, entries, prices) = (handlers.services, handlers.entries, handlers.prices)
        environment.health.report("cache.hits") { "\(services.hits + entries.hits + prices.hits)" }
        environment.health.report("cache.misses") { "\(services.misses + entries.misses + prices.misses)" }

        // Reputation follows real payments: events live, the history for what they missed.
        let follower = PaymentFollower(store: store, payments: payments, logger: environment.logger) {
            services.invalidate()
            entries.invalidate()
            prices.invalidate()
        }
        environment.health.report("payments.unmatched") { "\((try? store.unmatched()) ?? 0)" }
        let subscriber = try Subscriber(
            endpoints: [environment.config.endpoints(.payments).pub], prefixes: [PaymentsEvent.paymentSettled.prefix, PaymentsEvent.paymentFailed.prefix],
            context: environment.context)
        environment.background.run("payment events", stop: { subscriber.close() }) { await follower.follow(subscriber) }
        let clock = environment.time.clock
        // Payments a crash left pending are sent again (same key: paid once); ended periods of
        // subscriptions that renew themselves are paid.
        environment.background.run("subscription renewals") {
            while !Task.isCancelled {
                await payer.settleAndRenew()
                try await clock.sleep(for: SubscriptionPayer.checkInterval)
            }
        }
        environment.background.run("payment history") {
            await follower.catchUp()
            for pause in PaymentFollower.earlyCatchUps {
                try await clock.sleep(for: pause)
                await follower.catchUp()
            }
            while !Task.isCancelled {
                try await clock.sleep(for: PaymentFollower.catchUpInterval)
                await follower.catchUp()
            }
        }
    }
}
