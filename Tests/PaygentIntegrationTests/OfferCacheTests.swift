import BigInt
import Foundation
import Hummingbird
import Logging
import PaygentCrypto
import PaygentLedger
import PaygentPayments
import PaygentTestSupport
import PaygentX402
import PaygentX402HTTP
import Synchronization
import XCTest

/// A client that remembers prices pays on the first request, pays again only when the terms
/// changed, and never signs twice for a payment refused for another reason. In process: a
/// Hummingbird server with `X402Middleware` in front of one route, settling on an in-memory ledger.
final class OfferCacheTests: XCTestCase {
    /// Counts requests that arrive without a payment (the 402 round trips).
    struct UnpaidCounter<Context: RequestContext>: RouterMiddleware {
        let count: Counter
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            if !request.headers.contains(where: { $0.name.canonicalName == "payment-signature" }) { count.increment() }
            return try await next(request, context)
        }
    }

    final class Server: Sendable {
        let url: String
        let ledger: LocalLedger
        let unpaid = Counter()
        let task: Task<Void, any Error>
        let offer: PaymentRequirements

        init() throws {
            ledger = try LocalLedger(path: nil, now: { Date() })
            let usdc = LedgerToken.catalog.first { $0.symbol == "USDC" }!
            offer = PaymentRequirements(
                scheme: "exact", network: "eip155:338", asset: usdc.address.eip55, amount: "100000",
                payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", maxTimeoutSeconds: 300,
                extra: .object(["name": .string(usdc.domainName), "version": .string(usdc.domainVersion)]))
            let port = freePort()
            url = "http://127.0.0.1:\(port)/data"
            let router = Router()
            router.add(middleware: UnpaidCounter(count: unpaid))
            router.add(middleware: X402Middleware(
                prices: ["/data": .init(offers: [offer], description: "test data")], facilitator: LedgerFacilitator(ledger: ledger, now: { Date() }),
                publicBaseURL: "http://127.0.0.1:\(port)"))
            router.get("/data") { _, _ in "paid content" }
            let app = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
            task = Task { try await app.run() }
        }

        func funded(_ amount: BigUInt = 1_000_000) async throws -> PrivateKey {
            let key = try PrivateKey.generate()
            if amount > 0 {
                _ = try await ledger.mint(token: try Address(offer.asset), to: key.address, amount: amount)
            }
            return key
        }

        func balance(_ key: PrivateKey) async throws -> BigUInt {
            try await ledger.balances(owner: key.address).first { $0.token.symbol == "USDC" }!.amount
        }
    }

    /// Signs with `key`, recording the amount of every offer it was asked to pay.
    final class Payer: Sendable {
        let key: PrivateKey
        let paid = Mutex<[String]>([])
        init(_ key: PrivateKey) { self.key = key }

        func pay(_ offers: [Offer]) throws -> (Offer, AnyPaymentPayload) {
            paid.withLock { $0.append(offers[0].amount) }
            return (offers[0], try ExactSigner.pay(offers[0], with: key, now: UInt64(Date().timeIntervalSince1970)))
        }
    }

    func testAKnownPriceIsPaidOnTheFirstRequest() async throws {
        let server = try Server()
        defer { server.task.cancel() }
        let payer = Payer(try await server.funded())
        let client = X402HTTPClient(attempts: 20, offerCache: OfferCache())
        for _ in 0..<3 {
            let response = try await client.fetch(server.url) { try payer.pay($0) }
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.settlement?.success, true)
        }
        XCTAssertEqual(server.unpaid.count, 1, "only the first fetch asked the price")
        XCTAssertEqual(payer.paid.withLock { $0 }, ["100000", "100000", "100000"])
        let left = try await server.balance(payer.key)
        XCTAssertEqual(left, 700_000)

        // Without a cache every fetch asks first.
        let plain = X402HTTPClient(attempts: 20)
        _ = try await plain.fetch(server.url) { try payer.pay($0) }
        XCTAssertEqual(server.unpaid.count, 2)
    }

    func testChangedTermsArePaidOnceMoreAtTheNewPrice() async throws {
        let server = try Server()
        defer { server.task.cancel() }
        let payer = Payer(try await server.funded())
        let cache = OfferCache()
        var stale = Offer(server.offer, resource: server.url)
        stale.amount = "50000"
        cache.remember([stale], for: "GET \(server.url)")
        let client = X402HTTPClient(attempts: 20, offerCache: cache)

        let response = try await client.fetch(server.url) { try payer.pay($0) }
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.settlement?.success, true)
        XCTAssertEqual(payer.paid.withLock { $0 }, ["50000", "100000"], "the stale price, refused, then the new one")
        XCTAssertEqual(server.unpaid.count, 0)
        let left = try await server.balance(payer.key)
        XCTAssertEqual(left, 900_000, "only the accepted payment moved funds")
        XCTAssertEqual(cache.offers(for: "GET \(server.url)")?.first?.amount, "100000", "the cache learned the new price")
    }

    func testARefusalForAnotherReasonIsNotPaidTwice() async throws {
        let server = try Server()
        defer { server.task.cancel() }
        let payer = Payer(try await server.funded(0))
        let cache = OfferCache()
        cache.remember([Offer(server.offer, resource: server.url)], for: "GET \(server.url)")
        let client = X402HTTPClient(attempts: 20, offerCache: cache)

        let response = try await client.fetch(server.url) { try payer.pay($0) }
        XCTAssertEqual(response.status, 402)
        XCTAssertNil(response.settlement)
        XCTAssertEqual(payer.paid.withLock { $0 }, ["100000"], "one signature, no second")
        XCTAssertNil(cache.offers(for: "GET \(server.url)"), "a refused payment drops what the cache knew")
    }

    func testTheCacheForgetsStaleAndOverflowingEntries() async throws {
        let offer = Offer(PaymentRequirements(scheme: "exact", network: "eip155:338", asset: "0x01", amount: "1", payTo: "0x02", maxTimeoutSeconds: 60, extra: nil))
        // On a manual clock: no sleeping, the entry expires exactly at its lifetime.
        let time = ManualTime("2026-12-02T12:00:00Z")
        let cache = OfferCache(lifetime: .seconds(60), capacity: 2, elapsed: time.service.elapsed)
        cache.remember([offer], for: "a")
        XCTAssertEqual(cache.offers(for: "a"), [offer])
        await time.advance(by: .seconds(59))
        XCTAssertEqual(cache.offers(for: "a"), [offer], "59 s old: still fresh")
        await time.advance(by: .seconds(1))
        XCTAssertNil(cache.offers(for: "a"), "60 s old: expired")

        let lasting = OfferCache(lifetime: .seconds(60), capacity: 2)
        lasting.remember([offer], for: "a")
        lasting.remember([offer], for: "b")
        lasting.remember([offer], for: "c")
        XCTAssertNil(lasting.offers(for: "a"), "the oldest goes when full")
        XCTAssertNotNil(lasting.offers(for: "b"))
        XCTAssertNotNil(lasting.offers(for: "c"))
        lasting.forget("b")
        XCTAssertNil(lasting.offers(for: "b"))
    }
}
