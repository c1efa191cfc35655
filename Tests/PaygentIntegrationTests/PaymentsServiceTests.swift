import BigInt
import Foundation
import PaygentPaymentsAPI
import PaygentCrypto
import PaygentPaymentsTesting
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest
import PaygentMoney

/// The payments service over RPC: faucet, balances, settlement of signed transfers (all or
/// nothing, replays refused, idempotent), and nothing lost across a SIGKILL.
final class PaymentsServiceTests: XCTestCase {
    let usdcAddress = "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0"

    func signed(_ key: PrivateKey, to: Address, value: BigUInt, nonce: [UInt8]? = nil) throws -> SignedTransferMessage {
        let now = UInt64(Date().timeIntervalSince1970)
        let authorization = TransferWithAuthorization(
            from: key.address, to: to, value: value, validAfter: 0, validBefore: BigUInt(now + 300),
            nonce: nonce ?? (0..<32).map { _ in UInt8.random(in: 0...255) })
        let domain = TokenDomain(name: "Bridged USDC (Stargate)", version: "1", chainID: 338, verifyingContract: try Address(usdcAddress))
        let signature = try authorization.sign(with: key, domain: domain)
        return SignedTransferMessage(
            token: usdcAddress, from: key.address.eip55, to: to.eip55, value: try Amount(baseUnits: value),
            validAfter: "0", validBefore: "\(now + 300)", nonce: Data(authorization.nonce), signature: Data(signature.bytes))
    }


    func testFaucetSettleReplayAndCrash() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let client = service.client
        let alice = try PrivateKey.generate()
        let bob = try PrivateKey.generate()

        let tokens: TokensReply = try await client.call(PaymentsMethod.tokens, TokensRequest())
        XCTAssertEqual(tokens.chainID, 338)
        XCTAssertEqual(tokens.tokens.map(\.symbol), ["CRO", "WCRO", "USDC", "USDT", "VVS", "WBTC", "WETH"])

        let minted: LedgerReceipt = try await client.call(
            PaymentsMethod.faucet, FaucetRequest(to: alice.address.eip55, token: "USDC", amount: "10"), idempotencyKey: "fund-alice")
        XCTAssertEqual(minted.transactions.first?.value.description, "10000000")
        let mintedAgain: LedgerReceipt = try await client.call(
            PaymentsMethod.faucet, FaucetRequest(to: alice.address.eip55, token: "USDC", amount: "10"), idempotencyKey: "fund-alice")
        XCTAssertEqual(mintedAgain.transactions, minted.transactions, "a retry gets the first answer")
        let afterMint = try await service.usdc(alice.address.eip55)
        XCTAssertEqual(afterMint, "10000000")

        // A signed transfer moves exactly its value; the same authorization again is refused.
        let payment = try signed(alice, to: bob.address, value: 100_000)
        let receipt: LedgerReceipt = try await client.call(PaymentsMethod.settle, SettleRequest(transfers: [payment]))
        XCTAssertEqual(receipt.transactions.count, 1)
        let aliceAfter = try await service.usdc(alice.address.eip55)
        let bobAfter = try await service.usdc(bob.address.eip55)
        XCTAssertEqual(aliceAfter, "9900000")
        XCTAssertEqual(bobAfter, "100000")
        do {
            let _: LedgerReceipt = try await client.call(PaymentsMethod.settle, SettleRequest(transfers: [payment]))
            XCTFail("a replay must be refused")
        } catch {
            XCTAssertEqual(error.code, .conflict)
            XCTAssertTrue(error.message.contains("invalid_exact_evm_nonce_already_used"), error.message)
        }

        // A batch with one bad transfer moves nothing.
        let good = try signed(alice, to: bob.address, value: 1)
        let forged = try signed(bob, to: alice.address, value: 1_000_000)
        do {
            let _: LedgerReceipt = try await client.call(PaymentsMethod.settle, SettleRequest(transfers: [good, forged]))
            XCTFail("bob cannot spend what he does not have")
        } catch {
            XCTAssertEqual(error.code, .failedPrecondition)
        }
        let bobUnchanged = try await service.usdc(bob.address.eip55)
        XCTAssertEqual(bobUnchanged, "100000")

        let streamCount = 200
        // SIGKILL in the middle of a stream of settlements, restart: every settlement is applied
        // exactly once or reported failed, and the balances add up to what was minted.
        let stream = try (0..<streamCount).map { _ in try signed(alice, to: bob.address, value: 1_000) }
        async let outcomes: [Int: Bool] = withTaskGroup(of: (Int, Bool).self) { group in
            for (index, transfer) in stream.enumerated() {
                group.addTask {
                    do {
                        let _: LedgerReceipt = try await client.call(
                            PaymentsMethod.settle, SettleRequest(transfers: [transfer]), deadline: .seconds(3),
                            idempotencyKey: "stream-\(index)")
                        return (index, true)
                    } catch {
                        return (index, false)
                    }
                }
            }
            var all: [Int: Bool] = [:]
            for await (index, outcome) in group { all[index] = outcome }
            return all
        }
        try await Task.sleep(for: .milliseconds(60))
        service.kill()
        let reported = await outcomes
        let done = reported.values.filter { $0 }.count
        print("settlements reported done before the SIGKILL: \(done) of \(streamCount)")
        _ = await service.payments.waitForExit(timeout: .seconds(5))
        try await service.restart()

        // Retrying every settlement with its idempotency key settles the rest and replays the done.
        for (index, transfer) in stream.enumerated() {
            let retry: LedgerReceipt = try await client.call(
                PaymentsMethod.settle, SettleRequest(transfers: [transfer]), deadline: .seconds(5), idempotencyKey: "stream-\(index)")
            if reported[index] == true { XCTAssertTrue(retry.replayed, "settlement \(index) was reported done, so the retry replays it") }
        }
        let aliceFinal = try await service.usdc(alice.address.eip55)
        let bobFinal = try await service.usdc(bob.address.eip55)
        XCTAssertEqual(aliceFinal, "\(9_900_000 - streamCount * 1_000)")
        XCTAssertEqual(bobFinal, "\(100_000 + streamCount * 1_000)")
        let history: LedgerHistoryReply = try await client.call(
            PaymentsMethod.ledgerHistory, LedgerHistoryRequest(owner: bob.address.eip55, limit: 1000))
        XCTAssertEqual(history.transactions.count, streamCount + 1, "one entry per settlement, none twice")
        await service.stop()
    }
}
