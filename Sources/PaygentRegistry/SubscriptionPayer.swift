import Foundation
import Logging
import PaygentPaymentsAPI
import PaygentRegistryAPI
import PaygentRuntime
import PaygentTransport
import PaygentWire
import Synchronization

/// Pays subscription periods through the payments service: a signed transfer from the
/// subscribing wallet to the service's pay-to, within the wallet's daily limit, under the
/// period's idempotency key. Sent again with the same key (after a crash, or when the answer was
/// lost), the payments service answers its first receipt: a period is never paid twice.
final class SubscriptionPayer: Sendable {
    enum Outcome: Sendable {
        case paid(transaction: String)
        /// The payments service refused it; nothing was spent.
        case refused(PaygentError)
        /// Sent, with no answer: it stays pending and is asked again.
        case unknown(String)
    }

    let payments: RPCClient
    let catalog: CatalogStore
    let store: SubscriptionStore
    let time: ServiceTime
    let random: RandomSource
    let logger: Logger
    /// Idempotency keys being paid now: the periodic check leaves them to their caller.
    private let inFlight = Mutex<Set<String>>([])

    init(payments: RPCClient, catalog: CatalogStore, store: SubscriptionStore, time: ServiceTime, random: RandomSource, logger: Logger) {
        (self.payments, self.catalog, self.store, self.time, self.random, self.logger) = (payments, catalog, store, time, random, logger)
    }

    /// A wallet of the payments service, by name or address.
    func wallet(_ nameOrAddress: String) async throws(PaygentError) -> WalletInfo {
        let wanted = nameOrAddress.trimmingCharacters(in: .whitespaces)
        guard !wanted.isEmpty else { throw PaygentError(.badRequest, "wallet: give a wallet name or address") }
        let wallets = try await payments.call(PaymentsMethod.walletList, WalletListRequest(), deadline: .seconds(3)).wallets
        guard let wallet = wallets.first(where: { $0.name == wanted || $0.address.lowercased() == wanted.lowercased() }) else {
            throw PaygentError(.notFound, "no wallet '\(wanted)' at the payments service (`paygent wallet list` shows them)")
        }
        return wallet
    }

    func pay(_ payment: SubscriptionStore.PendingPayment) async -> Outcome {
        guard inFlight.withLock({ $0.insert(payment.key).inserted }) else { return .unknown("it is being paid now") }
        defer { _ = inFlight.withLock { $0.remove(payment.key) } }
        let transfer = WalletTransferRequest(
            wallet: payment.wallet, to: payment.payTo, token: payment.token, amount: payment.amount.formatted(decimals: payment.decimals))
        do {
            let receipt = try await payments.call(PaymentsMethod.walletTransfer, transfer, deadline: .seconds(10), idempotencyKey: payment.key)
            let transaction = receipt.transactions.first?.hash ?? ""
            try store.paid(payment, transaction: transaction, now: time.now())
            logger.info("subscription period paid", metadata: [
                "subscription.id": "\(payment.subscriptionID)", "subscription.period": "\(payment.period)", "ledger.tx": "\(transaction)",
            ])
            return .paid(transaction: transaction)
        } catch let error as PaygentError where [.unavailable, .deadlineExceeded, .cancelled, .internal].contains(error.code) {
            logger.notice("subscription payment outcome not known; asked again later", metadata: [
                "subscription.id": "\(payment.subscriptionID)", "error": "\(error.message)",
            ])
            return .unknown(error.message)
        } catch let error as PaygentError {
            do {
                try store.refused(payment, reason: error.message)
            } catch {
                return .unknown("the refusal could not be recorded: \(error)")
            }
            logger.notice("subscription payment refused", metadata: ["subscription.id": "\(payment.subscriptionID)", "error": "\(error.message)"])
            return .refused(error)
        } catch {
            return .unknown("\(error)")
        }
    }

    /// Sends again every payment left pending (by a crash or a lost answer), then pays the next
    /// period of each subscription that renews itself and has run out, on the terms it was taken
    /// on: one whose service left the catalog, or whose price, token, period or pay-to changed,
    /// stops renewing instead (the subscriber subscribes again to accept new terms).
    func settleAndRenew() async {
        do {
            for payment in try store.pendingPayments() where !inFlight.withLock({ $0.contains(payment.key) }) {
                _ = await pay(payment)
            }
            let now = time.now()
            for (id, terms) in try store.dueForRenewal(now: now) {
                if let changed = try changedTerms(terms) {
                    try store.stopRenewal(id: id, reason: changed)
                    logger.notice("subscription not renewed", metadata: ["subscription.id": "\(id)", "reason": "\(changed)"])
                    continue
                }
                guard let payment = try store.beginRenewal(id: id, key: "subscription-\(id)-renewal-\(random.id())", now: now) else { continue }
                _ = await pay(payment)
            }
        } catch {
            logger.error("cannot read subscriptions to renew", metadata: ["error": "\(error)"])
        }
    }

    /// Why a subscription taken on `terms` is not renewed automatically; nil when it may be.
    private func changedTerms(_ terms: SubscriptionStore.Terms) throws -> String? {
        guard let service = try catalog.entry(id: terms.serviceID), service.pricing == .subscription else {
            return "not renewed: \(terms.serviceID) is no longer a subscription-priced service in the catalog"
        }
        let now = SubscriptionStore.Terms(
            serviceID: service.id, price: service.price.description, token: service.token, periodSeconds: service.periodSeconds ?? 0,
            payTo: service.payTo)
        guard now == terms else {
            return "not renewed: the service's terms changed (now \(service.price.formatted(decimals: service.decimals)) \(service.token) "
                + "per \(service.periodSeconds ?? 0) s to \(service.payTo)); subscribe again to accept them"
        }
        return nil
    }

    /// How often pending payments and due renewals are looked at.
    static let checkInterval: Duration = .seconds(30)
}
