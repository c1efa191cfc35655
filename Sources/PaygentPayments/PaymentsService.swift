import BigInt
import Foundation
import Logging
import PaygentPaymentsAPI
import PaygentCrypto
import PaygentLedger
import PaygentRuntime
import PaygentServiceKit
import PaygentTransport
import PaygentWire
import PaygentX402HTTP
import PaygentMoney

/// The payments service (`paygent-payments`): wallets, the ledger, the x402 client and facilitator.
///
/// It serves the local chain (token list, balances, the faucet, settlement of signed
/// EIP-3009 transfers, all or nothing, and the transaction log) and wallets (keystores, daily
/// limits, signed transfers), the x402 client (`payments.fetch`) and facilitator (over RPC and
/// HTTP). The host adds `health` and `logs.recent`.
public enum PaymentsService {
    public static let definition = ServiceDefinition(name: .payments, catalog: PaymentsCatalog.catalog) { server, environment in
        let path = (environment.directory as NSString).appendingPathComponent("ledger.sqlite")
        let ledger: any SettlementBackend
        do throws(LedgerError) {
            ledger = try LocalLedger(path: path, chainID: 338, now: environment.time.now)
        } catch {
            throw ConfigError("cannot open the ledger at \(path): \(error.message)")
        }
        environment.logger.info("ledger ready", metadata: ["ledger.path": "\(path)", "ledger.chain_id": "338"])
        let wallets: WalletStore
        do {
            wallets = try WalletStore(directory: environment.directory, now: environment.time.now)
        } catch {
            throw ConfigError("cannot open the wallets in \(environment.directory): \(error)")
        }
        PaymentsHandlers(ledger: ledger, wallets: wallets, logger: environment.logger).register(on: server)
        WalletHandlers(wallets: wallets, ledger: ledger, now: environment.time.now, random: environment.random).register(on: server)
        let payments: PaymentLog
        do {
            payments = try PaymentLog(directory: environment.directory)
        } catch {
            throw ConfigError("cannot open the payment log in \(environment.directory): \(error)")
        }
        let time = environment.time
        let offers = OfferCache(elapsed: time.elapsed)
        environment.health.report("offer_cache.entries") { "\(offers.count)" }
        let now = time.now
        let resolver = PaymentResolver(
            wallets: wallets, ledger: ledger, payments: payments, publisher: environment.publisher, logger: environment.logger, now: now)
        // Before serving: every payment a crash left pending is settled against the ledger.
        await resolver.reconcile(orphansBefore: now())
        environment.background.run("payment reconciler") {
            while !Task.isCancelled {
                try await time.clock.sleep(for: PaymentResolver.interval)
                // Spends reserved over 6 minutes ago that no payment holds: an authorization
                // (valid 5 minutes at most) whose settlement never came, or a crash's leftovers.
                await resolver.reconcile(orphansBefore: now().addingTimeInterval(-360))
            }
        }
        let registry = try RPCClient(
            endpoint: environment.config.endpoints(.registry).rpc, serviceName: "registry", context: environment.context)
        FetchHandler(
            wallets: wallets, ledger: ledger, payments: payments, resolver: resolver, target: FetchTarget(config: environment.config),
            maxPaymentValiditySeconds: UInt64(try environment.config.maxPaymentValiditySeconds()), offers: offers, registry: registry,
            time: time, random: environment.random
        ).register(on: server)
        let cataloguer = BazaarCataloguer(registry: registry, logger: environment.logger)
        let facilitator = LedgerFacilitator(ledger: ledger, now: now, bazaarSettled: cataloguer.settled)
        FacilitatorRPC.register(on: server, facilitator: facilitator)
        try FacilitatorHTTP.start(
            facilitator: facilitator, discovery: BazaarDiscovery(registry: registry, ledger: ledger), config: environment.config,
            environment: environment)
    }
}

/// The RPC handlers over the ledger. Database writes and signature checks run on the shared
/// pool (`.parallel`), not on the server's socket thread.
struct PaymentsHandlers: HandlerGroup {
    let ledger: any SettlementBackend
    let wallets: WalletStore
    let logger: Logger

    func register(on server: RPCServer) {
        server.register(PaymentsMethod.tokens, placement: .loop) { (_: TokensRequest, _) in
            TokensReply(chainID: ledger.chainID, tokens: ledger.allTokens.map(Self.info))
        }
        server.register(PaymentsMethod.tokenCreate, placement: .parallel) { (request: TokenCreateRequest, context) in
            let minter = try Validate.address(request.minter, field: "minter")
            let token = try await ledger.createToken(symbol: request.symbol, name: request.name, decimals: request.decimals, minter: minter)
            context.logger.info("token created", metadata: ["ledger.token": "\(token.symbol)", "ledger.minter": "\(minter.eip55)"])
            return Self.info(token)
        }
        server.register(PaymentsMethod.balances, placement: .parallel) { (request: BalancesRequest, _) in
            let owner = try Validate.address(request.owner, field: "owner")
            let balances = try await ledger.balances(owner: owner)
            return BalancesReply(
                owner: owner.eip55,
                balances: try balances.map { TokenBalance(token: Self.info($0.token), amount: try Self.amount($0.amount)) })
        }
        server.register(PaymentsMethod.faucet, placement: .parallel) { (request: FaucetRequest, context) in
            let to = try Validate.address(request.to, field: "to")
            let token = try Validate.token(request.token, in: ledger.allTokens, symbol: \.symbol)
            let amount = try Validate.amount(request.amount, decimals: token.decimals, field: "amount")
            let receipt = try await ledger.mint(token: token.address, to: to, amount: amount.baseUnits, idempotencyKey: context.idempotencyKey)
            context.logger.info("faucet minted", metadata: [
                "ledger.to": "\(to.eip55)", "ledger.token": "\(token.symbol)", "ledger.amount": "\(request.amount)",
            ])
            return try receipt.message(ledger)
        }
        server.register(PaymentsMethod.settle, placement: .parallel) { (request: SettleRequest, context) in
            let transfers = try request.transfers.enumerated().map { index, message in try Self.transfer(message, index: index) }
            let supply = try request.supply.enumerated().map { offset, message in
                try Self.supplyChange(message, index: transfers.count + offset)
            }
            let receipt = try await ledger.settle(transfers, supply: supply, idempotencyKey: context.idempotencyKey)
            // A wallet's authorization reserved under this key (`payments.wallet_authorize`) is spent.
            if let key = context.idempotencyKey { wallets.finish(key: key, settled: true) }
            context.logger.info("settled", metadata: ["ledger.transfers": "\(transfers.count)", "ledger.replayed": "\(receipt.replayed)"])
            return try receipt.message(ledger)
        }
        server.register(PaymentsMethod.ledgerHistory, placement: .parallel) { (request: LedgerHistoryRequest, _) in
            let owner = try request.owner.map { try Validate.address($0, field: "owner") }
            var token: Address?
            if let symbol = request.token {
                guard let found = ledger.token(symbol: symbol) else { throw PaygentError(.notFound, "no token \(symbol)") }
                token = found.address
            }
            let entries = try await ledger.transactions(owner: owner, token: token, limit: request.limit, beforeSequence: request.beforeSequence)
            return LedgerHistoryReply(transactions: try entries.map { try $0.entry(ledger) })
        }
    }

    static func info(_ token: LedgerToken) -> TokenInfo {
        TokenInfo(
            symbol: token.symbol, address: token.address.eip55, decimals: token.decimals, domainName: token.domainName,
            domainVersion: token.domainVersion, minter: token.minter?.eip55)
    }

    static func supplyChange(_ message: SignedSupplyMessage, index: Int) throws(PaygentError) -> SignedSupplyChange {
        do {
            guard let kind = SupplyAuthorization.Kind(rawValue: message.kind) else {
                throw PaygentError(.badRequest, "supply change \(index): kind is mint or burn, got '\(message.kind)'")
            }
            guard let validAfter = BigUInt(message.validAfter, radix: 10), let validBefore = BigUInt(message.validBefore, radix: 10) else {
                throw PaygentError(.badRequest, "supply change \(index): validAfter and validBefore are decimal Unix seconds")
            }
            return SignedSupplyChange(
                token: try Address(message.token),
                authorization: SupplyAuthorization(
                    kind: kind, account: try Address(message.account), value: message.value.baseUnits, validAfter: validAfter,
                    validBefore: validBefore, nonce: [UInt8](message.nonce)),
                signature: try Signature(bytes: [UInt8](message.signature)))
        } catch let error as PaygentError {
            throw error
        } catch {
            throw PaygentError(.badRequest, "supply change \(index): \(error)")
        }
    }

    static func amount(_ value: BigUInt) throws(PaygentError) -> Amount {
        do {
            return try Amount(baseUnits: value)
        } catch {
            throw PaygentError(.internal, "a ledger amount is out of range")
        }
    }

    static func transfer(_ message: SignedTransferMessage, index: Int) throws(PaygentError) -> SignedTransfer {
        do {
            guard let validAfter = BigUInt(message.validAfter, radix: 10), let validBefore = BigUInt(message.validBefore, radix: 10) else {
                throw PaygentError(.badRequest, "transfer \(index): validAfter and validBefore are decimal Unix seconds")
            }
            return SignedTransfer(
                token: try Address(message.token),
                authorization: TransferWithAuthorization(
                    from: try Address(message.from), to: try Address(message.to), value: message.value.baseUnits,
                    validAfter: validAfter, validBefore: validBefore, nonce: [UInt8](message.nonce)),
                signature: try Signature(bytes: [UInt8](message.signature)))
        } catch let error as PaygentError {
            throw error
        } catch {
            throw PaygentError(.badRequest, "transfer \(index): \(error)")
        }
    }
}

extension LedgerTransaction {
    func entry(_ ledger: any SettlementBackend) throws(PaygentError) -> LedgerEntry {
        guard let address = try? Address(token), let known = ledger.token(address) else {
            throw PaygentError(.internal, "the log names an unknown token \(token)")
        }
        let amount: Amount
        do {
            amount = try Amount(baseUnitsString: value)
        } catch {
            throw PaygentError(.internal, "the log holds an invalid amount")
        }
        return LedgerEntry(
            sequence: sequence, hash: hash, kind: kind.rawValue, token: PaymentsHandlers.info(known),
            from: (try? Address(from).eip55) ?? from, to: (try? Address(to).eip55) ?? to, value: amount, time: time,
            idempotencyKey: idempotencyKey)
    }
}

extension SettlementReceipt {
    func message(_ ledger: any SettlementBackend) throws(PaygentError) -> LedgerReceipt {
        LedgerReceipt(transactions: try transactions.map { (t) throws(PaygentError) in try t.entry(ledger) }, replayed: replayed)
    }
}
