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
    let client = X402HTTPClient()

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
        let box = ReservationBox()
        let paymentID = UUID().uuidString.lowercased()
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
                // The limit is checked and the spend recorded before anything is signed.
                box.id = try wallets.reserve(
                    wallet: wallet, token: token.symbol, decimals: token.decimals, amount: price, idempotencyKey: purchase)
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
            if let id = box.id { wallets.finish(id, settled: false) }
            try? payments.finish(id: paymentID, confirmed: false, transaction: nil, error: error.message, latencyMillis: 0)
            throw error
        } catch {
            if let id = box.id { wallets.finish(id, settled: false) }
            try? payments.finish(id: paymentID, confirmed: false, transaction: nil, error: "\(error)", latencyMillis: 0)
            throw PaygentError(.unavailable, "\(error)")
        }
        var record: PaymentRecord?
        let elapsed = ContinuousClock.now - started
        let latencyMillis = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        if let offer = response.paid {
            let settled = response.settlement?.success ?? false
            if let id = box.id { wallets.finish(id, settled: settled) }
            let failure = settled ? nil : (response.settlement?.errorReason ?? "no settlement in the response (HTTP \(response.status))")
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
                error: settled ? nil : (response.settlement?.errorReason ?? "no settlement in the response (HTTP \(response.status))"))
            context.logger.info("x402 payment", metadata: [
                "payment.url": "\(request.url)", "payment.amount": "\(offer.amount)", "payment.settled": "\(settled)",
                "payment.tx": "\(response.settlement?.transaction ?? "")",
            ])
        }
        let contentType = response.headers.first { $0.0.lowercased() == "content-type" }?.1
        return FetchReply(status: response.status, contentType: contentType, body: response.body, payment: record, latencyMillis: latencyMillis)
    }
}

/// The reservation made inside the payment closure, for the caller to settle or release.
final class ReservationBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64?
    var id: Int64? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
