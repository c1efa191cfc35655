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

/// Findings 8 and 9 of the payments hardening: look-alike wallet names, value-0 payments, the
/// zero address, connections held open, and dates in `--json`.
final class HardeningSmallTests: XCTestCase {
    /// Finding 8: NFC and NFD "café" were two wallets; full-width names were accepted.
    func testWalletNamesAreNormalisedAndLookAlikesRefused() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let client = service.client
        let nfc = "caf\u{E9}"
        let nfd = "cafe\u{301}"
        let created: WalletInfo = try await client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: nfc))
        for lookAlike in [nfd, "CAF\u{C9}", "Caf\u{E9}"] {
            do {
                let _: WalletInfo = try await client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: lookAlike))
                XCTFail("'\(lookAlike)' looks like '\(nfc)'")
            } catch {
                XCTAssertEqual(error.code, .conflict, error.message)
            }
        }
        for refused in ["\u{FF41}\u{FF47}\u{FF45}\u{FF4E}\u{FF54}", "agent\u{200B}", "a b", "pay/../x", "", String(repeating: "a", count: 65), "\u{1D41A}gent"] {
            do {
                let _: WalletInfo = try await client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: refused))
                XCTFail("'\(refused)' must be refused")
            } catch {
                XCTAssertEqual(error.code, .badRequest, "\(refused): \(error.message)")
            }
        }
        // The NFD spelling finds the NFC wallet, for reading and for spending.
        try await service.fund(created.address, "1")
        let balance: BalancesReply = try await client.call(PaymentsMethod.balances, BalancesRequest(owner: created.address))
        XCTAssertEqual(balance.owner, created.address)
        let list: WalletListReply = try await client.call(PaymentsMethod.walletList, WalletListRequest())
        XCTAssertEqual(list.wallets.map(\.name), [nfc])
        let to = try PrivateKey.generate().address.eip55
        let _: LedgerReceipt = try await client.call(
            PaymentsMethod.walletTransfer, WalletTransferRequest(wallet: nfd, to: to, token: "USDC", amount: "0.25"))
        let left = try await service.usdc(created.address)
        XCTAssertEqual(left, "750000", "the NFD name spent from the one wallet")
        // Through the CLI too.
        let cli = try ChildProcess("paygent", ["wallet", "balance", nfd], deployment: service.deployment, tag: "balance")
        _ = await cli.waitForExit(timeout: .seconds(20))
        XCTAssertTrue(cli.output.contains(created.address), cli.output)
        await service.stop()
    }

    /// Finding 9: value 0 verified; the zero address received; `--json` dates were seconds since 2001.
    func testValueZeroZeroAddressAndISODates() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let key = try PrivateKey.generate()
        try await service.fund(key.address.eip55, "1")
        var offer = FacilitatorServiceTests.offer(resource: "http://x.test/")
        offer.amount = "0"
        let zero = try ExactSigner.pay(offer, with: key, now: UInt64(Date().timeIntervalSince1970))
        let http = HTTPFacilitatorClient(baseURL: service.deployment.config.facilitatorURL)
        let verified = await http.verify(FacilitatorRequest(payment: zero, offer: offer))
        XCTAssertFalse(verified.isValid, "a payment of 0 is invalid at verify, as at settle")
        XCTAssertEqual(verified.invalidReason, "invalid_exact_evm_payload_authorization_value")

        var toZero = FacilitatorServiceTests.offer(resource: "http://x.test/")
        toZero.payTo = "0x0000000000000000000000000000000000000000"
        let burn = try ExactSigner.pay(toZero, with: key, now: UInt64(Date().timeIntervalSince1970))
        let burnVerified = await http.verify(FacilitatorRequest(payment: burn, offer: toZero))
        XCTAssertFalse(burnVerified.isValid)
        let burnSettled = await http.settle(FacilitatorRequest(payment: burn, offer: toZero))
        XCTAssertFalse(burnSettled.success)
        let _: WalletInfo = try await service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        do {
            let _: LedgerReceipt = try await service.client.call(
                PaymentsMethod.walletTransfer,
                WalletTransferRequest(wallet: "agent", to: "0x0000000000000000000000000000000000000000", token: "USDC", amount: "0.1"))
            XCTFail("the zero address cannot receive")
        } catch {
            XCTAssertTrue(error.message.contains("zero address"), error.message)
        }
        let left = try await service.usdc(key.address.eip55)
        XCTAssertEqual(left, "1000000")

        let cli = try ChildProcess("paygent", ["wallet", "list", "--json"], deployment: service.deployment, tag: "list")
        _ = await cli.waitForExit(timeout: .seconds(20))
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(cli.output.utf8)) as? [String: Any], cli.output)
        let created = try XCTUnwrap((rows["wallets"] as? [[String: Any]])?.first?["createdAt"] as? String, cli.output)
        XCTAssertNotNil(ISO8601DateFormatter().date(from: created), "an ISO 8601 date, not \(created)")
        await service.stop()
    }

    /// Found while building swaps: a value just above 2^64 took EIP-3009's 64-bit fast path and
    /// trapped, so one payment header with such a value, sent to the facilitator's open HTTP API,
    /// killed the payments service; and a wallet transfer of more than 18.44 CRO did the same.
    func testValuesAboveSixtyFourBitsAreAnsweredNotFatal() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let key = try PrivateKey.generate()
        var offer = FacilitatorServiceTests.offer(resource: "http://x.test/")
        offer.amount = "18446744073709551617"
        let huge = try ExactSigner.pay(offer, with: key, now: UInt64(Date().timeIntervalSince1970))
        let http = HTTPFacilitatorClient(baseURL: service.deployment.config.facilitatorURL)
        let verified = await http.verify(FacilitatorRequest(payment: huge, offer: offer))
        XCTAssertFalse(verified.isValid)
        XCTAssertEqual(verified.invalidReason, "invalid_exact_evm_insufficient_balance", verified.invalidMessage ?? "")
        XCTAssertTrue(service.payments.isRunning, "the facilitator survives the header")

        let wallet: WalletInfo = try await service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        let _: LedgerReceipt = try await service.client.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: "CRO", amount: "100"))
        let sent: LedgerReceipt = try await service.client.call(
            PaymentsMethod.walletTransfer, WalletTransferRequest(wallet: "agent", to: key.address.eip55, token: "CRO", amount: "20"))
        XCTAssertEqual(sent.transactions.first?.value.description, "20000000000000000000")
        XCTAssertTrue(service.payments.isRunning)
        await service.stop()
    }

    /// Finding 9: 4,000 connections held open for 30 s. Both HTTP servers now close a connection
    /// that is idle, or stalls in the middle of its request head, after 10 s.
    func testHTTPServersCloseIdleAndHalfSentConnections() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        try await service.startMarket()
        var sockets: [(String, Int32)] = []
        for hostPort in [service.deployment.config.marketHTTP, service.deployment.config.facilitatorHTTP] {
            let idle = try RawHTTP.connect(hostPort)
            let halfSent = try RawHTTP.connect(hostPort)
            try RawHTTP.send(halfSent, Data("GET /prices HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8))
            sockets += [("\(hostPort) idle", idle), ("\(hostPort) half-sent", halfSent)]
        }
        let started = ContinuousClock.now
        for (name, fd) in sockets {
            XCTAssertTrue(RawHTTP.closedByPeer(fd, within: 15), "\(name) is still open after 15 s")
            close(fd)
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(15))
        await service.stop()
    }
}
