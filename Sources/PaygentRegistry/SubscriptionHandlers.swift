import Foundation
import PaygentRegistryAPI
import PaygentRuntime
import PaygentServiceKit
import PaygentTransport
import PaygentWire

/// `registry.subscribe`, `registry.subscriptions`, `registry.cancel_subscription` and
/// `registry.subscription_access`: subscriptions to subscription-priced services, paid a period
/// at a time, and the answer a resource server asks before serving a signed-in wallet unpaid.
struct SubscriptionHandlers: HandlerGroup {
    let catalog: CatalogStore
    let store: SubscriptionStore
    let payer: SubscriptionPayer
    let time: ServiceTime
    let random: RandomSource

    func register(on server: RPCServer) {
        server.register(RegistryMethod.subscribe) { request, context in
            let subscription = try await subscribe(request)
            context.logger.info("subscribed", metadata: [
                "subscription.id": "\(subscription.id)", "registry.id": "\(subscription.serviceId)", "wallet.name": "\(subscription.wallet)",
            ])
            return subscription
        }
        server.register(RegistryMethod.subscriptions) { request, _ in
            var wallet: String?
            if let asked = request.wallet { wallet = try await payer.wallet(asked).name }
            return SubscriptionListReply(subscriptions: try store.list(wallet: wallet, now: time.now()))
        }
        server.register(RegistryMethod.cancelSubscription) { request, context in
            guard let subscription = try store.cancel(id: request.id, now: time.now()) else {
                throw PaygentError(.notFound, "no subscription \(request.id)")
            }
            context.logger.info("subscription cancelled", metadata: ["subscription.id": "\(subscription.id)"])
            return subscription
        }
        server.register(RegistryMethod.subscriptionAccess) { request, _ in
            try access(request)
        }
    }

    private func subscribe(_ request: SubscribeRequest) async throws -> Subscription {
        guard let service = try catalog.entry(id: request.serviceId) else {
            throw PaygentError(.notFound, "no service \(request.serviceId) (`paygent services discover` lists them)")
        }
        guard service.pricing == .subscription, let period = service.periodSeconds, period > 0 else {
            throw PaygentError(
                .failedPrecondition,
                "\(service.name) (\(service.id)) is priced \(service.pricing.rawValue); only subscription-priced services take subscriptions")
        }
        let wallet = try await payer.wallet(request.wallet)
        let now = time.now()
        let id = "sub_" + Hex.encode(random.bytes(6))
        let start = try store.begin(
            service: service, period: period, wallet: wallet.name, subscriber: wallet.address, autoRenew: request.autoRenew, newID: id,
            key: "subscription-\(id)-\(random.id())", now: now)
        guard case .pay(let payment) = start else {
            if case .unchanged(let subscription) = start { return subscription }
            throw PaygentError(.internal, "unreachable")
        }
        switch await payer.pay(payment) {
        case .paid:
            guard let subscription = try store.subscription(id: payment.subscriptionID, now: time.now()) else {
                throw PaygentError(.internal, "subscription \(payment.subscriptionID) vanished")
            }
            return subscription
        case .refused(let error):
            throw PaygentError(error.code, "the payment for \(service.name) was refused, nothing was subscribed: \(error.message)")
        case .unknown(let reason):
            throw PaygentError(
                .unavailable,
                "the payment for \(service.name) was sent and its outcome is not known yet (\(reason)); it is checked again within a minute, "
                    + "see `paygent subscriptions list`")
        }
    }

    private func access(_ request: SubscriptionAccessRequest) throws -> SubscriptionAccessReply {
        let now = time.now()
        let held = try store.subscriptions(subscriber: request.address, url: request.url, now: now)
        if let current = held.first(where: { $0.status == .active || $0.status == .cancelled }) {
            return SubscriptionAccessReply(
                access: .granted, subscription: current, message: "subscription \(current.id) runs until \(Self.time(current.expiresAt))")
        }
        if let last = held.first {
            let message =
                switch last.status {
                case .failed: "subscription \(last.id) never started: \(last.problem ?? "its payment was refused")"
                case .pending: "subscription \(last.id)'s payment is not confirmed yet"
                default: "subscription \(last.id) to \(request.url) expired at \(Self.time(last.expiresAt))"
                        + (last.problem.map { " (renewal: \($0))" } ?? "")
                }
            return SubscriptionAccessReply(access: .lapsed, subscription: last, message: message)
        }
        let priced = try catalog.entries(url: request.url).contains { $0.pricing == .subscription }
        return priced
            ? SubscriptionAccessReply(access: .none, subscription: nil, message: "\(request.address) has no subscription to \(request.url)")
            : SubscriptionAccessReply(
                access: .notSubscriptionPriced, subscription: nil, message: "no subscription-priced service is catalogued at \(request.url)")
    }

    static func time(_ date: Date?) -> String {
        date.map { $0.formatted(.iso8601) } ?? "(not paid)"
    }
}
