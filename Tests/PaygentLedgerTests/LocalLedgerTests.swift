import BigInt
import Foundation
import GRDB
import PaygentCrypto
import PaygentLedger
import XCTest

final class LocalLedgerTests: XCTestCase {
    let alice = try! PrivateKey.generate()
    let bob = try! PrivateKey.generate()
    let usdc = LedgerToken.catalog.first { $0.symbol == "USDC" }!
    let now = Date(timeIntervalSince1970: 1_767_225_600)

    func ledger(path: String? = nil) throws -> LocalLedger {
        let fixed = now
        return try LocalLedger(path: path, chainID: 338, now: { fixed })
    }

    func transfer(
        from key: PrivateKey, to: Address, value: BigUInt, token: LedgerToken? = nil, validAfter: UInt64 = 0,
        validBefore: UInt64 = 1_767_225_900, signer: PrivateKey? = nil, nonce: [UInt8]? = nil
    ) throws -> SignedTransfer {
        let token = token ?? usdc
        let authorization = TransferWithAuthorization(
            from: key.address, to: to, value: value, validAfter: BigUInt(validAfter), validBefore: BigUInt(validBefore),
            nonce: nonce ?? (0..<32).map { _ in UInt8.random(in: 0...255) })
        let signature = try authorization.sign(with: signer ?? key, domain: token.domain(chainID: 338))
        return SignedTransfer(token: token.address, authorization: authorization, signature: signature)
    }

    func testTransferMovesExactlyTheValueAndIsLogged() async throws {
        let ledger = try ledger()
        _ = try await ledger.mint(token: usdc.address, to: alice.address, amount: 1_000_000)
        let payment = try transfer(from: alice, to: bob.address, value: 100_000)
        let receipt = try await ledger.settle([payment], idempotencyKey: nil)
        XCTAssertEqual(receipt.transactions.count, 1)
        XCTAssertFalse(receipt.replayed)
        let value1 = try await ledger.balance(token: usdc.address, owner: alice.address)
        XCTAssertEqual(value1, 900_000)
        let value2 = try await ledger.balance(token: usdc.address, owner: bob.address)
        XCTAssertEqual(value2, 100_000)
        let value3 = try await ledger.authorizationUsed(token: usdc.address, authorizer: alice.address, nonce: payment.authorization.nonce)
        XCTAssertTrue(value3)
        let log = try await ledger.transactions(owner: bob.address)
        XCTAssertEqual(log.map(\.kind), [.transfer])
        XCTAssertEqual(log.first?.value, "100000")
        XCTAssertEqual(log.first?.hash.count, 66)

        // The same authorization again: refused, nothing moves.
        do throws(LedgerError) {
            _ = try await ledger.settle([payment], idempotencyKey: nil)
            XCTFail("a replay must be refused")
        } catch {
            XCTAssertEqual(error.kind, .nonceUsed)
        }
        let value4 = try await ledger.balance(token: usdc.address, owner: bob.address)
        XCTAssertEqual(value4, 100_000)
    }

    func testRefusalsMoveNothing() async throws {
        let ledger = try ledger()
        _ = try await ledger.mint(token: usdc.address, to: alice.address, amount: 50_000)
        let cases: [(SignedTransfer, LedgerError.Kind)] = [
            (try transfer(from: alice, to: bob.address, value: 10_000, signer: bob), .badSignature),
            (try transfer(from: alice, to: bob.address, value: 10_000, validBefore: 1_767_225_600), .expired),
            (try transfer(from: alice, to: bob.address, value: 10_000, validAfter: 1_767_225_601), .notYetValid),
            (try transfer(from: alice, to: bob.address, value: 50_001), .insufficientBalance),
            (try transfer(from: alice, to: bob.address, value: 0), .invalidAmount),
        ]
        for (payment, kind) in cases {
            do throws(LedgerError) {
                _ = try await ledger.settle([payment], idempotencyKey: nil)
                XCTFail("expected \(kind)")
            } catch {
                XCTAssertEqual(error.kind, kind, error.message)
            }
        }
        // A token this chain does not have.
        var foreign = try transfer(from: alice, to: bob.address, value: 1)
        foreign.token = try Address("0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913")
        do throws(LedgerError) {
            _ = try await ledger.settle([foreign], idempotencyKey: nil)
            XCTFail("expected unknownToken")
        } catch {
            XCTAssertEqual(error.kind, .unknownToken)
        }
        let value5 = try await ledger.balance(token: usdc.address, owner: alice.address)
        XCTAssertEqual(value5, 50_000)
        let value1 = try await ledger.transactions()
        XCTAssertEqual(value1.count, 1, "only the mint")
    }

    func testBatchesAreAllOrNothing() async throws {
        let ledger = try ledger()
        let carol = try PrivateKey.generate()
        _ = try await ledger.mint(token: usdc.address, to: alice.address, amount: 100)
        let first = try transfer(from: alice, to: bob.address, value: 60)
        let second = try transfer(from: alice, to: carol.address, value: 60)
        do throws(LedgerError) {
            _ = try await ledger.settle([first, second], idempotencyKey: nil)
            XCTFail("the second transfer overdraws")
        } catch {
            XCTAssertEqual(error.kind, .insufficientBalance)
            XCTAssertEqual(error.index, 1)
        }
        let value6 = try await ledger.balance(token: usdc.address, owner: alice.address)
        XCTAssertEqual(value6, 100)
        let value7 = try await ledger.balance(token: usdc.address, owner: bob.address)
        XCTAssertEqual(value7, 0)
        let value8 = try await ledger.authorizationUsed(token: usdc.address, authorizer: alice.address, nonce: first.authorization.nonce)
        XCTAssertFalse(value8)

        // The same nonce twice in one batch is a replay too.
        let nonce = [UInt8](repeating: 7, count: 32)
        let twice = [try transfer(from: alice, to: bob.address, value: 1, nonce: nonce), try transfer(from: alice, to: bob.address, value: 1, nonce: nonce)]
        do throws(LedgerError) {
            _ = try await ledger.settle(twice, idempotencyKey: nil)
            XCTFail("expected nonceUsed")
        } catch {
            XCTAssertEqual(error.kind, .nonceUsed)
            XCTAssertEqual(error.index, 1)
        }
        let ok = try await ledger.settle([first, try transfer(from: alice, to: carol.address, value: 40)], idempotencyKey: nil)
        XCTAssertEqual(ok.transactions.count, 2)
        let value9 = try await ledger.balance(token: usdc.address, owner: alice.address)
        XCTAssertEqual(value9, 0)
    }

    func testIdempotencyKeyAppliesOnce() async throws {
        let ledger = try ledger()
        _ = try await ledger.mint(token: usdc.address, to: alice.address, amount: 1_000, idempotencyKey: "faucet-1")
        let again = try await ledger.mint(token: usdc.address, to: alice.address, amount: 1_000, idempotencyKey: "faucet-1")
        XCTAssertTrue(again.replayed)
        let value10 = try await ledger.balance(token: usdc.address, owner: alice.address)
        XCTAssertEqual(value10, 1_000)

        let payment = try transfer(from: alice, to: bob.address, value: 300)
        let first = try await ledger.settle([payment], idempotencyKey: "settle-abc")
        let second = try await ledger.settle([payment], idempotencyKey: "settle-abc")
        XCTAssertTrue(second.replayed)
        XCTAssertEqual(second.transactions, first.transactions)
        let value11 = try await ledger.balance(token: usdc.address, owner: bob.address)
        XCTAssertEqual(value11, 300)
    }

    func testConcurrentTransfersNeverOverdrawAndTotalsAreConserved() async throws {
        let ledger = try ledger()
        _ = try await ledger.mint(token: usdc.address, to: alice.address, amount: 5_000)
        let payments = try (0..<200).map { _ in try transfer(from: alice, to: bob.address, value: 100) }
        let outcomes = await withTaskGroup(of: LedgerError.Kind?.self) { group in
            for payment in payments {
                group.addTask {
                    do throws(LedgerError) {
                        _ = try await ledger.settle([payment], idempotencyKey: nil)
                        return nil
                    } catch {
                        return error.kind
                    }
                }
            }
            var all: [LedgerError.Kind?] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        XCTAssertEqual(outcomes.filter { $0 == nil }.count, 50)
        XCTAssertEqual(outcomes.filter { $0 == .insufficientBalance }.count, 150)
        let value12 = try await ledger.balance(token: usdc.address, owner: alice.address)
        XCTAssertEqual(value12, 0)
        let value13 = try await ledger.balance(token: usdc.address, owner: bob.address)
        XCTAssertEqual(value13, 5_000)
        let value2 = try await ledger.totalBalances(token: usdc.address)
        let value14 = try await ledger.totalMinted(token: usdc.address)
        XCTAssertEqual(value2, value14)
    }

    /// Commits never checkpoint (that would make one payment in a hundred slow); the background
    /// checkpointer keeps the write-ahead log from growing with every commit.
    func testTheWriteAheadLogStaysShort() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("payments.sqlite").path
        let ledger = try ledger(path: path)
        func walBytes() throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        }
        var sizes: [Int] = []
        for _ in 0..<4 {
            for _ in 0..<150 { _ = try await ledger.mint(token: usdc.address, to: alice.address, amount: 1) }
            sizes.append(try walBytes())
            try await Task.sleep(for: .milliseconds(600))
        }
        // Each round's commits would add ~150 log pages; checkpointed between rounds, the log
        // restarts and its file stops growing.
        XCTAssertGreaterThan(sizes[0], 150 * 4096, "every commit appends to the log")
        XCTAssertLessThan(sizes[3], sizes[0] * 2, "the log restarts after each checkpoint: \(sizes)")
        let total = try await ledger.balance(token: usdc.address, owner: alice.address)
        XCTAssertEqual(total, 600)
    }

    func testSurvivesReopeningAndTheLogIsAppendOnly() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("payments.sqlite").path
        do {
            let ledger = try ledger(path: path)
            _ = try await ledger.mint(token: usdc.address, to: alice.address, amount: 700)
            _ = try await ledger.settle([try transfer(from: alice, to: bob.address, value: 200)], idempotencyKey: "k")
        }
        let reopened = try ledger(path: path)
        let value15 = try await reopened.balance(token: usdc.address, owner: alice.address)
        XCTAssertEqual(value15, 500)
        let value3 = try await reopened.transactions()
        XCTAssertEqual(value3.count, 2)

        try assertAppendOnly(path: path, count: 2)
    }

    /// Rewriting or deleting history is refused by the database itself.
    func assertAppendOnly(path: String, count: Int) throws {
        let raw = try DatabaseQueue(path: path)
        XCTAssertThrowsError(try raw.write { try $0.execute(sql: "UPDATE ledger_transaction SET value = zeroblob(32)") })
        XCTAssertThrowsError(try raw.write { try $0.execute(sql: "DELETE FROM ledger_transaction") })
        XCTAssertEqual(try raw.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ledger_transaction") }, count)
    }

    func testTokenCatalog() {
        let symbols = LedgerToken.catalog.map(\.symbol)
        XCTAssertEqual(symbols, ["CRO", "WCRO", "USDC", "USDT", "VVS", "WBTC", "WETH"])
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: LedgerToken.catalog.map { ($0.symbol, $0.decimals) }),
                       ["CRO": 18, "WCRO": 18, "USDC": 6, "USDT": 6, "VVS": 18, "WBTC": 8, "WETH": 18])
        XCTAssertEqual(Set(LedgerToken.catalog.map(\.address)).count, 7)
        XCTAssertEqual(usdc.address.eip55, "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0")
    }

    /// EIP-3009 `cancelAuthorization`: a cancelled nonce never settles; a settled one cannot be
    /// cancelled; only the authorizer's signature cancels.
    func testCancelledAuthorizationsNeverSettle() async throws {
        let ledger = try ledger()
        _ = try await ledger.mint(token: usdc.address, to: alice.address, amount: 1_000_000)
        let payment = try transfer(from: alice, to: bob.address, value: 100_000)
        let nonce = payment.authorization.nonce
        let domain = usdc.domain(chainID: 338)
        let cancel = CancelAuthorization(authorizer: alice.address, nonce: nonce)
        let forged = try cancel.sign(with: bob, domain: domain)
        do throws(LedgerError) {
            try await ledger.cancelAuthorization(token: usdc.address, authorizer: alice.address, nonce: nonce, signature: forged)
            XCTFail("only the authorizer cancels")
        } catch {
            XCTAssertEqual(error.kind, .badSignature)
        }
        let before = try await ledger.cancelAuthorization(
            token: usdc.address, authorizer: alice.address, nonce: nonce, signature: try cancel.sign(with: alice, domain: domain))
        XCTAssertEqual(before, .unused)
        let state = try await ledger.authorizationState(token: usdc.address, authorizer: alice.address, nonce: nonce)
        XCTAssertEqual(state, .cancelled)
        do throws(LedgerError) {
            _ = try await ledger.settle([payment], idempotencyKey: nil)
            XCTFail("a cancelled authorization must not settle")
        } catch {
            XCTAssertEqual(error.kind, .nonceUsed)
        }
        let kept = try await ledger.balance(token: usdc.address, owner: alice.address)
        XCTAssertEqual(kept, 1_000_000)

        let settled = try transfer(from: alice, to: bob.address, value: 100_000)
        let receipt = try await ledger.settle([settled], idempotencyKey: nil)
        let late = CancelAuthorization(authorizer: alice.address, nonce: settled.authorization.nonce)
        let found = try await ledger.cancelAuthorization(
            token: usdc.address, authorizer: alice.address, nonce: settled.authorization.nonce, signature: try late.sign(with: alice, domain: domain))
        XCTAssertEqual(found, .settled(transaction: receipt.transactions[0].hash), "a settled authorization stays settled")
    }

    func testTheZeroAddressCannotReceive() async throws {
        let ledger = try ledger()
        _ = try await ledger.mint(token: usdc.address, to: alice.address, amount: 1_000_000)
        let burn = try transfer(from: alice, to: .zero, value: 1)
        do throws(LedgerError) {
            _ = try await ledger.settle([burn], idempotencyKey: nil)
            XCTFail("the zero address cannot receive")
        } catch {
            XCTAssertEqual(error.kind, .invalidRecipient)
        }
    }
}

/// An owner's history, read as two index scans merged, is exactly the log filtered by owner: sent,
/// received and to itself, once each, newest first, paged and by token.
extension LocalLedgerTests {
    func testAnOwnersPagesEqualTheLogFiltered() async throws {
        let base = self
        let ledger = try base.ledger()
        let carol = try PrivateKey.generate()
        let cro = LedgerToken.catalog.first { $0.symbol == "CRO" }!
        let keys = [base.alice, base.bob, carol]
        for key in keys {
            _ = try await ledger.mint(token: base.usdc.address, to: key.address, amount: 10_000_000)
            _ = try await ledger.mint(token: cro.address, to: key.address, amount: 10_000_000)
        }
        for index in 0..<60 {
            let from: PrivateKey = keys[index % 3]
            let to: Address = index % 7 == 0 ? from.address : keys[(index * 5 + 1) % 3].address
            let token: LedgerToken = index % 2 == 0 ? base.usdc : cro
            let signed = try base.transfer(from: from, to: to, value: BigUInt(index + 1), token: token)
            _ = try await ledger.settle([signed], idempotencyKey: nil)
        }
        let all: [LedgerTransaction] = try await ledger.transactions(limit: 1000)
        let owner = base.alice.address.lowercase
        let mine: [LedgerTransaction] = all.filter { $0.from.lowercased() == owner || $0.to.lowercased() == owner }
        for limit in [1, 5, 10, 500] {
            let page = try await ledger.transactions(owner: base.alice.address, limit: limit)
            XCTAssertEqual(page.map(\.sequence), mine.prefix(limit).map(\.sequence), "limit \(limit)")
        }
        let before: Int64 = mine[10].sequence
        let older = try await ledger.transactions(owner: base.alice.address, limit: 7, beforeSequence: before)
        let expectedOlder: [Int64] = mine.filter { $0.sequence < before }.prefix(7).map(\.sequence)
        XCTAssertEqual(older.map(\.sequence), expectedOlder)
        let usdcOnly = try await ledger.transactions(owner: base.alice.address, token: base.usdc.address, limit: 500)
        let usdc = base.usdc.address.lowercase
        let expectedUSDC: [Int64] = mine.filter { $0.token.lowercased() == usdc }.map(\.sequence)
        XCTAssertEqual(usdcOnly.map(\.sequence), expectedUSDC)
        XCTAssertEqual(Set(usdcOnly.map(\.sequence)).count, usdcOnly.count)
    }
}
