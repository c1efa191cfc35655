import AsyncHTTPClient
import BigInt
import Foundation
import PaygentPaymentsAPI
import PaygentCrypto
import PaygentPaymentsTesting
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import PaygentX402
import PaygentX402HTTP
import XCTest

/// Findings 1 and 2 of the payments hardening, against the built `paygent-payments` and
/// `paygent-market`: no path spelling reaches paid data without paying, and one settled payment
/// buys exactly one response.
final class PaidRouteTests: XCTestCase {
    static let payee = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"

    /// Finding 1: `/prices/`, `//prices`, `/prices//`, `/summary/`, `///summary` were served free.
    func testEverySpellingOfAPaidRouteIsCharged() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        try await service.startMarket()
        let market = service.deployment.config.marketHTTP
        for path in ["/prices", "/prices/", "//prices", "/prices//", "/summary/", "///summary", "/summary", "/prices?x=1", "//prices/?"] {
            let reply = try RawHTTP.get(market, path)
            XCTAssertEqual(reply.status, 402, "\(path) must ask for payment, got \(reply.status): \(String(decoding: reply.body, as: UTF8.self))")
            XCTAssertFalse(String(decoding: reply.body, as: UTF8.self).contains("BTC"), "\(path) leaked the data")
            let required = try HeaderCodec.decode(PaymentRequired.self, from: try XCTUnwrap(reply.headers["payment-required"], path))
            XCTAssertTrue(required.resource?.url.hasSuffix(path.hasPrefix("///s") || path.hasPrefix("/s") ? "/summary" : "/prices") ?? false,
                "the resource is named by its route: \(required.resource?.url ?? "")")
        }
        for path in ["/nope", "/prices/extra", "/pricesx", "/PRICES"] {
            let reply = try RawHTTP.get(market, path)
            XCTAssertEqual(reply.status, 404, "\(path): unknown paths are 404 before any payment logic")
        }
        XCTAssertEqual(try RawHTTP.get(market, "/health").status, 200, "the free route stays free")

        // The wallet sees the price on a variant and refuses to pay more than its maximum.
        let wallet: WalletInfo = try await service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        try await service.fund(wallet.address, "1")
        do {
            let _: FetchReply = try await service.client.call(
                PaymentsMethod.fetch, FetchRequest(url: service.deployment.config.marketURL + "/prices/", wallet: "agent", maxAmount: "0"),
                deadline: .seconds(20))
            XCTFail("/prices/ costs 0.10, above a maximum of 0")
        } catch {
            XCTAssertEqual(error.code, .resourceExhausted, error.message)
        }
        // Paying a variant buys the data once.
        let paid: FetchReply = try await service.client.call(
            PaymentsMethod.fetch, FetchRequest(url: service.deployment.config.marketURL + "//prices/", wallet: "agent", maxAmount: "0.10"),
            deadline: .seconds(20))
        XCTAssertEqual(paid.status, 200)
        XCTAssertEqual(paid.payment?.settled, true, paid.payment?.error ?? "")
        let left = try await service.usdc(wallet.address)
        XCTAssertEqual(left, "900000")
        await service.stop()
    }

    /// Finding 2: 50 requests at once with one header, 10 rounds, served 204 responses for 10
    /// payments. Now: exactly one response and one settlement per header.
    func testOnePaymentHeaderBuysOneResponseEvenConcurrently() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        try await service.startMarket()
        let prices = service.deployment.config.marketURL + "/prices"
        let offers = try await X402HTTPClient(attempts: 20).quote(prices)
        let offer = try XCTUnwrap(offers.first)
        let key = try PrivateKey.generate()
        try await service.fund(key.address.eip55, "5")
        let served = Counter()
        let refusedWithReason = Counter()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        for _ in 0..<10 {
            let header = try ExactSigner.header(try ExactSigner.pay(offer, with: key, now: UInt64(Date().timeIntervalSince1970)))
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        var request = HTTPClientRequest(url: prices)
                        request.headers.add(name: "PAYMENT-SIGNATURE", value: header)
                        guard let response = try? await http.execute(request, timeout: .seconds(30)) else { return }
                        let body = try? await response.body.collect(upTo: 1 << 20)
                        if response.status.code == 200, let body, String(buffer: body).contains("BTC") { served.increment() }
                        if response.status.code == 402, let required = response.headers.first(name: "PAYMENT-REQUIRED"),
                            let decoded = try? HeaderCodec.decode(PaymentRequired.self, from: required),
                            decoded.error == "invalid_exact_evm_nonce_already_used" {
                            refusedWithReason.increment()
                        }
                    }
                }
            }
        }
        XCTAssertEqual(served.count, 10, "exactly one response per payment")
        XCTAssertEqual(refusedWithReason.count, 490, "every other request is refused with the reason")
        let payer = try await service.usdc(key.address.eip55)
        XCTAssertEqual(payer, "4000000", "exactly 10 payments of 0.10 settled")
        let history: LedgerHistoryReply = try await service.client.call(
            PaymentsMethod.ledgerHistory, LedgerHistoryRequest(owner: key.address.eip55, limit: 100))
        XCTAssertEqual(history.transactions.filter { $0.kind == "transfer" }.count, 10)
        try await http.shutdown()
        await service.stop()
    }

    /// Finding 2: a settle of another authorization with a used nonce answered `success: true`
    /// with the first receipt. Now it fails and moves nothing, over HTTP and RPC alike; and two
    /// authorizations sharing a nonce, settled at once, settle exactly one.
    func testAUsedNonceSettlesNothingElse() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let key = try PrivateKey.generate()
        try await service.fund(key.address.eip55, "20")
        let dead = "0x000000000000000000000000000000000000dEaD"
        let small = FacilitatorServiceTests.offer(resource: "http://market.test/prices")
        var large = small
        large.amount = "5000000"
        large.payTo = dead
        let nonce = try secureRandomBytes(32)
        let now = UInt64(Date().timeIntervalSince1970)
        let first = try ExactSigner.pay(small, with: key, now: now, nonce: nonce)
        let other = try ExactSigner.pay(large, with: key, now: now, nonce: nonce)
        let http = HTTPFacilitatorClient(baseURL: service.deployment.config.facilitatorURL)
        let settled = await http.settle(FacilitatorRequest(payment: first, offer: small))
        XCTAssertTrue(settled.success, settled.errorMessage ?? "")
        let stolen = await http.settle(FacilitatorRequest(payment: other, offer: large))
        XCTAssertFalse(stolen.success, "another authorization with a used nonce settles nothing")
        XCTAssertEqual(stolen.errorReason, "invalid_exact_evm_nonce_already_used")
        XCTAssertEqual(stolen.transaction, "")
        let overRPC: SettleResponse = try await service.client.call(
            PaymentsMethod.x402Settle, FacilitatorCall(paymentHeader: try ExactSigner.header(other), offer: large), idempotencyKey: "k1")
        XCTAssertFalse(overRPC.success)
        XCTAssertEqual(overRPC.errorReason, "invalid_exact_evm_nonce_already_used")
        let deadBalance = try await service.usdc(dead)
        XCTAssertEqual(deadBalance, "0")

        // Two authorizations with one nonce, settled concurrently: one wins, the other moves nothing.
        for round in 0..<5 {
            let shared = try secureRandomBytes(32)
            let a = FacilitatorCall(paymentHeader: try ExactSigner.header(try ExactSigner.pay(small, with: key, now: now, nonce: shared)), offer: small)
            let b = FacilitatorCall(paymentHeader: try ExactSigner.header(try ExactSigner.pay(large, with: key, now: now, nonce: shared)), offer: large)
            let client = service.client
            async let left: SettleResponse = client.call(PaymentsMethod.x402Settle, a, idempotencyKey: "a\(round)")
            async let right: SettleResponse = client.call(PaymentsMethod.x402Settle, b, idempotencyKey: "b\(round)")
            let results = try await [left, right]
            XCTAssertEqual(results.filter(\.success).count, 1, "round \(round): \(results)")
        }
        let payer = try await service.usdc(key.address.eip55)
        let deadAfter = try await service.usdc(dead)
        let market = try await service.usdc(FacilitatorServiceTests.payee)
        XCTAssertEqual(BigUInt(payer)! + BigUInt(deadAfter)! + BigUInt(market)!, 20_000_000, "nothing created or lost")
        let history: LedgerHistoryReply = try await service.client.call(
            PaymentsMethod.ledgerHistory, LedgerHistoryRequest(owner: key.address.eip55, limit: 100))
        XCTAssertEqual(history.transactions.filter { $0.kind == "transfer" }.count, 6, "the first payment and one per round")
        await service.stop()
    }

    /// An idempotency key reused with other contents is refused, not answered with the first reply.
    func testAnIdempotencyKeyNamesOneRequest() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let address = try PrivateKey.generate().address.eip55
        let _: LedgerReceipt = try await service.client.call(
            PaymentsMethod.faucet, FaucetRequest(to: address, token: "USDC", amount: "1"), idempotencyKey: "mint-1")
        let replay: LedgerReceipt = try await service.client.call(
            PaymentsMethod.faucet, FaucetRequest(to: address, token: "USDC", amount: "1"), idempotencyKey: "mint-1")
        XCTAssertEqual(replay.transactions.count, 1, "a retry gets the first answer")
        do {
            let _: LedgerReceipt = try await service.client.call(
                PaymentsMethod.faucet, FaucetRequest(to: address, token: "USDC", amount: "1000"), idempotencyKey: "mint-1")
            XCTFail("the same key with another amount must be refused")
        } catch {
            XCTAssertEqual(error.code, .conflict, error.message)
        }
        let balance = try await service.usdc(address)
        XCTAssertEqual(balance, "1000000")
        await service.stop()
    }
}
