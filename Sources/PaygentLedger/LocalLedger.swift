import BigInt
import Foundation
import GRDB
import PaygentStorage
import PaygentCrypto
import Synchronization

/// The embedded "local chain": balances, EIP-3009 authorization state and an append-only
/// transaction log in the payments service's SQLite database (WAL). Every change of a settlement
/// happens in one transaction, so a crash at any instant leaves it applied whole or not at all,
/// and a repeated idempotency key answers from the log instead of moving funds again.
public final class LocalLedger: SettlementBackend {
    public let chainID: UInt64
    let database: any DatabaseWriter
    let now: @Sendable () -> Date
    /// The catalog's tokens and those created here (`createToken`): by contract address, and all
    /// in `allTokens` order (kept, not rebuilt per lookup: a fetch looks its token up by symbol).
    private let tokens: Mutex<(byAddress: [Address: LedgerToken], all: [LedgerToken])>
    private let groupCommit = GroupCommit<SettlementJob, SettlementReceipt>()
    /// Signers recovered by this ledger or by a verifier that shares it (the facilitator), so a
    /// payment verified and then settled is recovered once.
    public let signers = SignerCache()
    /// Keeps the write-ahead log short off the settlement path (file-backed ledgers only).
    private let checkpointer: Checkpointer?

    /// Opens (creating and migrating if needed) the ledger at `path`; `nil` keeps it in memory
    /// (tests). `chainID` is the chain that authorizations are signed for (338, Cronos testnet).
    public init(path: String?, chainID: UInt64 = 338, now: @escaping @Sendable () -> Date) throws(LedgerError) {
        self.chainID = chainID
        self.now = now
        do {
            if let path {
                // The checkpointer copies the log back on its own connection, never inside a commit.
                database = try ServiceDatabase.open(path: path, migrations: Self.migrations) { configuration in
                    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
                }
            } else {
                let memory = try DatabaseQueue()
                try ServiceDatabase.migrate(memory, path: ":memory:", migrations: Self.migrations)
                database = memory
            }
            try database.write { db in
                for token in LedgerToken.catalog {
                    try db.execute(
                        sql: """
                            INSERT OR IGNORE INTO token (address, symbol, decimals, domain_name, domain_version)
                            VALUES (?, ?, ?, ?, ?)
                            """,
                        arguments: [token.address.lowercase, token.symbol, token.decimals, token.domainName, token.domainVersion])
                }
            }
            tokens = Mutex(Self.indexed(try database.read(Self.loadTokens)))
            checkpointer = try path.map { try Checkpointer(path: $0) }
        } catch {
            throw LedgerError(.storage, "cannot open the ledger database: \(error)")
        }
    }

    public func token(_ address: Address) -> LedgerToken? { tokens.withLock { $0.byAddress[address] } }

    public func token(symbol: String) -> LedgerToken? {
        allTokens.first { $0.symbol.caseInsensitiveCompare(symbol) == .orderedSame }
    }

    /// The catalog's tokens in catalog order, then those created here by symbol.
    public var allTokens: [LedgerToken] { tokens.withLock { $0.all } }

    static func indexed(_ byAddress: [Address: LedgerToken]) -> (byAddress: [Address: LedgerToken], all: [LedgerToken]) {
        (byAddress, LedgerToken.catalog + byAddress.values.filter { $0.minter != nil }.sorted { $0.symbol < $1.symbol })
    }

    /// Creates a token that only `minter` mints and burns (a pool's LP token), at an address
    /// derived from the minter and the symbol. Creating the same token again returns it; a
    /// symbol already taken by another token is refused.
    public func createToken(symbol: String, name: String, decimals: Int, minter: Address) async throws(LedgerError) -> LedgerToken {
        guard Self.isTokenSymbol(symbol) else {
            throw LedgerError(.invalidToken, "a token symbol is 1 to 24 of A-Z, 0-9 and '-', beginning with a letter; got '\(symbol)'")
        }
        guard (0...36).contains(decimals) else { throw LedgerError(.invalidToken, "decimals: 0 to 36, got \(decimals)") }
        guard !name.isEmpty, name.utf8.count <= 64 else { throw LedgerError(.invalidToken, "a token name is 1 to 64 bytes") }
        guard minter != Address.zero else { throw LedgerError(.invalidToken, "the zero address cannot mint") }
        let token = LedgerToken.minted(symbol: symbol, name: name, decimals: decimals, minter: minter)
        if let existing = self.token(symbol: symbol) {
            guard existing == token else { throw LedgerError(.invalidToken, "the symbol \(existing.symbol) is taken by \(existing.address)") }
            return existing
        }
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO token (address, symbol, decimals, domain_name, domain_version, minter) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT DO NOTHING
                    """,
                arguments: [token.address.lowercase, token.symbol, token.decimals, token.domainName, token.domainVersion, minter.lowercase])
        }
        let stored = try await read(Self.loadTokens)
        tokens.withLock { $0 = Self.indexed(stored) }
        guard let created = stored[token.address], created == token else {
            throw LedgerError(.invalidToken, "the symbol \(symbol) is taken by another token")
        }
        return created
    }

    static func isTokenSymbol(_ symbol: String) -> Bool {
        let bytes = Array(symbol.utf8)
        let letters = UInt8(ascii: "A")...UInt8(ascii: "Z"), digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard (1...24).contains(bytes.count), letters.contains(bytes[0]) else { return false }
        return bytes.allSatisfy { letters.contains($0) || digits.contains($0) || $0 == UInt8(ascii: "-") }
    }

    static func loadTokens(_ db: Database) throws -> [Address: LedgerToken] {
        var loaded: [Address: LedgerToken] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM token") {
            guard let address = try? Address(row["address"] as String) else { continue }
            let minter = (row["minter"] as String?).flatMap { try? Address($0) }
            loaded[address] = LedgerToken(
                symbol: row["symbol"], address: address, decimals: row["decimals"], domainName: row["domain_name"],
                domainVersion: row["domain_version"], minter: minter)
        }
        return loaded
    }

    // MARK: settlement

    public func settle(_ transfers: [SignedTransfer], supply: [SignedSupplyChange], idempotencyKey: String?) async throws(LedgerError) -> SettlementReceipt {
        let tokens = self.tokens.withLock { $0.byAddress }
        // Signatures are checked before the write transaction, so the database lock is held
        // only for the state checks and the writes.
        for (index, transfer) in transfers.enumerated() {
            guard let token = tokens[transfer.token] else {
                throw LedgerError(.unknownToken, "no token \(transfer.token) on the local chain", index: index)
            }
            guard transfer.authorization.value > 0 else {
                throw LedgerError(.invalidAmount, "a transfer moves more than 0", index: index)
            }
            // As the token contract does (`ERC20: transfer to the zero address`): funds sent there are lost.
            guard transfer.authorization.to != Address.zero else {
                throw LedgerError(.invalidRecipient, "the zero address cannot receive a transfer", index: index)
            }
            let signer: Address
            do {
                signer = try transfer.authorization.signer(of: transfer.signature, domain: token.domain(chainID: chainID), cache: signers)
            } catch {
                throw LedgerError(.badSignature, "the signature does not verify: \(error)", index: index)
            }
            guard signer == transfer.authorization.from else {
                throw LedgerError(.badSignature, "signed by \(signer), not by \(transfer.authorization.from)", index: index)
            }
        }
        for (offset, change) in supply.enumerated() {
            try Self.checkSupplyChange(change, index: transfers.count + offset, tokens: tokens, chainID: chainID)
        }
        let job = SettlementJob(transfers: transfers, supply: supply, idempotencyKey: idempotencyKey, time: now())
        return try await groupCommit.submit(job) { [self] jobs in self.apply(jobs) }
    }

    /// Applies queued settlements in one write transaction (group commit), each in a savepoint of
    /// its own: one that fails rolls back alone, the others commit together. A lone settlement
    /// needs no savepoint: its failure rolls back the transaction.
    private func apply(_ jobs: [SettlementJob]) -> [Result<SettlementReceipt, LedgerError>] {
        let chainID = self.chainID
        let tokens = self.tokens.withLock { $0.byAddress }
        if jobs.count == 1 {
            do {
                return [.success(try database.write { db in try Self.apply(db, jobs[0], chainID: chainID, tokens: tokens) })]
            } catch let error as LedgerError {
                return [.failure(error)]
            } catch {
                return [.failure(LedgerError(.storage, "the ledger could not be written: \(error)"))]
            }
        }
        do {
            return try database.write { db in
                var results: [Result<SettlementReceipt, LedgerError>] = []
                for job in jobs {
                    var outcome: Result<SettlementReceipt, LedgerError> = .failure(LedgerError(.storage, "not applied"))
                    try db.inSavepoint {
                        do {
                            outcome = .success(try Self.apply(db, job, chainID: chainID, tokens: tokens))
                            return .commit
                        } catch let error as LedgerError {
                            outcome = .failure(error)
                            return .rollback
                        }
                    }
                    results.append(outcome)
                }
                return results
            }
        } catch {
            return jobs.map { _ in .failure(LedgerError(.storage, "the ledger could not be written: \(error)")) }
        }
    }

    /// One settlement inside the current transaction.
    static func apply(_ db: Database, _ job: SettlementJob, chainID: UInt64, tokens: [Address: LedgerToken]) throws -> SettlementReceipt {
        let seconds = BigUInt(UInt64(max(0, job.time.timeIntervalSince1970)))
        if let idempotencyKey = job.idempotencyKey, let replay = try replay(db, idempotencyKey) {
            return replay
        }
        var applied: [LedgerTransaction] = []
        for (index, transfer) in job.transfers.enumerated() {
            let a = transfer.authorization
            guard a.validAfter <= seconds else {
                throw LedgerError(.notYetValid, "valid only after \(a.validAfter) (now \(seconds))", index: index)
            }
            guard seconds < a.validBefore else {
                throw LedgerError(.expired, "expired at \(a.validBefore) (now \(seconds))", index: index)
            }
            let token = transfer.token.lowercase
            let used = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM authorization WHERE token = ? AND authorizer = ? AND nonce = ?"), arguments: [token, a.from.lowercase, Data(a.nonce)]) ?? false
            guard !used else {
                throw LedgerError(
                    .nonceUsed, "\(a.from) already used or cancelled this nonce on \(tokens[transfer.token]!.symbol)", index: index)
            }
            let balance = try Self.balance(db, token: token, owner: a.from.lowercase)
            guard balance >= a.value else {
                throw LedgerError(.insufficientBalance, "\(a.from) holds \(balance) base units, the transfer needs \(a.value)", index: index)
            }
            try setBalance(db, token: token, owner: a.from.lowercase, balance - a.value)
            try setBalance(db, token: token, owner: a.to.lowercase, try Self.balance(db, token: token, owner: a.to.lowercase) + a.value)
            let digest = try a.digest(domain: tokens[transfer.token]!.domain(chainID: chainID))
            let hash = HexField.string(Keccak256.hash(Array("paygent-local-tx".utf8) + transfer.token.bytes + digest))
            try db.cachedStatement(sql: "INSERT INTO authorization (token, authorizer, nonce, tx_hash) VALUES (?, ?, ?, ?)")
                .execute(arguments: [token, a.from.lowercase, Data(a.nonce), hash])
            applied.append(try append(
                db, hash: hash, kind: .transfer, token: token, from: a.from.lowercase, to: a.to.lowercase, value: a.value,
                idempotencyKey: job.idempotencyKey, time: job.time))
        }
        for (offset, change) in job.supply.enumerated() {
            applied.append(try applySupplyChange(db, change, index: job.transfers.count + offset, job: job, seconds: seconds, chainID: chainID, tokens: tokens))
        }
        try remember(db, job.idempotencyKey, applied)
        return SettlementReceipt(transactions: applied, replayed: false)
    }

    /// Creates `amount` of a token out of nothing for `to`. Local chain only: the faucet for demos
    /// and tests. Recorded in the log as a `mint` from the zero address.
    public func mint(token: Address, to: Address, amount: BigUInt, idempotencyKey: String? = nil) async throws(LedgerError) -> SettlementReceipt {
        guard let known = self.token(token) else { throw LedgerError(.unknownToken, "no token \(token) on the local chain") }
        guard known.minter == nil else {
            throw LedgerError(.unsupported, "\(known.symbol) is minted only by its minter \(known.minter?.eip55 ?? ""), not by the faucet")
        }
        guard amount > 0, amount < BigUInt(1) << 256 else { throw LedgerError(.invalidAmount, "mint a positive uint256 amount") }
        let time = now()
        return try await write { db in
            if let idempotencyKey, let replay = try Self.replay(db, idempotencyKey) {
                return replay
            }
            let target = try Self.balance(db, token: token.lowercase, owner: to.lowercase) + amount
            guard target < BigUInt(1) << 256 else { throw LedgerError(.invalidAmount, "the balance would exceed uint256") }
            try Self.setBalance(db, token: token.lowercase, owner: to.lowercase, target)
            let sequence = (try Int64.fetchOne(db, sql: "SELECT IFNULL(MAX(seq), 0) FROM ledger_transaction") ?? 0) + 1
            let hash = HexField.string(Keccak256.hash(Array("paygent-local-mint:\(sequence)".utf8) + token.bytes + to.bytes))
            let minted = try Self.append(
                db, hash: hash, kind: .mint, token: token.lowercase, from: Self.zeroAddress, to: to.lowercase, value: amount,
                idempotencyKey: idempotencyKey, time: time)
            try Self.remember(db, idempotencyKey, [minted])
            return SettlementReceipt(transactions: [minted], replayed: false)
        }
    }

    // MARK: queries

    public func balance(token: Address, owner: Address) async throws(LedgerError) -> BigUInt {
        try await read { db in try Self.balance(db, token: token.lowercase, owner: owner.lowercase) }
    }

    /// Every token balance of `owner`, including zeros, in `allTokens` order.
    public func balances(owner: Address) async throws(LedgerError) -> [(token: LedgerToken, amount: BigUInt)] {
        let all = allTokens
        return try await read { db in
            try all.map { ($0, try Self.balance(db, token: $0.address.lowercase, owner: owner.lowercase)) }
        }
    }

    public func authorizationUsed(token: Address, authorizer: Address, nonce: [UInt8]) async throws(LedgerError) -> Bool {
        try await read { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM authorization WHERE token = ? AND authorizer = ? AND nonce = ?"), arguments: [token.lowercase, authorizer.lowercase, Data(nonce)]) ?? false
        }
    }

    /// What verifying one payment needs to know, in one statement (one consistent snapshot, no
    /// transaction around it): the payer's balance and whether its nonce is used, read on the
    /// caller's thread. When no settlement is being written, through the writer's connection: its
    /// page cache holds what the last settlements wrote, where a reader connection must reload
    /// those pages after every write (twice the time). Under load, through a reader, so that
    /// verifications do not queue behind the writes.
    public func paymentState(token: Address, owner: Address, nonce: [UInt8]) throws(LedgerError) -> (balance: BigUInt, nonceUsed: Bool) {
        let token = token.lowercase
        let owner = owner.lowercase
        let read: @Sendable (Database) throws -> (balance: BigUInt, nonceUsed: Bool) = { db in
            let row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT (SELECT amount FROM balance WHERE token = ? AND owner = ?) AS amount,
                           EXISTS (SELECT 1 FROM authorization WHERE token = ? AND authorizer = ? AND nonce = ?) AS used
                    """),
                arguments: [token, owner, token, owner, Data(nonce)])
            let amount: Data? = row?["amount"]
            let used: Bool = row?["used"] ?? false
            return (amount.map { BigUInt($0) } ?? 0, used)
        }
        do {
            return try groupCommit.isIdle ? database.writeWithoutTransaction(read) : database.unsafeRead(read)
        } catch {
            throw LedgerError(.storage, "the ledger could not be read: \(error)")
        }
    }

    /// The sum of every balance of a token; equals everything ever minted of it.
    public func totalBalances(token: Address) async throws(LedgerError) -> BigUInt {
        try await read { db in
            let blobs = try Data.fetchAll(db, sql: "SELECT amount FROM balance WHERE token = ?", arguments: [token.lowercase])
            return AmountBlob.sum(blobs)
        }
    }

    /// Everything minted of a token, from the log.
    public func totalMinted(token: Address) async throws(LedgerError) -> BigUInt {
        try await read { db in
            let blobs = try Data.fetchAll(
                db, sql: "SELECT value FROM ledger_transaction WHERE token = ? AND kind = 'mint'", arguments: [token.lowercase])
            return AmountBlob.sum(blobs)
        }
    }

    /// The log, newest first, optionally only what involves `owner` or one token; page with
    /// `beforeSequence`.
    public func transactions(owner: Address? = nil, token: Address? = nil, limit: Int = 50, beforeSequence: Int64? = nil) async throws(LedgerError) -> [LedgerTransaction] {
        try await read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let token {
                conditions.append("token = ?")
                arguments.append(token.lowercase)
            }
            if let beforeSequence {
                conditions.append("seq < ?")
                arguments.append(beforeSequence)
            }
            let limit = max(0, min(limit, 1000))
            func filter(_ extra: [String]) -> String {
                let all = extra + conditions
                return all.isEmpty ? "" : "WHERE " + all.joined(separator: " AND ")
            }
            let rows: [Row]
            if let owner {
                // What the owner sent and what it received, each read newest first along its own
                // index and cut at the limit, then merged: the cost follows the page, not the
                // owner's whole history (one OR would sort all of it first).
                let sent = "SELECT * FROM ledger_transaction \(filter(["sender = ?"])) ORDER BY seq DESC LIMIT ?"
                let received = "SELECT * FROM ledger_transaction \(filter(["recipient = ?", "sender != ?"])) ORDER BY seq DESC LIMIT ?"
                let owner = owner.lowercase
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM (\(sent)) UNION ALL SELECT * FROM (\(received)) ORDER BY seq DESC LIMIT ?",
                    arguments: StatementArguments([owner] + arguments + [limit, owner, owner] + arguments + [limit, limit]))
            } else {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM ledger_transaction \(filter([])) ORDER BY seq DESC LIMIT ?", arguments: StatementArguments(arguments + [limit]))
            }
            return rows.map(Self.transaction)
        }
    }

    // MARK: storage

    static let zeroAddress = "0x0000000000000000000000000000000000000000"

    /// The ledger's schema, step by step; a shipped step is never edited (`ServiceDatabase`).
    static let migrations: [Migration] = [
        Migration("v1 ledger", """
                CREATE TABLE token (
                    address TEXT PRIMARY KEY,
                    symbol TEXT NOT NULL UNIQUE,
                    decimals INTEGER NOT NULL,
                    domain_name TEXT NOT NULL,
                    domain_version TEXT NOT NULL
                );
                CREATE TABLE balance (
                    token TEXT NOT NULL REFERENCES token(address),
                    owner TEXT NOT NULL,
                    amount BLOB NOT NULL CHECK (length(amount) = 32),
                    PRIMARY KEY (token, owner)
                ) WITHOUT ROWID;
                CREATE TABLE authorization (
                    token TEXT NOT NULL REFERENCES token(address),
                    authorizer TEXT NOT NULL,
                    nonce BLOB NOT NULL CHECK (length(nonce) = 32),
                    tx_hash TEXT NOT NULL,
                    PRIMARY KEY (token, authorizer, nonce)
                ) WITHOUT ROWID;
                CREATE TABLE ledger_transaction (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    hash TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL CHECK (kind IN ('transfer', 'mint')),
                    token TEXT NOT NULL REFERENCES token(address),
                    sender TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    value BLOB NOT NULL CHECK (length(value) = 32),
                    idempotency_key TEXT,
                    time REAL NOT NULL
                );
                CREATE INDEX ledger_transaction_sender ON ledger_transaction(sender, seq);
                CREATE INDEX ledger_transaction_recipient ON ledger_transaction(recipient, seq);
                CREATE TRIGGER ledger_transaction_append_only_update BEFORE UPDATE ON ledger_transaction
                BEGIN SELECT RAISE(ABORT, 'the transaction log is append-only'); END;
                CREATE TRIGGER ledger_transaction_append_only_delete BEFORE DELETE ON ledger_transaction
                BEGIN SELECT RAISE(ABORT, 'the transaction log is append-only'); END;
                CREATE TABLE settlement (
                    idempotency_key TEXT PRIMARY KEY,
                    first_seq INTEGER NOT NULL,
                    last_seq INTEGER NOT NULL
                );
                """),
        // EIP-3009 cancelAuthorization: a cancelled nonce is used without moving funds.
        Migration("v2 cancelled authorizations", "ALTER TABLE authorization ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0"),
        // Tokens created on the ledger with a minter (LP tokens), and burns in the log: the log
        // is rebuilt to widen its kind check, every row copied as it was.
        Migration("v3 minted tokens and burns", """
                ALTER TABLE token ADD COLUMN minter TEXT;
                DROP TRIGGER ledger_transaction_append_only_update;
                DROP TRIGGER ledger_transaction_append_only_delete;
                ALTER TABLE ledger_transaction RENAME TO ledger_transaction_v2;
                CREATE TABLE ledger_transaction (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    hash TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL CHECK (kind IN ('transfer', 'mint', 'burn')),
                    token TEXT NOT NULL REFERENCES token(address),
                    sender TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    value BLOB NOT NULL CHECK (length(value) = 32),
                    idempotency_key TEXT,
                    time REAL NOT NULL
                );
                INSERT INTO ledger_transaction (seq, hash, kind, token, sender, recipient, value, idempotency_key, time)
                    SELECT seq, hash, kind, token, sender, recipient, value, idempotency_key, time FROM ledger_transaction_v2;
                DROP TABLE ledger_transaction_v2;
                CREATE INDEX ledger_transaction_sender ON ledger_transaction(sender, seq);
                CREATE INDEX ledger_transaction_recipient ON ledger_transaction(recipient, seq);
                CREATE TRIGGER ledger_transaction_append_only_update BEFORE UPDATE ON ledger_transaction
                BEGIN SELECT RAISE(ABORT, 'the transaction log is append-only'); END;
                CREATE TRIGGER ledger_transaction_append_only_delete BEFORE DELETE ON ledger_transaction
                BEGIN SELECT RAISE(ABORT, 'the transaction log is append-only'); END;
                """),
    ]

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(LedgerError) -> T {
        do {
            return try await database.write(body)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.storage, "the ledger could not be written: \(error)")
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(LedgerError) -> T {
        do {
            return try await database.read(body)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.storage, "the ledger could not be read: \(error)")
        }
    }

    static func word(_ value: BigUInt) -> Data { AmountBlob.data(value) }

    static func balance(_ db: Database, token: String, owner: String) throws -> BigUInt {
        guard let blob = try Data.fetchOne(db.cachedStatement(sql: "SELECT amount FROM balance WHERE token = ? AND owner = ?"), arguments: [token, owner]) else {
            return 0
        }
        return BigUInt(blob)
    }

    static func setBalance(_ db: Database, token: String, owner: String, _ amount: BigUInt) throws {
        try db.cachedStatement(
            sql: "INSERT INTO balance (token, owner, amount) VALUES (?, ?, ?) ON CONFLICT(token, owner) DO UPDATE SET amount = excluded.amount"
        ).execute(arguments: [token, owner, word(amount)])
    }

    static func append(
        _ db: Database, hash: String, kind: LedgerTransaction.Kind, token: String, from: String, to: String, value: BigUInt,
        idempotencyKey: String?, time: Date
    ) throws -> LedgerTransaction {
        try db.cachedStatement(sql: """
            INSERT INTO ledger_transaction (hash, kind, token, sender, recipient, value, idempotency_key, time)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).execute(arguments: [hash, kind.rawValue, token, from, to, word(value), idempotencyKey, time.timeIntervalSince1970])
        return LedgerTransaction(
            sequence: db.lastInsertedRowID, hash: hash, kind: kind, token: token, from: from, to: to,
            value: String(value), idempotencyKey: idempotencyKey, time: time)
    }

    static func remember(_ db: Database, _ idempotencyKey: String?, _ applied: [LedgerTransaction]) throws {
        guard let idempotencyKey, let first = applied.first, let last = applied.last else { return }
        try db.cachedStatement(sql: "INSERT INTO settlement (idempotency_key, first_seq, last_seq) VALUES (?, ?, ?)")
            .execute(arguments: [idempotencyKey, first.sequence, last.sequence])
    }

    static func replay(_ db: Database, _ idempotencyKey: String) throws -> SettlementReceipt? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT first_seq, last_seq FROM settlement WHERE idempotency_key = ?"), arguments: [idempotencyKey]) else {
            return nil
        }
        let rows = try Row.fetchAll(
            db, sql: "SELECT * FROM ledger_transaction WHERE seq BETWEEN ? AND ? ORDER BY seq",
            arguments: [row["first_seq"] as Int64, row["last_seq"] as Int64])
        return SettlementReceipt(transactions: rows.map(transaction), replayed: true)
    }

    static func transaction(_ row: Row) -> LedgerTransaction {
        LedgerTransaction(
            sequence: row["seq"], hash: row["hash"], kind: LedgerTransaction.Kind(rawValue: row["kind"]) ?? .transfer,
            token: row["token"], from: row["sender"], to: row["recipient"], value: String(BigUInt(row["value"] as Data)),
            idempotencyKey: row["idempotency_key"], time: Date(timeIntervalSince1970: row["time"]))
    }
}

/// How amounts are stored: uint256 as a 32-byte big-endian BLOB (SQLite's INTEGER is 64-bit).
public enum AmountBlob {
    public static func data(_ value: BigUInt) -> Data {
        let bytes = value.serialize()
        return Data(repeating: 0, count: max(0, 32 - bytes.count)) + bytes
    }

    public static func sum(_ blobs: [Data]) -> BigUInt {
        blobs.reduce(BigUInt(0)) { $0 + BigUInt($1) }
    }
}
