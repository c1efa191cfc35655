import BigInt
import Foundation
import Logging
import PaygentPaymentsAPI
import PaygentCrypto
import PaygentLedger
import PaygentTransport
import PaygentWire
import Synchronization

/// Decides what became of a payment whose authorization left the service, from the ledger, the
/// only truth about money: settled there → confirmed, spend counted; not settled → the payer
/// cancels the authorization (EIP-3009 `cancelAuthorization`, so that whoever holds the header
/// can never settle it), then the payment is failed and its spend released. A server's word
/// ("settled", "refused") is never enough either way: a hostile server may keep a header it
/// refused, or claim a settlement it never made.
///
/// `paygent-payments` resolves each payment as its fetch ends, every payment left pending at
/// start-up (a crash), and, periodically, any payment pending that no fetch is working on.
struct PaymentResolver: Sendable {
    let wallets: WalletStore
    let ledger: any SettlementBackend
    let payments: PaymentLog
    let publisher: Publisher
    let logger: Logger
    let now: @Sendable () -> Date
    /// Payments whose fetch is still running: the periodic pass leaves them to it.
    let inFlight = InFlightPayments()
    /// How often the periodic pass runs.
    static let interval: Duration = .seconds(20)

    struct Outcome: Sendable {
        var settled: Bool
        var transaction: String?
        var error: String?
    }

    /// Resolves one payment and closes its record and spend. `failure` says why it is not
    /// known to be settled (the server's answer). Nil when the ledger could not be asked or the
    /// cancellation not written: the payment stays pending for a later pass.
    @discardableResult
    func resolve(_ payment: PendingPayment, failure: String, latencyMillis: Double? = nil) async -> Outcome? {
        let state: AuthorizationState
        do {
            state = try await settledOrCancelled(payment)
        } catch {
            logger.warning("payment outcome not resolved yet", metadata: ["payment.id": "\(payment.id)", "error": "\(error)"])
            return nil
        }
        let outcome: Outcome
        switch state {
        case .settled(let transaction):
            outcome = Outcome(settled: true, transaction: transaction, error: nil)
        case .cancelled, .unused:
            outcome = Outcome(settled: false, transaction: nil, error: "\(failure); the authorization was cancelled, so it cannot be settled later")
        }
        wallets.finish(payment.spend, settled: outcome.settled)
        let closed: Bool
        do {
            closed = try payments.finish(
                id: payment.id, confirmed: outcome.settled, transaction: outcome.transaction, error: outcome.error,
                latencyMillis: latencyMillis, now: now())
        } catch {
            logger.error("payment record not closed", metadata: ["payment.id": "\(payment.id)", "error": "\(error)"])
            return nil
        }
        let token: (String) -> TokenInfo? = { symbol in ledger.token(symbol: symbol).map(PaymentsHandlers.info) }
        if closed, let entry = try? payments.show(id: payment.id, token: token) {
            publisher.publish(outcome.settled ? PaymentsEvent.paymentSettled : PaymentsEvent.paymentFailed, entry)
        }
        return outcome
    }

    /// The ledger's answer, cancelling the authorization if it is still unused (or, once its
    /// window has closed, knowing that it can no longer be settled).
    private func settledOrCancelled(_ payment: PendingPayment) async throws -> AuthorizationState {
        let state = try await ledger.authorizationState(token: payment.token, authorizer: payment.payer, nonce: payment.nonce)
        guard state == .unused else { return state }
        guard UInt64(max(0, now().timeIntervalSince1970)) < payment.validBefore else { return .unused }
        guard let token = ledger.token(payment.token) else { throw PaygentError(.internal, "no token \(payment.token)") }
        let wallet = try wallets.wallet(payment.payer.eip55)
        let key = try wallets.key(wallet)
        let cancel = CancelAuthorization(authorizer: payment.payer, nonce: payment.nonce)
        let signature = try cancel.sign(with: key, domain: token.domain(chainID: ledger.chainID))
        let before = try await ledger.cancelAuthorization(token: payment.token, authorizer: payment.payer, nonce: payment.nonce, signature: signature)
        return before == .unused ? .cancelled : before
    }

    /// Resolves every pending payment no fetch is working on; at start-up also releases spends
    /// reserved before `orphansBefore` that no payment or transfer holds (a crash between the
    /// reservation and the signature). Returns how many payments it closed.
    @discardableResult
    func reconcile(orphansBefore: Date? = nil) async -> Int {
        var closed = 0
        let pending: [PendingPayment]
        do {
            closed += try payments.closeUnresolvable(now: now())
            pending = try payments.pending()
        } catch {
            logger.error("pending payments not read", metadata: ["error": "\(error)"])
            return 0
        }
        let held = Set(pending.map(\.spend))
        for payment in pending where !inFlight.contains(payment.id) {
            if await resolve(payment, failure: "no answer was recorded for this payment (the service stopped during it)") != nil {
                closed += 1
            }
        }
        if let orphansBefore, let reserved = try? wallets.reservations(before: orphansBefore) {
            for (id, key, authorization) in reserved where !held.contains(id) {
                if let authorization {
                    // A wallet authorization: settled if its nonce was used, under whatever key;
                    // released only once it has expired unused (it can never settle then).
                    guard let state = try? await ledger.authorizationState(
                        token: authorization.token, authorizer: authorization.authorizer, nonce: authorization.nonce)
                    else { continue }
                    if case .settled = state {
                        wallets.finish(id, settled: true)
                    } else if state == .cancelled || UInt64(max(0, now().timeIntervalSince1970)) >= authorization.validBefore {
                        wallets.finish(id, settled: false)
                    }
                    continue
                }
                // A wallet transfer's reservation shares its key with its ledger settlement.
                let settled = (try? await key.asyncMap { try await ledger.settlementRecorded(idempotencyKey: $0) }) ?? false
                wallets.finish(id, settled: settled)
            }
        }
        if closed > 0 { logger.notice("payments reconciled with the ledger", metadata: ["payments.closed": "\(closed)"]) }
        return closed
    }
}

/// The ids of payments whose fetch is running.
final class InFlightPayments: Sendable {
    private let ids = Mutex<Set<String>>([])
    func insert(_ id: String) { _ = ids.withLock { $0.insert(id) } }
    func remove(_ id: String) { _ = ids.withLock { $0.remove(id) } }
    func contains(_ id: String) -> Bool { ids.withLock { $0.contains(id) } }
}

extension Optional {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
