import ArgumentParser
import Foundation
import PaygentPaymentsAPI

struct Faucet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mint test funds on the local chain (local chain only).",
        discussion: "Example: paygent faucet agent 100 USDC (a wallet's name, or any 0x address). The amount is in human units; more decimals than the token has is an error."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The wallet (name) or address to fund.", valueName: "wallet|address"))
    var address: String

    @Argument(help: ArgumentHelp("How much, in human units (e.g. 100 or 0.5).", valueName: "amount"))
    var amount: String

    @Argument(help: ArgumentHelp("Token symbol: CRO, WCRO, USDC, USDT, VVS, WBTC, WETH.", valueName: "token"))
    var token: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let call = ServiceCall(config: try global.load(), service: .payments)
        var to = address
        if !address.hasPrefix("0x") {
            let wallets: WalletListReply = try await call.call(PaymentsMethod.walletList, WalletListRequest())
            guard let wallet = wallets.wallets.first(where: { $0.name == address.precomposedStringWithCanonicalMapping }) else {
                throw CLIError("no wallet named '\(address)'; give a 0x address, or see `paygent wallet list`", code: .notFound)
            }
            to = wallet.address
        }
        try await call.show(
            PaymentsMethod.faucet, FaucetRequest(to: to, token: token.uppercased(), amount: amount), json: json,
            idempotencyKey: "faucet-\(UUID().uuidString)"
        ) { receipt in printReceipt(receipt, verb: "minted") }
    }
}

/// One line per ledger entry of a receipt, then its transaction hash.
func printReceipt(_ receipt: LedgerReceipt, verb: String) {
    let style = Style.forStandardOutput()
    for entry in receipt.transactions {
        let from = entry.kind == "mint" ? "" : " from \(entry.from)"
        print("\(style.green(verb)) \(entry.value.formatted(decimals: entry.token.decimals)) \(entry.token.symbol)\(from) to \(entry.to)")
        print(style.dim("tx \(entry.hash) (#\(entry.sequence), local chain)\(receipt.replayed ? ", replayed" : "")"))
    }
}
