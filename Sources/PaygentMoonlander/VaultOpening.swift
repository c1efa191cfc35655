import BigInt
import Foundation
import PaygentMoney
import PaygentPaymentsAPI
import PaygentWire

extension PerpDesk {
    /// Opens the desk: the ledger's tokens, the vault's record and its seed liquidity (minted on
    /// the local chain's faucet once, under an idempotency key, so a crash before it is recorded
    /// mints nothing twice), every action a crash left pending resolved, the records loaded and the
    /// vault checked against the ledger. Until then every method answers `unavailable`.
    func openVault(funding whole: String) async throws {
        tokens.set(try await payments.call(PaymentsMethod.tokens, TokensRequest(), deadline: .seconds(10)))
        guard let usdc = try tokens.all()[Self.collateralToken], usdc.decimals == Self.collateralDecimals else {
            throw PaygentError(.internal, "the ledger has no \(Self.collateralToken) of \(Self.collateralDecimals) decimals to use as collateral")
        }
        let address = try vaultKey.address.eip55
        if try store.vault() == nil {
            let seed = try Amount(parsing: whole, decimals: Self.collateralDecimals).baseUnits
            let first = time.now().addingTimeInterval(fundingInterval)
            try store.create(
                vault: address, seed: seed,
                markets: MarketSpec.all.map { MarketState(symbol: $0.symbol, longOpenInterest: 0, shortOpenInterest: 0, nextFunding: first) })
        }
        guard let vault = try store.vault() else { throw PaygentError(.internal, "the vault's record was not written") }
        if !vault.funded {
            let _: LedgerReceipt = try await payments.call(
                PaymentsMethod.faucet,
                FaucetRequest(to: vault.address, token: Self.collateralToken, amount: PerpFormat.decimal(vault.seed, decimals: Self.collateralDecimals)),
                deadline: .seconds(10), idempotencyKey: "moonlander-vault-seed")
            try store.markFunded(balance: vault.seed)
            logger.info("vault funded", metadata: ["moonlander.vault": "\(vault.address)", "moonlander.vault_funding": "\(vault.seed)"])
        }
        let random = self.random
        await blocks.connect(newID: { "blk_" + Hex.encode(random.bytes(6)) }) { [self] id, members in await settleBlock(id, members) }
        try await resolvePending()
        try load()
        try await checkVault()
        state.withLock { $0.ready = true }
    }
}
