import PaygentWire
import PaygentX402

/// Methods of the payments service (`protocol/services/payments.md`). The service registers a
/// handler for each; clients call them; the protocol document's tables come from them.
public enum PaymentsMethod {
    // The local chain's ledger.
    public static let tokens = RPCMethod<TokensRequest, TokensReply>(
        "payments.tokens", .read, "the local chain's tokens: symbol, address, decimals, and the minter of a token created here")
    public static let tokenCreate = RPCMethod<TokenCreateRequest, TokenInfo>(
        "payments.token_create", .idempotentWrite, "creates a token that only its minter mints and burns (a pool's LP token)")
    public static let balances = RPCMethod<BalancesRequest, BalancesReply>(
        "payments.balances", .read, "every token balance of an address, zeros included")
    public static let faucet = RPCMethod<FaucetRequest, LedgerReceipt>(
        "payments.faucet", .write, "local chain only: mints test funds to an address")
    public static let settle = RPCMethod<SettleRequest, LedgerReceipt>(
        "payments.settle", .write, "applies signed EIP-3009 transfers, then signed mints and burns, all or nothing")
    public static let ledgerHistory = RPCMethod<LedgerHistoryRequest, LedgerHistoryReply>(
        "payments.ledger_history", .read, "the ledger's transaction log, newest first")

    // Wallets: keys kept by the service, with daily limits.
    public static let walletCreate = RPCMethod<WalletCreateRequest, WalletInfo>(
        "payments.wallet_create", .write, "a new key, kept in an encrypted keystore file")
    public static let walletImport = RPCMethod<WalletImportRequest, WalletInfo>(
        "payments.wallet_import", .write, "adopts the key of a keystore v3 file")
    public static let walletList = RPCMethod<WalletListRequest, WalletListReply>(
        "payments.wallet_list", .read, "every wallet with its balances' limits and what it spent today")
    public static let walletLimit = RPCMethod<WalletLimitRequest, WalletInfo>(
        "payments.wallet_limit", .write, "sets (or, with no amount, removes) a wallet's daily limit for a token")
    public static let walletTransfer = RPCMethod<WalletTransferRequest, LedgerReceipt>(
        "payments.wallet_transfer", .write, "a signed transfer from a wallet, within its daily limit")
    public static let walletAuthorize = RPCMethod<WalletAuthorizeRequest, SignedTransferMessage>(
        "payments.wallet_authorize", .write,
        "signs, without settling, a transfer from a wallet within its daily limit, for a payments.settle under the same idempotency key")

    // The x402 client.
    public static let fetch = RPCMethod<FetchRequest, FetchReply>(
        "payments.fetch", .write, "requests a URL, paying its x402 price from a wallet within a maximum and the daily limit")
    public static let paymentList = RPCMethod<PaymentListRequest, PaymentListReply>(
        "payments.list", .read, "x402 payments made by the service's wallets, newest first")
    public static let paymentShow = RPCMethod<PaymentShowRequest, PaymentEntry>(
        "payments.show", .read, "one x402 payment")
    public static let paymentStats = RPCMethod<PaymentStatsRequest, PaymentStats>(
        "payments.stats", .read, "counts, totals and latency of x402 payments")

    // The x402 facilitator, for resource servers on the Paygent bus; outside servers use the
    // same facilitator over HTTP.
    public static let x402Verify = RPCMethod<FacilitatorCall, VerifyResponse>(
        "payments.x402_verify", .read, "checks an x402 payment against the exact-scheme rules and the ledger")
    public static let x402Settle = RPCMethod<FacilitatorCall, SettleResponse>(
        "payments.x402_settle", .idempotentWrite,
        "settles an x402 payment on the ledger; the same authorization settled again answers the first result, marked replayed")
    public static let x402Supported = RPCMethod<X402SupportedRequest, SupportedResponse>(
        "payments.x402_supported", .read, "the x402 schemes and networks settled here")
}

/// Events of the payments service.
public enum PaymentsEvent {
    public static let paymentSettled = EventTopic<PaymentEntry>("payment.settled", "an x402 payment of a wallet settled")
    public static let paymentFailed = EventTopic<PaymentEntry>("payment.failed", "an x402 payment of a wallet failed and its spend was released")
}

public enum PaymentsCatalog {
    public static let catalog = ServiceCatalog(
        service: "payments",
        methods: [
            PaymentsMethod.tokens, PaymentsMethod.tokenCreate, PaymentsMethod.balances, PaymentsMethod.faucet, PaymentsMethod.settle,
            PaymentsMethod.ledgerHistory, PaymentsMethod.walletCreate, PaymentsMethod.walletImport,
            PaymentsMethod.walletList, PaymentsMethod.walletLimit, PaymentsMethod.walletTransfer, PaymentsMethod.walletAuthorize,
            PaymentsMethod.fetch, PaymentsMethod.paymentList, PaymentsMethod.paymentShow, PaymentsMethod.paymentStats,
            PaymentsMethod.x402Verify, PaymentsMethod.x402Settle, PaymentsMethod.x402Supported,
        ],
        events: [PaymentsEvent.paymentSettled, PaymentsEvent.paymentFailed])
}
