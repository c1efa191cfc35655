import Foundation
import PaygentCrypto
import PaygentKeystore
import PaygentPaymentsAPI
import PaygentPaymentsTesting
import PaygentRegistryAPI
import PaygentTestSupport
import PaygentTransport
import PaygentX402
import XCTest

/// Subscriptions through the built executables (payments, registry, the sample API and the CLI),
/// attacked from outside: replayed and concurrent proofs, proofs for another site, by a wallet
/// without a subscription, stale, malformed, on a pay-per-call route; and the registry killed
/// while a period's payment is in flight.
final class SubscriptionAttackTests: XCTestCase {
    static let feedService = "svc_000000000007"
    static let payee = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"

    /// The wallet "agent", with a key the test knows (imported), so it can sign proofs itself.
    func importAgent(_ service: PaymentsTestService, key: PrivateKey) async throws {
        let keystore = try Keystore.encrypt(key, password: "agent password", strength: .light)
        let json = String(decoding: try JSONEncoder().encode(keystore), as: UTF8.self)
        let _: WalletInfo = try await service.client.call(
            PaymentsMethod.walletImport, WalletImportRequest(name: "agent", keystore: json, password: "agent password"))
    }

    func paygent(_ deployment: TestDeployment, _ arguments: [String]) async throws -> (Int32?, String) {
        let child = try ChildProcess("paygent", arguments, deployment: deployment, tag: "paygent")
        return (await child.waitForExit(timeout: .seconds(30)), child.output)
    }

    func proof(_ key: PrivateKey, domain: String, uri: String, issuedAt: Date = Date(), nonce: String? = nil) throws -> String {
        let challenge = SignInChallenge(
            domain: domain, uri: uri, nonce: nonce ?? UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased(), issuedAt: issuedAt,
            statement: "test")
        return try SignInProof.sign(challenge, chainId: "eip155:338", with: key).header()
    }

    func error402(_ reply: RawHTTP.Reply) -> String {
        guard let header = reply.headers.first(where: { $0.key.lowercased() == "payment-required" })?.value,
            let required = try? HeaderCodec.decode(PaymentRequired.self, from: header)
        else { return "(no PAYMENT-REQUIRED)" }
        return required.error ?? ""
    }

    func testSubscribersAreServedAndEveryForgeryIsRefused() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let deployment = service.deployment
        let registry = try await startService(.registry, deployment: deployment, context: service.context)
        defer { registry.signal(SIGKILL) }
        try await service.startMarket()
        let key = try PrivateKey.generate()
        try await importAgent(service, key: key)
        try await service.fund(key.address.eip55, "5")
        let host = deployment.config.marketHTTP
        let feed = "http://\(host)/feed"

        let (subscribed, subscribeOutput) = try await paygent(deployment, ["subscriptions", "subscribe", Self.feedService, "--wallet", "agent"])
        XCTAssertEqual(subscribed, 0, subscribeOutput)
        XCTAssertTrue(subscribeOutput.contains("Market data: feed (subscription), active until"), subscribeOutput)
        XCTAssertTrue(subscribeOutput.contains("paid 1.00 USDC to \(Self.payee), tx 0x"), subscribeOutput)
        let (_, list) = try await paygent(deployment, ["subscriptions", "list"])
        XCTAssertTrue(list.contains("active") && list.contains("agent") && list.contains("1.00 USDC/1d"), list)

        let (fetched, fetchOutput) = try await paygent(deployment, ["fetch", feed, "--wallet", "agent", "--max", "0.10"])
        XCTAssertEqual(fetched, 0, fetchOutput)
        XCTAssertTrue(fetchOutput.contains("no payment: served on subscription sub_"), fetchOutput)
        let balance1 = try await service.usdc(Self.payee)
        XCTAssertEqual(balance1, "1000000", "the period, and no per-call payment")

        // A proof of the subscriber is served once; sent again, refused.
        let good = try proof(key, domain: host, uri: feed)
        XCTAssertEqual(try RawHTTP.get(host, "/feed", headers: [SignInWithX.header: good]).status, 200)
        let replayed = try RawHTTP.get(host, "/feed", headers: [SignInWithX.header: good])
        XCTAssertEqual(replayed.status, 402)
        XCTAssertTrue(error402(replayed).contains("nonce was already used"), error402(replayed))

        // The same fresh proof ten times at once: served exactly once.
        let once = try proof(key, domain: host, uri: feed)
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<10 { group.addTask { (try? RawHTTP.get(host, "/feed", headers: [SignInWithX.header: once]).status) ?? 0 } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(statuses.filter { $0 == 200 }.count, 1, "\(statuses)")
        XCTAssertEqual(statuses.filter { $0 == 402 }.count, 9, "\(statuses)")

        // Forgeries and look-alikes, each refused with its reason; nothing served free.
        let stranger = try PrivateKey.generate()
        let refusals: [(String, String, String)] = [
            ("/feed", try proof(key, domain: "localhost:\(host.split(separator: ":")[1])", uri: feed), "the proof is for localhost"),
            ("/feed", try proof(key, domain: "paygent.example", uri: "https://paygent.example/feed"), "the proof is for paygent.example"),
            ("/feed", try proof(stranger, domain: host, uri: feed), "has no subscription to \(feed)"),
            ("/feed", try proof(key, domain: host, uri: feed, issuedAt: Date().addingTimeInterval(-360)), "more than 300 seconds ago"),
            ("/feed", try proof(key, domain: host, uri: feed, issuedAt: Date().addingTimeInterval(120)), "issuedAt is in the future"),
            ("/feed", "bm90IGpzb24=", "not a sign-in-with-x proof (malformed)"),
            ("/feed", "%%%", "not base64 JSON"),
            ("/feed", String(repeating: "A", count: 9000), "longer than 8 KiB"),
            ("/prices", try proof(key, domain: host, uri: "http://\(host)/prices"), "Payment required"),
        ]
        for (path, header, reason) in refusals {
            let reply = try RawHTTP.get(host, path, headers: [SignInWithX.header: header])
            XCTAssertEqual(reply.status, 402, "\(path) \(reason)")
            XCTAssertTrue(error402(reply).contains(reason), "\(reason): \(error402(reply))")
        }
        var tampered = try SignInProof.parse(header: try proof(key, domain: host, uri: feed))
        tampered.address = stranger.address.eip55
        let forged = try RawHTTP.get(host, "/feed", headers: [SignInWithX.header: try tampered.header()])
        XCTAssertTrue(error402(forged).contains("the signature is not by"), error402(forged))

        // Other spellings of the route are the route: served on a good proof, 402 without one.
        for path in ["/feed/", "//feed", "/feed?x=1"] {
            XCTAssertEqual(try RawHTTP.get(host, path, headers: [SignInWithX.header: try proof(key, domain: host, uri: feed)]).status, 200, path)
            XCTAssertEqual(try RawHTTP.get(host, path).status, 402, path)
        }
        // The 402 declares the challenge, bound to the server's origin.
        let challenge = try RawHTTP.get(host, "/feed")
        let header = try XCTUnwrap(challenge.headers.first { $0.key.lowercased() == "payment-required" }?.value)
        let declared = try HeaderCodec.decode(PaymentRequired.self, from: header)
        let info = try XCTUnwrap(SignInWithX.challenge(in: declared.extensions, chainId: "eip155:338"))
        XCTAssertEqual(info.domain, host)
        XCTAssertEqual(info.uri, feed)
        XCTAssertEqual(info.nonce.count, 32)
        let balance2 = try await service.usdc(Self.payee)
        XCTAssertEqual(balance2, "1000000", "nothing paid, nothing served free")

        let id = String(try XCTUnwrap(list.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("sub_") }))
        let (cancelled, cancelOutput) = try await paygent(deployment, ["subscriptions", "cancel", id])
        XCTAssertEqual(cancelled, 0, cancelOutput)
        XCTAssertTrue(cancelOutput.contains("cancelled; served until"), cancelOutput)
        let (badService, badOutput) = try await paygent(deployment, ["subscriptions", "subscribe", "svc_000000000001", "--wallet", "agent"])
        XCTAssertEqual(badService, 1, badOutput)
        XCTAssertTrue(badOutput.contains("only subscription-priced services take subscriptions"), badOutput)
        await service.stop()
    }

    /// The registry is killed the moment it has recorded a period's payment as pending (the
    /// transfer sent or about to be). Restarted, it sends the pending payment again under the same
    /// key: the payments service pays it once or answers its first receipt, and the period is paid
    /// exactly once whichever side of the transfer the kill fell on.
    func testARegistryKilledDuringAPeriodPaymentPaysItOnce() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let deployment = service.deployment
        var registry = try await startService(.registry, deployment: deployment, context: service.context)
        defer { registry.signal(SIGKILL) }
        let key = try PrivateKey.generate()
        try await importAgent(service, key: key)
        try await service.fund(key.address.eip55, "5")
        let watcher = try RPCClient(endpoint: deployment.config.endpoints(.registry).rpc, serviceName: "registry", context: service.context)

        let subscribing = try ChildProcess(
            "paygent", ["subscriptions", "subscribe", Self.feedService, "--wallet", "agent"], deployment: deployment, tag: "subscribe")
        defer { subscribing.signal(SIGKILL) }
        var seen: SubscriptionStatus?
        let watch = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < watch, seen == nil {
            seen = try? await watcher.call(RegistryMethod.subscriptions, SubscriptionListRequest(), deadline: .seconds(1)).subscriptions.first?.status
        }
        registry.signal(SIGKILL)
        _ = await registry.waitForExit()
        watcher.close()
        print("registry killed with the subscription \(seen.map(\.rawValue) ?? "not yet written")")
        _ = await subscribing.waitForExit(timeout: .seconds(30))

        registry = try await startService(.registry, deployment: deployment, context: service.context)
        let client = try RPCClient(endpoint: deployment.config.endpoints(.registry).rpc, serviceName: "registry", context: service.context)
        defer { client.close() }
        var subscription: Subscription?
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            subscription = try? await client.call(RegistryMethod.subscriptions, SubscriptionListRequest()).subscriptions.first
            if subscription?.status == .active { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertEqual(subscription?.status, .active, "\(String(describing: subscription))")
        XCTAssertEqual(subscription?.payments.count, 1)
        let balance3 = try await service.usdc(Self.payee)
        XCTAssertEqual(balance3, "1000000", "one period paid, once")
        let balance4 = try await service.usdc(key.address.eip55)
        XCTAssertEqual(balance4, "4000000")
        await service.stop()
    }
}
