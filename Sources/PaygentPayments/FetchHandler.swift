import BigInt
import Foundation
import NIOHTTP1
import PaygentRuntime
import PaygentPaymentsAPI
import PaygentServiceKit
import PaygentCrypto
import PaygentLedger
import PaygentTransport
import PaygentWire
import PaygentX402
import PaygentX402HTTP
import Synchronization
import PaygentMoney

/// `payments.fetch`: the x402 client acting for one of the service's wallets.
///
/// Every payment it signs is recorded (pending, with its authorization) before its header leaves
/// the service, and is valid for at most `maxPaymentValiditySeconds` whatever the server asks.
/// When the fetch ends, `PaymentResolver` settles the record against the ledger: a payment the
/// ledger holds is confirmed; any other is cancelled on the ledger before its spend is released,
/// so a server that kept the header cannot settle it later. The fetch ends in time to answer
/// within the caller's deadline.
struct FetchHandler: HandlerGroup {
    let wallets: WalletStore
    let ledger: any SettlementBackend
    let payments: PaymentLog
    let resolver: PaymentResolver
    let target: FetchTarget
    /// The longest an authorization signed here stays valid.
    let maxPaymentValiditySeconds: UInt64
    let time: ServiceTime
    let random: RandomSource
    let client: X402HTTPClient
    /// Asked whether a wallet holds a subscription, when a resource takes `sign-in-with-x`.
    let registry: RPCClient

    init(
        wallets: WalletStore, ledger: any SettlementBackend, payments: PaymentLog, resolver: PaymentResolver, target: FetchTarget,
        maxPaymentValiditySeconds: UInt64, offers: OfferCache, registry: RPCClient, time: ServiceTime, random: RandomSource
    ) {
        (self.wallets, self.ledger, self.payments, self.resolver, self.target) = (wallets, ledger, payments, resolver, target)
        self.registry = registry
        self.maxPaymentValiditySeconds = maxPaymentValiditySeconds
        self.time = time
        self.random = random
        client = X402HTTPClient(offerCache: offers, maxBodyBytes: Self.maxBodyBytes)
    }

    /// The largest body returned: what fits a reply (4 MiB) with room for the rest of it.
    static let maxBodyBytes = (4 << 20) - (64 << 10)
    /// Kept back from the caller's deadline to resolve, record and answer.
    static let answerMargin: Duration = .milliseconds(1500)
    static let defaultTimeout: Duration = .seconds(30)

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
        let started = time.elapsed()
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
        let url = try target.check(request.url)
        var budget = Self.defaultTimeout
        if let seconds = request.timeoutSeconds {
            guard seconds.isFinite, seconds > 0, seconds <= 600 else { throw PaygentError(.badRequest, "timeoutSeconds is more than 0 and at most 600") }
            budget = .milliseconds(Int64(seconds * 1000))
        }
        if let remaining = context.remaining { budget = min(budget, remaining - Self.answerMargin) }
        guard budget >= .milliseconds(200) else {
            throw PaygentError(.badRequest, "the call's deadline leaves no time to fetch and pay; allow at least 2 seconds")
        }
        // Network I/O runs in real time whatever clock the service is given.
        let deadline = ContinuousClock.now + budget
        let purchase = context.idempotencyKey ?? "fetch-\(random.id())"
        let chainID = ledger.chainID
        let attempts = PaymentAttempts()
        let (payments, resolver, wallets, ledger) = (self.payments, self.resolver, self.wallets, self.ledger)
        let (validity, now, random) = (maxPaymentValiditySeconds, time.now, self.random)
        var response: X402HTTPClient.Response?
        var transportFailure: String?
        let signIn = SubscriptionSignIn(
            registry: registry, wallet: wallet.address, key: { [wallets] () throws(PaygentError) in try wallets.key(wallet) }, url: url, chainID: chainID,
            payPerCallFallback: request.payPerCallFallback ?? false, now: now, random: random)
        do {
            response = try await client.fetch(
                url.absoluteString, method: request.method == "POST" ? .POST : .GET, body: request.body, deadline: deadline,
                signIn: signIn.hook
            ) { offers in
                // Only what this wallet can pay: exact scheme, this chain, a token the ledger has.
                let payable = offers.filter { offer in
                    offer.scheme == "exact" && Network(offer.network)?.chainID == chainID
                        && (try? Address(offer.asset)).flatMap { ledger.token($0) } != nil
                }
                guard let offer = payable.first else {
                    throw PaygentError(.failedPrecondition, "the resource asks for no payment this wallet can make (exact scheme, chain \(chainID), a local-chain token)")
                }
                guard let price = BigUInt(offer.amount, radix: 10), price > 0 else {
                    throw PaygentError(.failedPrecondition, "the resource's price '\(offer.amount)' is not a positive number")
                }
                let priceToken = ledger.token(try Address(offer.asset))!
                guard priceToken.address == token.address else {
                    throw PaygentError(.failedPrecondition, "the resource asks for \(priceToken.symbol), the maximum is in \(token.symbol)")
                }
                guard price <= maximum.baseUnits else {
                    let asked = (try? Amount(baseUnits: price))?.formatted(decimals: token.decimals) ?? offer.amount
                    throw PaygentError(.resourceExhausted, "the resource costs \(asked) \(token.symbol), above the maximum of \(request.maxAmount)")
                }
                // The limit is checked and the spend recorded before anything is signed; the
                // payment is recorded with its authorization before the header is sent. A second
                // payment (the resource changed its terms) is a spend of its own.
                let attempt = attempts.count
                let paymentID = random.id()
                let reservation = try wallets.reserve(
                    wallet: wallet, token: token.symbol, decimals: token.decimals, amount: price,
                    idempotencyKey: attempt == 0 ? purchase : "\(purchase)#\(attempt + 1)", reuse: false)
                let key = try wallets.key(wallet)
                let signedAt = UInt64(max(0, now().timeIntervalSince1970))
                let payment = try ExactSigner.pay(offer, with: key, now: signedAt, nonce: random.nonce(), maxValiditySeconds: validity)
                let authorization = payment.exact.authorization
                let pending = PendingPayment(
                    id: paymentID, wallet: wallet.name, token: token.address, payer: wallet.address,
                    nonce: try HexField.bytes(authorization.nonce, count: 32, what: "nonce"),
                    validBefore: UInt64(authorization.validBefore) ?? signedAt, spend: reservation, startedAt: now())
                resolver.inFlight.insert(paymentID)
                attempts.append(pending)
                let service = "\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")\(url.path)"
                try payments.start(
                    PaymentEntry(
                        id: paymentID, wallet: wallet.name, service: service, url: request.url, recipient: offer.payTo,
                        amount: try Amount(baseUnits: price), token: PaymentsHandlers.info(token), transaction: nil,
                        status: "pending", error: nil, startedAt: pending.startedAt, finishedAt: nil, latencyMillis: nil),
                    token: token.symbol, authorization: pending)
                return (offer, payment)
            }
        } catch let error as PaygentError {
            // Refused before a (further) payment was signed: what was sent is settled or cancelled.
            await resolveAll(attempts.all, failure: "the fetch stopped (\(error.message))", latency: started)
            throw error
        } catch {
            transportFailure = "\(error)"
        }
        let elapsed = Self.millis(time.elapsed() - started)
        // Payments replaced by a later one (the resource changed its terms) were refused.
        await resolveAll(attempts.dropLast(), failure: "refused: the resource changed its terms; paid again at the new terms", latency: started)
        var record: PaymentRecord?
        if let last = attempts.last {
            let offerAmount = (try? Amount(baseUnits: BigUInt(response?.paid?.amount ?? "0") ?? 0)) ?? .zero
            let failure: String
            if let transportFailure {
                failure = "no answer from the resource after the payment was sent (\(transportFailure))"
            } else if let response, let settlement = response.settlement {
                failure = settlement.success
                    ? "the server reported settlement \(settlement.transaction), which the ledger does not hold"
                    : "refused: \(settlement.errorReason ?? "settlement failed")"
            } else {
                failure = "refused (HTTP \(response?.status ?? 0), no settlement)"
            }
            let outcome = await resolver.resolve(last, failure: failure, latencyMillis: elapsed)
            if let response, let offer = response.paid {
                record = PaymentRecord(
                    amount: offerAmount, token: PaymentsHandlers.info(token), payer: wallet.address.eip55, payTo: offer.payTo,
                    network: offer.network, transaction: outcome?.transaction ?? "", settled: outcome?.settled ?? false,
                    error: outcome.map { $0.error } ?? "outcome not known yet: the ledger could not be asked; it is resolved shortly")
            }
            resolver.inFlight.remove(last.id)
            context.logger.info("x402 payment", metadata: [
                "payment.url": "\(request.url)", "payment.id": "\(last.id)", "payment.settled": "\(outcome?.settled ?? false)",
                "payment.tx": "\(outcome?.transaction ?? "")",
            ])
            if transportFailure != nil {
                let settled = outcome?.settled ?? false
                throw PaygentError(
                    .unavailable, "\(request.url) gave no answer in time after the payment was sent (\(transportFailure!)); "
                        + (settled ? "the payment was settled (tx \(outcome?.transaction ?? "")), see `paygent payments show \(last.id)`"
                            : "the payment was cancelled, nothing was spent"))
            }
        } else if let transportFailure {
            throw PaygentError(.unavailable, "cannot fetch \(request.url): \(transportFailure)")
        }
        guard let response else { throw PaygentError(.internal, "no response") }
        if response.signedIn {
            context.logger.info("served on a subscription", metadata: [
                "payment.url": "\(request.url)", "subscription.id": "\(signIn.used.withLock { $0 } ?? "")",
            ])
        }
        return FetchReply(
            status: response.status, contentType: response.header("Content-Type"), body: response.body, payment: record,
            latencyMillis: elapsed, problem: response.bodyProblem, subscription: response.signedIn ? signIn.used.withLock { $0 } : nil)
    }

    private func resolveAll(_ attempts: [PendingPayment], failure: String, latency started: Duration) async {
        for attempt in attempts {
            await resolver.resolve(attempt, failure: failure, latencyMillis: Self.millis(time.elapsed() - started))
            resolver.inFlight.remove(attempt.id)
        }
    }

    static func millis(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

/// The spends reserved and payments recorded inside the payment closure, in order, for the caller
/// to settle or release.
final class PaymentAttempts: Sendable {
    private let attempts = Mutex<[PendingPayment]>([])

    var count: Int { attempts.withLock { $0.count } }
    var last: PendingPayment? { attempts.withLock { $0.last } }

    func append(_ payment: PendingPayment) {
        attempts.withLock { $0.append(payment) }
    }

    /// All but the last.
    func dropLast() -> [PendingPayment] { attempts.withLock { Array($0.dropLast()) } }
    var all: [PendingPayment] { attempts.withLock { $0 } }
}
