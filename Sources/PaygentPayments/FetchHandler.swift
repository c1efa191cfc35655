import BigInt
import Foundation
import NIOHTTP1
import PaygentAPI
import PaygentCrypto
import PaygentLedger
import PaygentTransport
import PaygentWire
import PaygentX402
import PaygentX402HTTP

/// `payments.fetch`: the x402 client acting for one of the service's wallets.
struct FetchHandler: Sendable {
    let wallets: WalletStore
    let ledger: LocalLedger
    let payments: PaymentLog
    let publisher: Publisher
    let client = X402HTTPClient(offerCache: OfferCache())

    func register(on server: RPCServer) {
        server.register(PaymentsMethod.fetch, placement: .parallel) { (request: FetchRequest, context) in
            try await fetch(request, context)
        }
        let token: @Sendable (String) -> TokenInfo? = { symbol in ledger.token(symbol: symbol).map(PaymentsHandlers.info) }
        server.register(PaymentsMethod.paymentList, placement: .parallel) { (request: PaymentListRequest, _) in
            try payments.list(request, token: token)
        }
        server.register(PaymentsMethod.paymentShow, placement: .parallel) { (request: PaymentShowRequest, _) in
            guard let entry = try payments.show(id: request.id, token: token) else {
                throw PaygentError(.notFound, "no payment \(request.id)")
            }
            return entry
        }
        server.register(PaymentsMethod.paymentStats, placement: .parallel) { (_: PaymentStatsRequest, _) in
            try payments.stats(token: token)
        }
    }

    /// Releases the spends of payments that were refused and records them failed.
    private func finishAll(_ attempts: [PaymentAttempts.Attempt], error: String) {
        for attempt in attempts {
            wallets.finish(attempt.reservation, settled: false)
            try? payments.finish(id: attempt.payment, confirmed: false, transaction: nil, error: error, latencyMillis: 0)
        }
    }

    private func fetch(_ request: FetchRequest, _ context: RequestContext) async throws(PaygentError) -> FetchReply {
        let started = ContinuousClock.now
        let wallet = try wallets.wallet(request.wallet)
        guard let token = ledger.token(symbol: request.token) else {
            throw PaygentError(.notFound, "no token \(request.token)")
        }
        let maximum: Amount
        do {
            maximum = try Amount(parsing: request.maxAmount, decimals: token.decimals)
        } catch {
            throw PaygentError(.badRequest, "maxAmount: \(error.message)")
        }
        guard request.method == "GET" || request.method == "POST" else {
            throw PaygentError(.badRequest, "method must be GET or POST")
        }
        let purchase = context.idempotencyKey ?? "fetch-\(UUID().uuidString)"
        let chainID = ledger.chainID
        let attempts = PaymentAttempts()
        let payments = self.payments
        let response: X402HTTPClient.Response
        do {
            response = try await client.fetch(request.url, method: request.method == "POST" ? .POST : .GET, body: request.body) { offers in
                // Only what this wallet can pay: exact scheme, this chain, a token the ledger has.
                let payable = offers.filter { offer in
                    offer.scheme == "exact" && Network(offer.network)?.chainID == chainID
                        && (try? Address(offer.asset)).flatMap { ledger.token($0) } != nil
                }
                guard let offer = payable.first else {
                    throw PaygentError(.failedPrecondition, "the resource asks for no payment this wallet can make (exact scheme, chain \(chainID), a local-chain token)")
                }
                guard let price = BigUInt(offer.amount, radix: 10) else { throw PaygentError(.badRequest, "the resource's price is not a number") }
                let priceToken = ledger.token(try Address(offer.asset))!
                guard priceToken.address == token.address else {
                    throw PaygentError(.failedPrecondition, "the resource asks for \(priceToken.symbol), the maximum is in \(token.symbol)")
                }
                guard price <= maximum.baseUnits else {
                    let asked = (try? Amount(baseUnits: price))?.formatted(decimals: token.decimals) ?? offer.amount
                    throw PaygentError(.resourceExhausted, "the resource costs \(asked) \(token.symbol), above the maximum of \(request.maxAmount)")
                }
                // The limit is checked and the spend recorded before anything is signed. A second
                // payment (the resource changed its terms) is a spend of its own.
                let attempt = attempts.count
                let paymentID = UUID().uuidString.lowercased()
                let reservation = try wallets.reserve(
                    wallet: wallet, token: token.symbol, decimals: token.decimals, amount: price,
                    idempotencyKey: attempt == 0 ? purchase : "\(purchase)#\(attempt + 1)")
                attempts.append(reservation: reservation, payment: paymentID)
                let key = try wallets.key(wallet)
                let payment = try ExactSigner.pay(offer, with: key, now: UInt64(Date().timeIntervalSince1970))
                let service = URL(string: request.url).map { "\($0.host ?? "")\($0.port.map { ":\($0)" } ?? "")\($0.path)" } ?? request.url
                try payments.start(
                    PaymentEntry(
                        id: paymentID, wallet: wallet.name, service: service, url: request.url, recipient: offer.payTo,
                        amount: try Amount(baseUnits: price), token: PaymentsHandlers.info(token), transaction: nil,
                        status: "pending", error: nil, startedAt: Date(), finishedAt: nil, latencyMillis: nil),
                    token: token.symbol)
                return (offer, payment)
            }
        } catch let error as PaygentError {
            finishAll(attempts.all, error: error.message)
            throw error
        } catch {
            // The resource could not be reached after a payment may have been sent: it may have
            // been settled, so its spend stays counted against the daily limit.
            for attempt in attempts.all {
                wallets.finish(attempt.reservation, settled: true)
                try? payments.finish(
                    id: attempt.payment, confirmed: false, transaction: nil,
                    error: "no answer from the resource after the payment was sent (\(error)); its spend stays counted", latencyMillis: 0)
            }
            throw PaygentError(.unavailable, "\(error)")
        }
        // Payments replaced by a later one (the resource changed its terms) were refused.
        finishAll(attempts.dropLast(), error: "refused: the resource changed its terms; paid again at the new terms")
        let paymentID = attempts.last?.payment ?? ""
        var record: PaymentRecord?
        let elapsed = ContinuousClock.now - started
        let latencyMillis = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        if let offer = response.paid {
            let settled = response.settlement?.success ?? false
            // A 402 or a failed settlement is a refusal: nothing moved, the spend is released. Any
            // other answer without a settlement leaves the outcome unknown (the server may have
            // settled and failed afterwards), so the spend stays counted against the limit.
            let refused = response.status == 402 || response.settlement != nil
            if let id = attempts.last?.reservation { wallets.finish(id, settled: settled || !refused) }
            let failure = settled ? nil : (response.settlement?.errorReason ?? (refused
                ? "refused (HTTP \(response.status))"
                : "no settlement in the response (HTTP \(response.status)); the spend stays counted in case the server settled"))
            try? payments.finish(
                id: paymentID, confirmed: settled, transaction: response.settlement?.transaction, error: failure, latencyMillis: latencyMillis)
            let tokenLookup: (String) -> TokenInfo? = { symbol in ledger.token(symbol: symbol).map(PaymentsHandlers.info) }
            if let entry = try? payments.show(id: paymentID, token: tokenLookup) {
                publisher.publish(settled ? Topic.paymentSettled : Topic.paymentFailed, entry)
            }
            record = PaymentRecord(
                amount: (try? Amount(baseUnitsString: offer.amount)) ?? .zero,
                token: PaymentsHandlers.info(token), payer: wallet.address.eip55, payTo: offer.payTo, network: offer.network,
                transaction: response.settlement?.transaction ?? "", settled: settled,
                error: failure)
            context.logger.info("x402 payment", metadata: [
                "payment.url": "\(request.url)", "payment.amount": "\(offer.amount)", "payment.settled": "\(settled)",
                "payment.tx": "\(response.settlement?.transaction ?? "")",
            ])
        }
        let contentType = response.header("Content-Type")
        return FetchReply(status: response.status, contentType: contentType, body: response.body, payment: record, latencyMillis: latencyMillis)
    }
}

/// The spends reserved and payments recorded inside the payment closure, in order, for the caller
/// to settle or release.
final class PaymentAttempts: @unchecked Sendable {
    struct Attempt {
        let reservation: Int64
        let payment: String
    }

    private let lock = NSLock()
    private var attempts: [Attempt] = []

    var count: Int { lock.withLock { attempts.count } }
    var last: Attempt? { lock.withLock { attempts.last } }

    func append(reservation: Int64, payment: String) {
        lock.withLock { attempts.append(Attempt(reservation: reservation, payment: payment)) }
    }

    /// All but the last.
    func dropLast() -> [Attempt] { lock.withLock { Array(attempts.dropLast()) } }
    var all: [Attempt] { lock.withLock { attempts } }
}
