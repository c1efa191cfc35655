import BigInt
import Foundation
import Logging
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentServiceKit
import PaygentCrypto
import PaygentLedger
import PaygentTransport
import PaygentWire
import PaygentMoney

/// Wallet methods: create, list, daily limits, and transfers signed by a wallet's key.
struct WalletHandlers: HandlerGroup {
    let wallets: WalletStore
    let ledger: any SettlementBackend
    let now: @Sendable () -> Date
    let random: RandomSource

    func register(on server: RPCServer) {
        server.register(PaymentsMethod.walletCreate, placement: .parallel) { (request: WalletCreateRequest, context) in
            let wallet = try wallets.create(name: request.name)
            context.logger.info("wallet created", metadata: ["wallet.name": "\(wallet.name)", "wallet.address": "\(wallet.address.eip55)"])
            return try info(wallet)
        }
        server.register(PaymentsMethod.walletImport, placement: .parallel) { (request: WalletImportRequest, context) in
            let wallet = try wallets.importKeystore(name: request.name, json: request.keystore, password: request.password)
            context.logger.info("wallet imported", metadata: ["wallet.name": "\(wallet.name)", "wallet.address": "\(wallet.address.eip55)"])
            return try info(wallet)
        }
        server.register(PaymentsMethod.walletList, placement: .parallel) { (_: WalletListRequest, _) in
            WalletListReply(wallets: try wallets.all().map { (wallet) throws(PaygentError) in try info(wallet) })
        }
        server.register(PaymentsMethod.walletLimit, placement: .parallel) { (request: WalletLimitRequest, context) in
            let wallet = try wallets.wallet(request.wallet)
            let token = try token(request.token)
            let amount = try request.amount.map { (text) throws(PaygentError) in
                try Validate.amount(text, decimals: token.decimals, field: "amount", allowZero: true)
            }
            try wallets.setLimit(wallet: wallet, token: token.symbol, amount: amount?.baseUnits)
            context.logger.info("daily limit set", metadata: [
                "wallet.name": "\(wallet.name)", "ledger.token": "\(token.symbol)", "limit": "\(request.amount ?? "none")",
            ])
            return try info(wallet)
        }
        server.register(PaymentsMethod.walletTransfer, placement: .parallel) { (request: WalletTransferRequest, context) in
            let wallet = try wallets.wallet(request.wallet)
            let token = try token(request.token)
            let amount = try Validate.amount(request.amount, decimals: token.decimals, field: "amount")
            let to = try Validate.recipient(request.to, field: "to")
            // The idempotency key ties the reservation, the signature and the settlement together:
            // a retry finds the first reservation and the ledger's first receipt.
            let key = context.idempotencyKey ?? "transfer-\(random.id())"
            let reservation = try wallets.reserve(
                wallet: wallet, token: token.symbol, decimals: token.decimals, amount: amount.baseUnits, idempotencyKey: key)
            do {
                let signer = try wallets.key(wallet)
                let now = UInt64(max(0, now().timeIntervalSince1970))
                let authorization = TransferWithAuthorization(
                    from: wallet.address, to: to, value: amount.baseUnits, validAfter: 0, validBefore: BigUInt(now + 300),
                    nonce: random.nonce())
                let signature = try authorization.sign(with: signer, domain: token.domain(chainID: ledger.chainID))
                let receipt = try await ledger.settle(
                    [SignedTransfer(token: token.address, authorization: authorization, signature: signature)], idempotencyKey: key)
                wallets.finish(reservation, settled: true)
                context.logger.info("transfer settled", metadata: [
                    "wallet.name": "\(wallet.name)", "ledger.to": "\(to.eip55)", "ledger.token": "\(token.symbol)",
                    "ledger.amount": "\(request.amount)",
                ])
                return try receipt.message(ledger)
            } catch {
                wallets.finish(reservation, settled: false)
                throw error
            }
        }
        registerAuthorize(on: server)
    }

    /// `payments.wallet_authorize`: the reservation carries the caller's idempotency key, which
    /// the settlement must carry too, so that the spend is counted settled when it settles
    /// (`payments.settle`) and released by the periodic pass when it never does.
    func registerAuthorize(on server: RPCServer) {
        server.register(PaymentsMethod.walletAuthorize, placement: .parallel) { (request: WalletAuthorizeRequest, context) in
            guard let key = context.idempotencyKey else {
                throw PaygentError(.badRequest, "an idempotency key is required: the payments.settle that uses this authorization carries the same key")
            }
            let wallet = try wallets.wallet(request.wallet)
            let token = try token(request.token)
            let amount = try Validate.amount(request.amount, decimals: token.decimals, field: "amount")
            let to = try Validate.recipient(request.to, field: "to")
            let validity = request.validSeconds ?? 120
            guard (10...300).contains(validity) else { throw PaygentError(.badRequest, "validSeconds: 10 to 300, got \(validity)") }
            let now = UInt64(max(0, now().timeIntervalSince1970))
            let authorization = TransferWithAuthorization(
                from: wallet.address, to: to, value: amount.baseUnits, validAfter: 0, validBefore: BigUInt(now + UInt64(validity)),
                nonce: random.nonce())
            // One authorization per key (a second would be a second spend under one reservation),
            // and the reservation names it, so its fate is read from the ledger by its nonce.
            _ = try wallets.reserve(
                wallet: wallet, token: token.symbol, decimals: token.decimals, amount: amount.baseUnits, idempotencyKey: key, reuse: false,
                authorization: SpendAuthorization(
                    token: token.address, authorizer: wallet.address, nonce: authorization.nonce, validBefore: now + UInt64(validity)))
            let signature = try authorization.sign(with: try wallets.key(wallet), domain: token.domain(chainID: ledger.chainID))
            context.logger.info("transfer authorized", metadata: [
                "wallet.name": "\(wallet.name)", "ledger.to": "\(to.eip55)", "ledger.token": "\(token.symbol)", "ledger.amount": "\(request.amount)",
            ])
            return SignedTransferMessage(
                token: token.address.eip55, from: wallet.address.eip55, to: to.eip55, value: amount, validAfter: "0",
                validBefore: authorization.validBefore.description, nonce: Data(authorization.nonce), signature: Data(signature.bytes))
        }
    }

    private func token(_ symbol: String) throws(PaygentError) -> LedgerToken {
        try Validate.token(symbol, in: ledger.allTokens, symbol: \.symbol)
    }

    private func info(_ wallet: WalletStore.Wallet) throws(PaygentError) -> WalletInfo {
        let limits = try wallets.limits(wallet: wallet).map { entry in
            DailyLimit(
                token: entry.token, decimals: ledger.token(symbol: entry.token)?.decimals ?? 0, limit: (try? Amount(baseUnits: entry.limit)) ?? .zero,
                spentToday: (try? Amount(baseUnits: entry.spent)) ?? .zero,
                remaining: (try? Amount(baseUnits: entry.limit > entry.spent ? entry.limit - entry.spent : 0)) ?? .zero)
        }
        return WalletInfo(name: wallet.name, address: wallet.address.eip55, createdAt: wallet.createdAt, limits: limits)
    }
}
