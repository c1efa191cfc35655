import Foundation
import Hummingbird
import Logging
import PaygentMarket
import PaygentPayments
import PaygentPaymentsAPI
import PaygentPaymentsClient
@testable import PaygentRegistry
import PaygentRegistryAPI
import PaygentRuntime
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import ServiceLifecycle
import XCTest

/// Subscriptions end to end on one manual clock: payments, registry and the sample paid API in
/// process, the API on its real HTTP port. Subscribe, be served by a sign-in-with-x proof with no
/// payment, expire, be refused, renew; auto-renew; cancel.
final class SubscriptionTests: XCTestCase {
    /// The sample API's subscription route (`svc_000000000007` of the seed catalog).
    static let feedService = "svc_000000000007"

    struct Deployment {
        let time: ManualTime
        let deployment: TestDeployment
        let payments: InProcessService
        let registry: InProcessService
        let market: ServiceGroup
        var feed: String { deployment.config.marketURL + "/feed" }

        static func start() async throws -> Deployment {
            let time = ManualTime(start: Date())
            let deployment = try TestDeployment()
            let payments = try await InProcessService(PaymentsService.definition, deployment: deployment, time: time.service)
            let registry = try await InProcessService(RegistryService.definition, deployment: deployment, time: time.service)
            let quiet = Logger(label: "market") { _ in SwiftLogNoOpLogHandler() }
            let parts = deployment.config.marketHTTP.split(separator: ":")
            let app = MarketAPI.application(
                .init(host: String(parts[0]), port: Int(parts[1])!, payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"),
                facilitator: RPCFacilitator(client: payments.client), logger: quiet, now: { time.now },
                signIn: MarketSubscriptions.signIn(registry: registry.client, now: { time.now }, randomBytes: RandomSource.system.bytes))
            let market = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: quiet))
            Task { try? await market.run() }
            let deadline = ContinuousClock.now + .seconds(10)
            while !LoopbackTCP.reachable(deployment.config.marketHTTP) {
                guard ContinuousClock.now < deadline else { throw TestFailure("the sample API did not start") }
                try await Task.sleep(for: .milliseconds(20))
            }
            return Deployment(time: time, deployment: deployment, payments: payments, registry: registry, market: market)
        }

        func stop() async throws {
            await market.triggerGracefulShutdown()
            try await registry.stop()
            try await payments.stop()
            deployment.remove()
        }

        func fetch(wallet: String = "agent", fallback: Bool? = nil) async throws(PaygentError) -> FetchReply {
            try await payments.client.call(
                PaymentsMethod.fetch, FetchRequest(url: feed, wallet: wallet, maxAmount: "0.10", payPerCallFallback: fallback),
                deadline: .seconds(30))
        }

        func subscribe(autoRenew: Bool = false, service: String = feedService) async throws(PaygentError) -> Subscription {
            try await registry.client.call(
                RegistryMethod.subscribe, SubscribeRequest(serviceId: service, wallet: "agent", autoRenew: autoRenew), deadline: .seconds(20))
        }

        func usdc(_ owner: String) async throws -> String {
            let reply: BalancesReply = try await payments.client.call(PaymentsMethod.balances, BalancesRequest(owner: owner))
            return reply.balances.first { $0.token.symbol == "USDC" }?.amount.description ?? "0"
        }

        func paymentsMade() async throws -> Int {
            try await payments.client.call(PaymentsMethod.paymentList, PaymentListRequest(limit: 100)).payments.count
        }
    }

    func testSubscribeSignInExpireRefusedRenew() async throws {
        let system = try await Deployment.start()
        let payments = system.payments.client
        let wallet: WalletInfo = try await payments.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        let _: LedgerReceipt = try await payments.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: "USDC", amount: "10"))
        let payee = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"

        // No subscription: the route is paid per call.
        let unsubscribed = try await system.fetch()
        XCTAssertEqual(unsubscribed.status, 200)
        XCTAssertEqual(unsubscribed.payment?.settled, true, unsubscribed.payment?.error ?? "")
        XCTAssertNil(unsubscribed.subscription)
        let observed1 = try await system.usdc(payee)
        XCTAssertEqual(observed1, "100000")

        // Subscribe: one period paid by a transfer to the service's pay-to, recorded with its transaction.
        let subscribed = try await system.subscribe()
        XCTAssertEqual(subscribed.status, .active)
        XCTAssertEqual(subscribed.subscriber, wallet.address)
        XCTAssertEqual(subscribed.payments.count, 1)
        XCTAssertEqual(subscribed.payments.first?.amount.description, "1000000")
        XCTAssertFalse(subscribed.payments.first?.transaction.isEmpty ?? true)
        XCTAssertEqual(subscribed.expiresAt, subscribed.payments.first.map { $0.paidAt.addingTimeInterval(86_400) })
        let observed2 = try await system.usdc(payee)
        XCTAssertEqual(observed2, "1100000")

        // Served on a sign-in-with-x proof: no payment, twice (each proof with its own nonce).
        let paidBefore = try await system.paymentsMade()
        for _ in 0..<2 {
            let served = try await system.fetch()
            XCTAssertEqual(served.status, 200, String(decoding: served.body, as: UTF8.self))
            XCTAssertNil(served.payment)
            XCTAssertEqual(served.subscription, subscribed.id)
            XCTAssertTrue(String(decoding: served.body, as: UTF8.self).contains("events"))
        }
        let observed3 = try await system.paymentsMade()
        XCTAssertEqual(observed3, paidBefore, "no per-call payment")
        let observed4 = try await system.usdc(payee)
        XCTAssertEqual(observed4, "1100000")

        // A day (and a second) later it has expired: refused with a clear error, unless paying per
        // call is allowed.
        await system.time.advance(by: .seconds(86_401))
        do {
            _ = try await system.fetch()
            XCTFail("an expired subscription is not served")
        } catch {
            XCTAssertEqual(error.code, .failedPrecondition, error.message)
            XCTAssertTrue(error.message.contains("subscription \(subscribed.id)") && error.message.contains("expired at"), error.message)
            XCTAssertTrue(error.message.contains("paygent subscriptions subscribe \(Self.feedService)"), error.message)
        }
        let observed5 = try await system.paymentsMade()
        XCTAssertEqual(observed5, paidBefore, "nothing paid for the refusal")
        let perCall = try await system.fetch(fallback: true)
        XCTAssertEqual(perCall.payment?.settled, true)
        XCTAssertNil(perCall.subscription)
        let listed = try await system.registry.client.call(RegistryMethod.subscriptions, SubscriptionListRequest(wallet: "agent"))
        XCTAssertEqual(listed.subscriptions.map(\.status), [.expired])

        // Renewed: the same subscription, a second period paid, served unpaid again.
        let renewed = try await system.subscribe()
        XCTAssertEqual(renewed.id, subscribed.id)
        XCTAssertEqual(renewed.status, .active)
        XCTAssertEqual(renewed.payments.map(\.period), [1, 2])
        let again = try await system.fetch()
        XCTAssertNil(again.payment)
        XCTAssertEqual(again.subscription, subscribed.id)

        // Subscribing while paid up pays nothing more; cancelling keeps the paid period.
        let resumed = try await system.subscribe()
        XCTAssertEqual(resumed.payments.count, 2)
        let cancelled = try await system.registry.client.call(RegistryMethod.cancelSubscription, CancelSubscriptionRequest(id: subscribed.id))
        XCTAssertEqual(cancelled.status, .cancelled)
        let observed6 = try await system.fetch().subscription
        XCTAssertEqual(observed6, subscribed.id, "served until the paid period ends")
        let observed7 = try await system.usdc(payee)
        XCTAssertEqual(observed7, "2200000", "0.10 + 1 + 0.10 + 1")
        try await system.stop()
    }

    func testAutoRenewPaysTheNextPeriodWhenOneEnds() async throws {
        let system = try await Deployment.start()
        let payments = system.payments.client
        let wallet: WalletInfo = try await payments.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        let _: LedgerReceipt = try await payments.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: "USDC", amount: "2.5"))
        let first = try await system.subscribe(autoRenew: true)
        let end = try XCTUnwrap(first.expiresAt)

        // The registry looks for due renewals every 30 s of its clock: move the clock past the
        // end of the period, then 30 s at a time until it has looked (bounded).
        func advance(past seconds: Int, until done: (Subscription) -> Bool) async throws -> Subscription {
            await system.time.advance(by: .seconds(seconds))
            for _ in 0..<40 {
                let current = try await system.registry.client.call(RegistryMethod.subscriptions, SubscriptionListRequest()).subscriptions[0]
                if done(current) { return current }
                await system.time.advance(by: .seconds(30))
                try await Task.sleep(for: .milliseconds(50))
            }
            return try await system.registry.client.call(RegistryMethod.subscriptions, SubscriptionListRequest()).subscriptions[0]
        }
        var current = try await advance(past: 86_400) { $0.payments.count == 2 }
        XCTAssertEqual(current.payments.map(\.period), [1, 2], "renewed once")
        XCTAssertEqual(current.payments.last?.periodStart, end, "the new period starts where the first ended")
        XCTAssertEqual(current.expiresAt, end.addingTimeInterval(86_400))
        XCTAssertEqual(current.status, .active)

        // The next renewal cannot be paid (0.5 USDC left): it stops renewing and says why.
        current = try await advance(past: 86_400) { !$0.autoRenew }
        XCTAssertFalse(current.autoRenew)
        XCTAssertEqual(current.status, .expired)
        XCTAssertEqual(current.payments.count, 2)
        XCTAssertNotNil(current.problem)
        let observed8 = try await system.usdc(wallet.address)
        XCTAssertEqual(observed8, "500000", "2.5 − two periods")
        try await system.stop()
    }

    func testBadSubscriptionsAreRefusedAndNothingIsWritten() async throws {
        let system = try await Deployment.start()
        let payments = system.payments.client
        let wallet: WalletInfo = try await payments.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        do {
            _ = try await system.subscribe(service: "svc_000000000001")
            XCTFail("a pay-per-call service takes no subscription")
        } catch {
            XCTAssertEqual(error.code, .failedPrecondition)
            XCTAssertTrue(error.message.contains("is priced pay-per-call"), error.message)
        }
        do {
            _ = try await system.subscribe(service: "svc_999999999999")
            XCTFail("unknown service")
        } catch {
            XCTAssertEqual(error.code, .notFound)
        }
        do {
            _ = try await system.registry.client.call(
                RegistryMethod.subscribe, SubscribeRequest(serviceId: Self.feedService, wallet: "nobody", autoRenew: false))
            XCTFail("unknown wallet")
        } catch {
            XCTAssertEqual(error.code, .notFound)
            XCTAssertTrue(error.message.contains("no wallet 'nobody'"), error.message)
        }
        // An unfunded wallet: the payment is refused, nothing was subscribed or spent.
        do {
            _ = try await system.subscribe()
            XCTFail("no funds")
        } catch {
            XCTAssertTrue(error.message.contains("was refused, nothing was subscribed"), error.message)
        }
        let listed = try await system.registry.client.call(RegistryMethod.subscriptions, SubscriptionListRequest())
        XCTAssertEqual(listed.subscriptions.map(\.status), [.failed])
        XCTAssertNotNil(listed.subscriptions.first?.problem)
        let access = try await system.registry.client.call(
            RegistryMethod.subscriptionAccess, SubscriptionAccessRequest(address: wallet.address, url: system.feed))
        XCTAssertEqual(access.access, .lapsed)
        XCTAssertTrue(access.message.contains("never started"), access.message)
        do {
            _ = try await system.registry.client.call(RegistryMethod.cancelSubscription, CancelSubscriptionRequest(id: "sub_000000000000"))
            XCTFail("unknown subscription")
        } catch {
            XCTAssertEqual(error.code, .notFound)
        }
        try await system.stop()
    }

    /// The crash window between sending a period's transfer and recording it: the registry's
    /// database holds the payment as pending, and the transfer under its key already went
    /// through. Started, the registry sends it again under the same key; the payments service
    /// answers its first receipt, so the subscription becomes active and one period is paid once.
    func testAPaymentLeftPendingIsSentAgainAndPaidOnce() async throws {
        let time = ManualTime(start: Date())
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let payments = try await InProcessService(PaymentsService.definition, deployment: deployment, time: time.service)
        let wallet: WalletInfo = try await payments.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        let _: LedgerReceipt = try await payments.client.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: "USDC", amount: "5"))

        let directory = deployment.config.serviceDirectory(.registry)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            let catalog = try CatalogStore(directory: directory)
            try catalog.insert(SeedCatalog.entries(marketURL: deployment.config.marketURL, now: time.now))
            let service = try XCTUnwrap(try catalog.entry(id: Self.feedService))
            let start = try SubscriptionStore(catalog).begin(
                service: service, period: 86_400, wallet: "agent", subscriber: wallet.address, autoRenew: false, newID: "sub_00000000c0de",
                key: "subscription-crash-test", now: time.now)
            guard case .pay(let pending) = start else { return XCTFail("a new subscription starts with a payment") }
            let _: LedgerReceipt = try await payments.client.call(
                PaymentsMethod.walletTransfer,
                WalletTransferRequest(wallet: "agent", to: pending.payTo, token: "USDC", amount: "1"), idempotencyKey: pending.key)
        }
        let registry = try await InProcessService(RegistryService.definition, deployment: deployment, time: time.service)
        var subscription: Subscription?
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, subscription?.status != .active {
            subscription = try await registry.client.call(RegistryMethod.subscriptions, SubscriptionListRequest()).subscriptions.first
            if subscription?.status != .active { try await Task.sleep(for: .milliseconds(50)) }
        }
        XCTAssertEqual(subscription?.id, "sub_00000000c0de")
        XCTAssertEqual(subscription?.status, .active)
        XCTAssertEqual(subscription?.payments.count, 1)
        let left: BalancesReply = try await payments.client.call(PaymentsMethod.balances, BalancesRequest(owner: wallet.address))
        XCTAssertEqual(left.balances.first { $0.token.symbol == "USDC" }?.amount.description, "4000000", "paid once")
        try await registry.stop()
        try await payments.stop()
    }

    /// A subscription renews on the terms it was taken on: when the administrator changes the
    /// service's price, it stops renewing and says why instead of paying the new price unasked.
    func testChangedTermsStopTheRenewal() async throws {
        let system = try await Deployment.start()
        let payments = system.payments.client
        let wallet: WalletInfo = try await payments.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        let _: LedgerReceipt = try await payments.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: "USDC", amount: "5"))
        _ = try await system.subscribe(autoRenew: true)
        let token = try String(contentsOfFile: system.deployment.config.serviceDirectory(.registry) + "/admin.token", encoding: .utf8)
        let service = try await system.registry.client.call(RegistryMethod.show, ServiceShowRequest(id: Self.feedService))
        _ = try await system.registry.client.call(
            RegistryMethod.update,
            UpdateServiceRequest(
                adminToken: token, id: service.id,
                service: ServiceFields(
                    name: service.name, description: service.description, category: service.category, url: service.url,
                    pricing: .subscription, price: "2", token: "USDC", periodSeconds: 86_400, network: service.network, payTo: service.payTo)))

        await system.time.advance(by: .seconds(86_400))
        var current: Subscription?
        for _ in 0..<40 where current?.autoRenew != false {
            await system.time.advance(by: .seconds(30))
            try await Task.sleep(for: .milliseconds(50))
            current = try await system.registry.client.call(RegistryMethod.subscriptions, SubscriptionListRequest()).subscriptions.first
        }
        XCTAssertEqual(current?.autoRenew, false)
        XCTAssertEqual(current?.status, .expired)
        XCTAssertEqual(current?.payments.count, 1, "the new price was not paid")
        XCTAssertTrue(current?.problem?.contains("terms changed (now 2 USDC per 86400 s") ?? false, current?.problem ?? "no problem")
        try await system.stop()
    }
}
