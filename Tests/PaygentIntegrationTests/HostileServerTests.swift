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

/// Findings 3 and 5 of the payments hardening: servers that keep what the wallet signs, lie about
/// settlement, answer late or send too much. Whatever they do, the wallet spends no more than its
/// daily limit and every payment's record agrees with the ledger.
final class HostileServerTests: XCTestCase {
    func makeWallet(_ service: PaymentsTestService, limit: String? = "1") async throws -> WalletInfo {
        let wallet: WalletInfo = try await service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        try await service.fund(wallet.address, "10")
        if let limit {
            let _: WalletInfo = try await service.client.call(PaymentsMethod.walletLimit, WalletLimitRequest(wallet: "agent", token: "USDC", amount: limit))
        }
        return wallet
    }

    func fetch(_ service: PaymentsTestService, _ url: String, max: String = "0.5", timeout: Double? = nil) async throws(PaygentError) -> FetchReply {
        try await service.client.call(
            PaymentsMethod.fetch, FetchRequest(url: url, wallet: "agent", maxAmount: max, timeoutSeconds: timeout),
            deadline: .seconds((timeout ?? 30) + 5))
    }

    /// The records' view of a wallet: what its confirmed payments add up to, and what its limit
    /// says it spent today.
    func recorded(_ service: PaymentsTestService) async throws -> (confirmed: BigUInt, pending: Int, spentToday: String) {
        let list: PaymentListReply = try await service.client.call(PaymentsMethod.paymentList, PaymentListRequest(limit: 1000))
        let confirmed = list.payments.filter { $0.status == "confirmed" }.reduce(BigUInt(0)) { $0 + $1.amount.baseUnits }
        let wallets: WalletListReply = try await service.client.call(PaymentsMethod.walletList, WalletListRequest())
        let spent = wallets.wallets.first?.limits.first?.spentToday.description ?? "0"
        return (confirmed, list.payments.filter { $0.status == "pending" }.count, spent)
    }

    /// Finding 3: twelve fetches of 0.5 against a server that keeps every header and answers 402;
    /// the server then settles them all through the facilitator. Before: 6 USDC left a wallet
    /// limited to 1. Now every refused payment was cancelled on the ledger: nothing moves.
    func testAServerThatKeepsHeadersCannotSpendPastTheLimit() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let wallet = try await makeWallet(service)
        let hostile = HostileServer(behaviour: .keepAndRefuse, facilitatorURL: service.deployment.config.facilitatorURL)
        try await hostile.start()
        defer { Task { await hostile.stop() } }

        for _ in 0..<12 {
            let reply = try await fetch(service, hostile.url)
            XCTAssertEqual(reply.status, 402)
            XCTAssertEqual(reply.payment?.settled, false)
            XCTAssertTrue(reply.payment?.error?.contains("cancelled") ?? false, reply.payment?.error ?? "")
        }
        XCTAssertEqual(hostile.headers.count, 12)
        let now = UInt64(Date().timeIntervalSince1970)
        for header in hostile.headers {
            let payment = try HeaderCodec.decodePayment(header)
            let validBefore = try XCTUnwrap(UInt64(payment.exact.authorization.validBefore))
            XCTAssertLessThanOrEqual(validBefore, now + 300 + 5, "the server asked for an hour; the wallet signs at most 300 s")
        }

        // The server now tries to cash in what it kept.
        let facilitator = HTTPFacilitatorClient(baseURL: service.deployment.config.facilitatorURL)
        for header in hostile.headers {
            let settlement = await facilitator.settle(FacilitatorRequest(
                payment: try HeaderCodec.decodePayment(header), offer: Offer(hostile.requirements, resource: hostile.url)))
            XCTAssertFalse(settlement.success, "a cancelled authorization never settles")
            XCTAssertEqual(settlement.errorReason, "invalid_exact_evm_nonce_already_used")
        }
        let balance = try await service.usdc(wallet.address)
        XCTAssertEqual(balance, "10000000", "nothing left the wallet")
        let records = try await recorded(service)
        XCTAssertEqual(records.confirmed, 0)
        XCTAssertEqual(records.pending, 0)
        XCTAssertEqual(records.spentToday, "0")

        // The same wallet through the CLI, as a person would run it.
        let cli = try ChildProcess(
            "paygent", ["fetch", hostile.url, "--max", "0.5", "--wallet", "agent"], deployment: service.deployment, tag: "fetch")
        let status = await cli.waitForExit(timeout: .seconds(40))
        XCTAssertEqual(status, 1, cli.output)
        XCTAssertTrue(cli.output.contains("not settled") && cli.output.contains("cancelled"), cli.output)
        await service.stop()
    }

    /// Finding 3, the other way round: a server that settles each header and still answers 402.
    /// The ledger holds the settlement, so the record says confirmed and the spend counts.
    func testASettlementTheServerDeniesIsStillCounted() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let wallet = try await makeWallet(service)
        let liar = HostileServer(behaviour: .settleAndRefuse, facilitatorURL: service.deployment.config.facilitatorURL)
        try await liar.start()
        defer { Task { await liar.stop() } }
        var limited = 0
        for _ in 0..<4 {
            do {
                let reply = try await fetch(service, liar.url)
                XCTAssertEqual(reply.payment?.settled, true, "settled on the ledger, whatever the server says")
            } catch {
                XCTAssertEqual(error.code, .resourceExhausted, error.message)
                limited += 1
            }
        }
        XCTAssertEqual(limited, 2, "two payments of 0.5 fill the limit of 1")
        let balance = try await service.usdc(wallet.address)
        XCTAssertEqual(balance, "9000000")
        let records = try await recorded(service)
        XCTAssertEqual(records.confirmed, 1_000_000, "what the records say it spent equals what left it")
        XCTAssertEqual(records.spentToday, "1000000")
        await service.stop()
    }

    /// A fetch retried with its idempotency key after the service restarted (its in-memory reply
    /// cache is gone) must not sign a second payment under the first one's spend: the key's
    /// spend is already recorded, so the retry is refused and only one payment leaves the wallet.
    func testAFetchKeyReusedAfterARestartPaysOnce() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let wallet = try await makeWallet(service, limit: "5")
        let honest = HostileServer(behaviour: .settleWithBody(bytes: 16), facilitatorURL: service.deployment.config.facilitatorURL)
        try await honest.start()
        defer { Task { await honest.stop() } }
        let request = FetchRequest(url: honest.url, wallet: "agent", maxAmount: "0.5")
        let first: FetchReply = try await service.client.call(PaymentsMethod.fetch, request, deadline: .seconds(20), idempotencyKey: "buy-1")
        XCTAssertEqual(first.payment?.settled, true, first.payment?.error ?? "")
        await service.payments.stop()
        try await service.restart()
        do {
            let _: FetchReply = try await service.client.call(PaymentsMethod.fetch, request, deadline: .seconds(20), idempotencyKey: "buy-1")
            XCTFail("a key whose payment was made must not pay again")
        } catch {
            XCTAssertEqual(error.code, .conflict, error.message)
        }
        XCTAssertEqual(honest.headers.count, 1, "one payment signed")
        let balance = try await service.usdc(wallet.address)
        XCTAssertEqual(balance, "9500000")
        let records = try await recorded(service)
        XCTAssertEqual(records.confirmed, 500_000)
        XCTAssertEqual(records.spentToday, "500000")
        await service.stop()
    }

    /// Finding 5: a server that settles and answers after the caller's time; one that answers late
    /// without settling; a paid body too large to return. The answer says what happened, and the
    /// record matches the ledger.
    func testLateAndOversizedAnswersKeepRecordAndLedgerInAgreement() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let wallet = try await makeWallet(service, limit: nil)
        let url = service.deployment.config.facilitatorURL
        let late = HostileServer(behaviour: .settleThenStall(seconds: 6), facilitatorURL: url)
        let stall = HostileServer(behaviour: .stall(seconds: 6), facilitatorURL: url)
        let huge = HostileServer(behaviour: .settleWithBody(bytes: 6 << 20), facilitatorURL: url)
        let huger = HostileServer(behaviour: .settleWithBody(bytes: 9 << 20), facilitatorURL: url)
        for server in [late, stall, huge, huger] { try await server.start() }
        defer { Task { for server in [late, stall, huge, huger] { await server.stop() } } }

        // Settled, then no answer within the 3 s allowed: the error says it was settled.
        let started = ContinuousClock.now
        do {
            _ = try await fetch(service, late.url, timeout: 3)
            XCTFail("no answer within 3 s")
        } catch {
            XCTAssertEqual(error.code, .unavailable)
            XCTAssertTrue(error.message.contains("was settled"), error.message)
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5), "the fetch ends within its timeout")
        // Not settled, no answer in time: cancelled, and the server's later settle fails.
        do {
            _ = try await fetch(service, stall.url, timeout: 3)
            XCTFail("no answer within 3 s")
        } catch {
            XCTAssertTrue(error.message.contains("cancelled, nothing was spent"), error.message)
        }
        let facilitator = HTTPFacilitatorClient(baseURL: url)
        let kept = try XCTUnwrap(stall.headers.first)
        let cashIn = await facilitator.settle(FacilitatorRequest(
            payment: try HeaderCodec.decodePayment(kept), offer: Offer(stall.requirements, resource: stall.url)))
        XCTAssertFalse(cashIn.success)

        // Paid bodies of 6 and 9 MiB: the receipt comes back, the body does not, and says why.
        for server in [huge, huger] {
            let reply = try await fetch(service, server.url)
            XCTAssertEqual(reply.status, 200)
            XCTAssertEqual(reply.payment?.settled, true, reply.payment?.error ?? "")
            XCTAssertEqual(reply.payment?.transaction.count, 66)
            XCTAssertTrue(reply.body.isEmpty)
            XCTAssertTrue(reply.problem?.contains("not returned") ?? false, reply.problem ?? "no problem reported")
        }
        let balance = try await service.usdc(wallet.address)
        XCTAssertEqual(balance, "8500000", "three payments of 0.5 settled: late, 6 MiB, 9 MiB")
        let records = try await recorded(service)
        XCTAssertEqual(records.confirmed, 1_500_000)
        XCTAssertEqual(records.pending, 0)
        await service.stop()
    }
}
