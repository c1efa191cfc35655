import Foundation
import Logging
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTransport
import PaygentWire

/// Keeps the catalog's calls, success rates, latencies and reputations in step with real
/// payments: live from the payments service's `payment.settled` and `payment.failed` events, and
/// by catching up from `payments.list` at start and every minute, for whatever the events missed
/// (the registry was down, or a subscriber lost an event). Each payment counts once, whichever way
/// it arrives first (`CatalogStore.record`).
struct PaymentFollower: Sendable {
    let store: CatalogStore
    let payments: RPCClient
    let logger: Logger
    /// Called when a payment changed a service's figures.
    let changed: @Sendable () -> Void

    /// How far before the newest counted payment catching up starts: a payment started earlier
    /// may have finished after it. A fetch lasts at most 600 s and the payments service resolves
    /// what is left pending every 20 s, so 15 minutes covers every payment still open then,
    /// without rereading an hour of history every minute.
    static let overlap: TimeInterval = 900
    static let catchUpInterval: Duration = .seconds(60)
    /// Catch-ups soon after start, besides the one at start: a subscriber joins its publisher a
    /// moment after it connects, and events published meanwhile reach nobody.
    static let earlyCatchUps: [Duration] = [.seconds(1), .seconds(3)]
    static let page = 500

    /// Counts one payment from an event or the history; pending ones wait.
    func take(_ entry: PaymentEntry) {
        guard entry.status != "pending" else { return }
        let payment = FinishedPayment(
            id: entry.id, url: entry.url, settled: entry.status == "confirmed", latencyMillis: entry.latencyMillis,
            startedAt: entry.startedAt)
        do {
            if case .applied = try store.record(payment) { changed() }
        } catch {
            logger.error("a payment could not be counted", metadata: ["payment.id": "\(entry.id)", "error": "\(error)"])
        }
    }

    /// Counts every finished payment since the cursor (less the overlap) from the payments
    /// service's history. Returns how many it read, or nil if payments could not be asked.
    @discardableResult
    func catchUp() async -> Int? {
        let since = (try? store.cursor())?.addingTimeInterval(-Self.overlap)
        var offset = 0
        var read = 0
        while true {
            let reply: PaymentListReply
            do {
                reply = try await payments.call(
                    PaymentsMethod.paymentList, PaymentListRequest(since: since, limit: Self.page, offset: offset), deadline: .seconds(5))
            } catch {
                logger.notice("cannot catch up with payments yet", metadata: ["error": "\(error.message)"])
                return nil
            }
            for entry in reply.payments { take(entry) }
            read += reply.payments.count
            offset += reply.payments.count
            if reply.payments.count < Self.page || offset >= reply.total { return read }
        }
    }

    /// Follows the events until the task is cancelled.
    func follow(_ subscriber: Subscriber) async {
        for await event in subscriber.events {
            let settled = try? event.decode(PaymentsEvent.paymentSettled)
            let failed = try? event.decode(PaymentsEvent.paymentFailed)
            if let entry = (settled ?? nil) ?? (failed ?? nil) { take(entry) }
        }
    }
}
