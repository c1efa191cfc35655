import BigInt
import Foundation
import GRDB
import PaygentCrypto
@testable import PaygentLedger
import PaygentStorage
import XCTest

/// Tokens created on the ledger with a minter (a pool's LP token): only the minter's signed mints
/// and burns change their supply, inside an all-or-nothing batch after its transfers.
final class LedgerSupplyTests: XCTestCase {
    let pool = try! PrivateKey.generate()
    let alice = try! PrivateKey.generate()
    let usdc = LedgerToken.catalog.first { $0.symbol == "USDC" }!
    let now = Date(timeIntervalSince1970: 1_767_225_600)
    let validBefore: UInt64 = 1_767_225_900

    func ledger(path: String? = nil) throws -> LocalLedger {
        let fixed = now
        return try LocalLedger(path: path, chainID: 338, now: { fixed })
    }

    func change(
        _ kind: SupplyAuthorization.Kind, of token: LedgerToken, account: Address, value: BigUInt, signer: PrivateKey? = nil, nonce: [UInt8]? = nil
    ) throws -> SignedSupplyChange {
        let authorization = SupplyAuthorization(
            kind: kind, account: account, value: value, validAfter: 0, validBefore: BigUInt(validBefore),
            nonce: nonce ?? (0..<32).map { _ in UInt8.random(in: 0...255) })
        return SignedSupplyChange(
            token: token.address, authorization: authorization, signature: try authorization.sign(with: signer ?? pool, domain: token.domain(chainID: 338)))
    }

    func transfer(from key: PrivateKey, to: Address, value: BigUInt, token: LedgerToken) throws -> SignedTransfer {
        let authorization = TransferWithAuthorization(
            from: key.address, to: to, value: value, validAfter: 0, validBefore: BigUInt(validBefore), nonce: (0..<32).map { _ in UInt8.random(in: 0...255) })
        return SignedTransfer(token: token.address, authorization: authorization, signature: try authorization.sign(with: key, domain: token.domain(chainID: 338)))
    }

    func testCreatingATokenIsIdempotentAndASymbolBelongsToOneToken() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-supply-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ledger.sqlite").path
        let ledger = try ledger(path: path)
        let lp = try await ledger.createToken(symbol: "LP-CRO-USDC", name: "VVS LP CRO/USDC", decimals: 18, minter: pool.address)
        XCTAssertEqual(lp.minter, pool.address)
        XCTAssertEqual(lp, LedgerToken.minted(symbol: "LP-CRO-USDC", name: "VVS LP CRO/USDC", decimals: 18, minter: pool.address))
        let again = try await ledger.createToken(symbol: "LP-CRO-USDC", name: "VVS LP CRO/USDC", decimals: 18, minter: pool.address)
        XCTAssertEqual(again, lp)
        XCTAssertEqual(ledger.token(symbol: "lp-cro-usdc"), lp)
        XCTAssertEqual(ledger.allTokens.last, lp)
        for (symbol, minter) in [("LP-CRO-USDC", alice.address), ("USDC", pool.address), ("lp-x", pool.address), ("1LP", pool.address), ("", pool.address)] {
            do throws(LedgerError) {
                _ = try await ledger.createToken(symbol: symbol, name: "x", decimals: 18, minter: minter)
                XCTFail("\(symbol) by \(minter) was created")
            } catch {
                XCTAssertEqual(error.kind, .invalidToken, error.message)
            }
        }
        // The faucet does not mint it: only its minter does.
        do throws(LedgerError) {
            _ = try await ledger.mint(token: lp.address, to: alice.address, amount: 1)
            XCTFail("the faucet minted an LP token")
        } catch {
            XCTAssertEqual(error.kind, .unsupported)
        }
        let reopened = try self.ledger(path: path)
        XCTAssertEqual(reopened.token(lp.address), lp, "kept across a restart")
    }

    func testMintsAndBurnsMoveExactlyTheirValueAfterTheBatchsTransfers() async throws {
        let ledger = try ledger()
        let lp = try await ledger.createToken(symbol: "LP-T", name: "LP T", decimals: 18, minter: pool.address)
        _ = try await ledger.mint(token: usdc.address, to: alice.address, amount: 5_000_000)
        // A deposit: alice pays the pool, the pool mints her LP, in one batch.
        let deposit = try await ledger.settle(
            [try transfer(from: alice, to: pool.address, value: 1_000_000, token: usdc)],
            supply: [try change(.mint, of: lp, account: alice.address, value: 700)], idempotencyKey: "deposit")
        XCTAssertEqual(deposit.transactions.map(\.kind), [.transfer, .mint])
        let held = try await ledger.balance(token: lp.address, owner: alice.address)
        XCTAssertEqual(held, 700)
        // A withdrawal: alice returns 300 LP, the pool pays her and burns them.
        let withdrawal = try await ledger.settle(
            [
                try transfer(from: alice, to: pool.address, value: 300, token: lp),
                try transfer(from: pool, to: alice.address, value: 400_000, token: usdc),
            ],
            supply: [try change(.burn, of: lp, account: pool.address, value: 300)], idempotencyKey: "withdrawal")
        XCTAssertEqual(withdrawal.transactions.map(\.kind), [.transfer, .transfer, .burn])
        XCTAssertEqual(withdrawal.transactions.last?.to, "0x0000000000000000000000000000000000000000")
        let alicesLP = try await ledger.balance(token: lp.address, owner: alice.address)
        let poolsLP = try await ledger.balance(token: lp.address, owner: pool.address)
        let supply = try await ledger.totalBalances(token: lp.address)
        XCTAssertEqual(alicesLP, 400)
        XCTAssertEqual(poolsLP, 0)
        XCTAssertEqual(supply, 400, "minted 700, burned 300")
        let replay = try await ledger.settle([], supply: [try change(.mint, of: lp, account: alice.address, value: 1)], idempotencyKey: "deposit")
        XCTAssertTrue(replay.replayed, "a repeated key answers the first receipt")
        let afterReplay = try await ledger.totalBalances(token: lp.address)
        XCTAssertEqual(afterReplay, 400)
    }

    func testOnlyTheMinterChangesTheSupplyAndNothingMovesWhenOnePartFails() async throws {
        let ledger = try ledger()
        let lp = try await ledger.createToken(symbol: "LP-T", name: "LP T", decimals: 18, minter: pool.address)
        _ = try await ledger.mint(token: usdc.address, to: alice.address, amount: 5_000_000)
        _ = try await ledger.settle([], supply: [try change(.mint, of: lp, account: alice.address, value: 1000)], idempotencyKey: nil)
        let used = try change(.mint, of: lp, account: alice.address, value: 1)
        _ = try await ledger.settle([], supply: [used], idempotencyKey: nil)

        let mint = try change(.mint, of: lp, account: alice.address, value: 5)
        // The same fields signed as a transfer are another message: a mint's signature is no transfer's.
        let lookalike = SignedTransfer(
            token: lp.address,
            authorization: TransferWithAuthorization(
                from: pool.address, to: alice.address, value: 5, validAfter: 0, validBefore: BigUInt(validBefore), nonce: mint.authorization.nonce),
            signature: mint.signature)
        let cases: [(String, LedgerError.Kind, [SignedTransfer], [SignedSupplyChange])] = [
            ("a mint signed by someone else", .badSignature, [], [try change(.mint, of: lp, account: alice.address, value: 5, signer: alice)]),
            ("a burn of another account's LP", .invalidRecipient, [], [try change(.burn, of: lp, account: alice.address, value: 5)]),
            ("a burn of more than the minter holds", .insufficientBalance, [], [try change(.burn, of: lp, account: pool.address, value: 5)]),
            ("a mint of a token without a minter", .unsupported, [], [try change(.mint, of: usdc, account: alice.address, value: 5)]),
            ("a mint of nothing", .invalidAmount, [], [try change(.mint, of: lp, account: alice.address, value: 0)]),
            ("a mint to the zero address", .invalidRecipient, [], [try change(.mint, of: lp, account: Address.zero, value: 5)]),
            ("a reused mint nonce", .nonceUsed, [], [try change(.mint, of: lp, account: alice.address, value: 1, nonce: used.authorization.nonce)]),
            ("a mint's signature as a transfer", .badSignature, [lookalike], []),
            (
                "a valid transfer with a bad mint", .badSignature, [try transfer(from: alice, to: pool.address, value: 1_000_000, token: usdc)],
                [try change(.mint, of: lp, account: alice.address, value: 5, signer: alice)]
            ),
        ]
        for (name, kind, transfers, supply) in cases {
            do throws(LedgerError) {
                _ = try await ledger.settle(transfers, supply: supply, idempotencyKey: nil)
                XCTFail("\(name): applied")
            } catch {
                XCTAssertEqual(error.kind, kind, "\(name): \(error.message)")
            }
        }
        let alicesLP = try await ledger.balance(token: lp.address, owner: alice.address)
        let alicesUSDC = try await ledger.balance(token: usdc.address, owner: alice.address)
        XCTAssertEqual(alicesLP, 1001)
        XCTAssertEqual(alicesUSDC, 5_000_000, "nothing moved")
    }

    /// A ledger written before burns existed opens with its log intact and still append-only.
    func testALedgerFromBeforeMintedTokensIsUpgradedWithItsLog() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ledger.sqlite").path
        let old = try ServiceDatabase.open(path: path, migrations: Array(LocalLedger.migrations.prefix(2)))
        let (usdcAddress, aliceAddress) = (usdc.address.lowercase, alice.address.lowercase)
        try await old.write { db in
            try db.execute(
                sql: "INSERT INTO token (address, symbol, decimals, domain_name, domain_version) VALUES (?, 'USDC', 6, 'x', '1')",
                arguments: [usdcAddress])
            try db.execute(
                sql: """
                    INSERT INTO ledger_transaction (hash, kind, token, sender, recipient, value, idempotency_key, time)
                    VALUES ('0xaa', 'mint', ?, '0x0000000000000000000000000000000000000000', ?, ?, 'old', 1.0)
                    """,
                arguments: [usdcAddress, aliceAddress, AmountBlob.data(42)])
        }
        try old.close()
        let ledger = try ledger(path: path)
        let log = try await ledger.transactions()
        XCTAssertEqual(log.map(\.hash), ["0xaa"])
        XCTAssertEqual(log.first?.value, "42")
        let lp = try await ledger.createToken(symbol: "LP-T", name: "LP T", decimals: 18, minter: pool.address)
        _ = try await ledger.settle([], supply: [try change(.mint, of: lp, account: pool.address, value: 9)], idempotencyKey: nil)
        let burned = try await ledger.settle([], supply: [try change(.burn, of: lp, account: pool.address, value: 9)], idempotencyKey: nil)
        XCTAssertEqual(burned.transactions.map(\.kind), [.burn])
        XCTAssertEqual(burned.transactions.first?.sequence, 3, "numbering goes on from the old log")
        let queue = try DatabaseQueue(path: path)
        do {
            try await queue.write { try $0.execute(sql: "DELETE FROM ledger_transaction") }
            XCTFail("the log can be deleted")
        } catch {
            XCTAssertTrue("\(error)".contains("append-only"), "\(error)")
        }
    }
}
