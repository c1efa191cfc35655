import BigInt
import Foundation
import GRDB
import PaygentStorage
import PaygentPaymentsAPI
import PaygentCrypto
import PaygentKeystore
import PaygentLedger
import PaygentWire
import Synchronization
import PaygentMoney

/// The service's wallets: keys in keystore v3 files (mode 0600) under `wallets/`, their names and
/// daily limits in `wallets.sqlite`, and every spend recorded so that a limit holds across
/// concurrent payments and restarts.
///
/// Keystores are encrypted with the service's password (`ServiceKeystorePassword`:
/// `$PAYGENT_KEYSTORE_PASSWORD`, else one generated on first start into `keystore.password`).
final class WalletStore: Sendable {
    private let database: DatabasePool
    private let directory: String
    private let password: String
    private let strength: Keystore.Strength
    private let keys = Mutex<[String: PrivateKey]>([:])

    /// The wall clock: creation times, and the UTC day a spend counts against.
    let now: @Sendable () -> Date

    init(
        directory: String, now: @escaping @Sendable () -> Date,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        self.now = now
        let walletDirectory = (directory as NSString).appendingPathComponent("wallets")
        try FileManager.default.createDirectory(atPath: walletDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        self.directory = walletDirectory
        let service = try ServiceKeystorePassword(directory: directory, environment: environment)
        (password, strength) = (service.password, service.strength)
        database = try ServiceDatabase.open(path: (directory as NSString).appendingPathComponent("wallets.sqlite"), migrations: Self.migrations)
    }

    /// The wallets' schema, step by step; a shipped step is never edited (`ServiceDatabase`).
    static let migrations: [Migration] = [
        Migration("v1 wallets", """
                CREATE TABLE wallet (
                    name TEXT PRIMARY KEY,
                    address TEXT NOT NULL UNIQUE,
                    keystore TEXT NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE TABLE daily_limit (
                    wallet TEXT NOT NULL REFERENCES wallet(name),
                    token TEXT NOT NULL,
                    amount BLOB NOT NULL CHECK (length(amount) = 32),
                    PRIMARY KEY (wallet, token)
                ) WITHOUT ROWID;
                CREATE TABLE spend (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    wallet TEXT NOT NULL REFERENCES wallet(name),
                    token TEXT NOT NULL,
                    amount BLOB NOT NULL CHECK (length(amount) = 32),
                    day TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('reserved', 'settled', 'released')),
                    idempotency_key TEXT UNIQUE,
                    created_at REAL NOT NULL
                );
                CREATE INDEX spend_by_day ON spend(wallet, token, day);
                """),
        // A wallet authorization's reservation names its authorization, so that what became of it
        // is read from the ledger by its nonce, whatever key its settlement carried.
        Migration("v2 authorized spends", """
                ALTER TABLE spend ADD COLUMN authorization TEXT;
                """),
    ]

    struct Wallet: Sendable {
        let name: String
        let address: Address
        let keystore: String
        let createdAt: Date
    }

    // MARK: wallets

    func create(name: String) throws(PaygentError) -> Wallet {
        let key: PrivateKey
        do {
            key = try PrivateKey.generate()
        } catch {
            throw PaygentError(.internal, "could not generate a key", cause: error)
        }
        return try adopt(key, name: name)
    }

    /// Adopts the key of a keystore v3 file (its JSON and password).
    func importKeystore(name: String, json: String, password keystorePassword: String) throws(PaygentError) -> Wallet {
        let key: PrivateKey
        do {
            key = try JSONDecoder().decode(Keystore.self, from: Data(json.utf8)).decrypt(password: keystorePassword)
        } catch let error as KeystoreError {
            throw PaygentError(.badRequest, "keystore: \(error.message)")
        } catch {
            throw PaygentError(.badRequest, "not a keystore v3 file")
        }
        if let existing = try? all().first(where: { $0.address == key.address }) {
            throw PaygentError(.conflict, "this key is already wallet '\(existing.name)'")
        }
        return try adopt(key, name: name)
    }

    private func adopt(_ key: PrivateKey, name requested: String) throws(PaygentError) -> Wallet {
        let name = try WalletName.validated(requested)
        let skeleton = WalletName.skeleton(name)
        if let existing = try all().first(where: { WalletName.skeleton($0.name) == skeleton }) {
            throw PaygentError(
                .conflict, existing.name == name
                    ? "a wallet named '\(name)' already exists"
                    : "'\(requested)' looks like the existing wallet '\(existing.name)'; choose a name that does not")
        }
        do {
            let path = (directory as NSString).appendingPathComponent("\(name).json")
            try Keystore.encrypt(key, password: password, strength: strength).write(to: path)
            let created = now()
            try database.write { db in
                try db.execute(
                    sql: "INSERT INTO wallet (name, address, keystore, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [name, key.address.lowercase, path, created.timeIntervalSince1970])
            }
            keys.withLock { $0[key.address.lowercase] = key }
            return Wallet(name: name, address: key.address, keystore: path, createdAt: created)
        } catch let error as PaygentError {
            throw error
        } catch {
            throw PaygentError(.internal, "could not create wallet '\(name)'", cause: error)
        }
    }

    func all() throws(PaygentError) -> [Wallet] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM wallet ORDER BY created_at").map(Self.wallet) }
    }

    /// A wallet by name or address.
    func wallet(_ typed: String) throws(PaygentError) -> Wallet {
        let reference = WalletName.normalized(typed)
        let byAddress = (try? Address(reference))?.lowercase
        let found = try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM wallet WHERE name = ? OR address = ?", arguments: [reference, byAddress]).map(Self.wallet)
        }
        guard let found else { throw PaygentError(.notFound, "no wallet '\(typed)'; see `paygent wallet list`") }
        return found
    }

    func key(_ wallet: Wallet) throws(PaygentError) -> PrivateKey {
        if let cached = keys.withLock({ $0[wallet.address.lowercase] }) { return cached }
        do {
            let key = try Keystore.read(from: wallet.keystore).decrypt(password: password)
            keys.withLock { $0[wallet.address.lowercase] = key }
            return key
        } catch {
            throw PaygentError(.internal, "the keystore of wallet '\(wallet.name)' cannot be opened", cause: error)
        }
    }

    // MARK: limits

    func setLimit(wallet: Wallet, token: String, amount: BigUInt?) throws(PaygentError) {
        try write { db in
            if let amount {
                try db.execute(
                    sql: "INSERT INTO daily_limit (wallet, token, amount) VALUES (?, ?, ?) ON CONFLICT(wallet, token) DO UPDATE SET amount = excluded.amount",
                    arguments: [wallet.name, token, Self.word(amount)])
            } else {
                try db.execute(sql: "DELETE FROM daily_limit WHERE wallet = ? AND token = ?", arguments: [wallet.name, token])
            }
        }
    }

    /// Each limit of a wallet with what has been spent of it since 00:00 UTC.
    func limits(wallet: Wallet) throws(PaygentError) -> [(token: String, limit: BigUInt, spent: BigUInt)] {
        let today = now()
        return try read { db in
            try Row.fetchAll(db, sql: "SELECT token, amount FROM daily_limit WHERE wallet = ? ORDER BY token", arguments: [wallet.name]).map { row in
                let token: String = row["token"]
                return (token, BigUInt(row["amount"] as Data), try Self.spent(db, wallet: wallet.name, token: token, day: Self.day(today)))
            }
        }
    }

    /// Records a spend, refusing it if it would pass the wallet's daily limit for the token. The
    /// check and the record are one transaction, so concurrent payments cannot pass the limit
    /// together. A repeated idempotency key returns the first reservation when `reuse` is set (a
    /// transfer, whose settlement the ledger answers by the same key); otherwise it is refused
    /// (`conflict`), since a second signature under one reservation would not be counted.
    func reserve(
        wallet: Wallet, token: String, decimals: Int, amount: BigUInt, idempotencyKey: String?, reuse: Bool = true,
        authorization: SpendAuthorization? = nil
    ) throws(PaygentError) -> Int64 {
        func human(_ value: BigUInt) -> String { "\((try? Amount(baseUnits: value))?.formatted(decimals: decimals) ?? "\(value)") \(token)" }
        return try write { db in
            if let idempotencyKey,
                let existing = try Int64.fetchOne(db, sql: "SELECT id FROM spend WHERE idempotency_key = ?", arguments: [idempotencyKey]) {
                guard reuse else {
                    throw PaygentError(.conflict, "a payment was already made under idempotency key '\(idempotencyKey)'; see `paygent payments list`, and use a new key for a new request")
                }
                return existing
            }
            let at = now()
            let day = Self.day(at)
            if let limitBlob = try Data.fetchOne(
                db, sql: "SELECT amount FROM daily_limit WHERE wallet = ? AND token = ?", arguments: [wallet.name, token]) {
                let limit = BigUInt(limitBlob)
                let spent = try Self.spent(db, wallet: wallet.name, token: token, day: day)
                guard spent + amount <= limit else {
                    let left = limit > spent ? limit - spent : 0
                    throw PaygentError(
                        .resourceExhausted,
                        "daily limit: wallet '\(wallet.name)' may spend \(human(limit)) per UTC day, \(human(left)) left today; this needs \(human(amount))")
                }
            }
            try db.execute(
                sql: "INSERT INTO spend (wallet, token, amount, day, state, idempotency_key, created_at, authorization) VALUES (?, ?, ?, ?, 'reserved', ?, ?, ?)",
                arguments: [wallet.name, token, Self.word(amount), day, idempotencyKey, at.timeIntervalSince1970, authorization?.text])
            return db.lastInsertedRowID
        }
    }

    /// Closes the reservation made under `key` (a wallet authorization's, when the settlement
    /// that used it is recorded), if there is one still open.
    func finish(key: String, settled: Bool) {
        try? database.write { db in
            try db.execute(
                sql: "UPDATE spend SET state = ? WHERE idempotency_key = ? AND state = 'reserved'", arguments: [settled ? "settled" : "released", key])
        }
    }

    /// Marks a reservation settled, or releases it so it no longer counts.
    func finish(_ reservation: Int64, settled: Bool) {
        try? database.write { db in
            try db.execute(
                sql: "UPDATE spend SET state = ? WHERE id = ? AND state = 'reserved'",
                arguments: [settled ? "settled" : "released", reservation])
        }
    }

    /// Spends still reserved that were made before `date`, with their idempotency keys.
    func reservations(before date: Date) throws(PaygentError) -> [(id: Int64, key: String?, authorization: SpendAuthorization?)] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, idempotency_key, authorization FROM spend WHERE state = 'reserved' AND created_at < ? ORDER BY id",
                arguments: [date.timeIntervalSince1970]
            ).map { ($0["id"], $0["idempotency_key"], ($0["authorization"] as String?).flatMap(SpendAuthorization.init(text:))) }
        }
    }

    // MARK: storage

    static func spent(_ db: Database, wallet: String, token: String, day: String) throws -> BigUInt {
        let blobs = try Data.fetchAll(
            db, sql: "SELECT amount FROM spend WHERE wallet = ? AND token = ? AND day = ? AND state != 'released'",
            arguments: [wallet, token, day])
        return AmountBlob.sum(blobs)
    }

    static func day(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day())
    }

    static func word(_ value: BigUInt) -> Data { AmountBlob.data(value) }

    static func wallet(_ row: Row) throws -> Wallet {
        Wallet(
            name: row["name"], address: try Address(row["address"] as String), keystore: row["keystore"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    private func read<T>(_ body: (Database) throws -> T) throws(PaygentError) -> T {
        do {
            return try database.read(body)
        } catch let error as PaygentError {
            throw error
        } catch {
            throw PaygentError(.internal, "the wallet database could not be read", cause: error)
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws(PaygentError) -> T {
        do {
            return try database.write(body)
        } catch let error as PaygentError {
            throw error
        } catch {
            throw PaygentError(.internal, "the wallet database could not be written", cause: error)
        }
    }
}

/// The EIP-3009 authorization a reservation was signed for (`payments.wallet_authorize`): what
/// became of it is on the ledger under its nonce, whatever idempotency key its settlement carried.
struct SpendAuthorization: Sendable, Equatable {
    let token: Address
    let authorizer: Address
    let nonce: [UInt8]
    /// Unix seconds; unused by then, it can never settle.
    let validBefore: UInt64

    init(token: Address, authorizer: Address, nonce: [UInt8], validBefore: UInt64) {
        (self.token, self.authorizer, self.nonce, self.validBefore) = (token, authorizer, nonce, validBefore)
    }

    /// `token:authorizer:nonce:validBefore`, as stored.
    var text: String { "\(token.lowercase):\(authorizer.lowercase):\(Hex.encode(nonce)):\(validBefore)" }

    init?(text: String) {
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count == 4, let token = try? Address(parts[0]), let authorizer = try? Address(parts[1]),
            let nonce = try? HexField.bytes(parts[2], count: 32, what: "nonce"), let validBefore = UInt64(parts[3])
        else { return nil }
        self.init(token: token, authorizer: authorizer, nonce: nonce, validBefore: validBefore)
    }
}
