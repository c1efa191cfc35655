import ArgumentParser
import Foundation
import PaygentPaymentsAPI

struct Faucet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mint test funds on the local chain (local chain only).",
        discussion: "Example: paygent faucet 0x2c7536E3605D9C16a7a3D7b1898e529396a65c23 100 USDC. The amount is in human units; more decimals than the token has is an error."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The address to fund.", valueName: "address"))
    var address: String

    @Argument(help: ArgumentHelp("How much, in human units (e.g. 100 or 0.5).", valueName: "amount"))
    var amount: String

    @Argument(help: ArgumentHelp("Token symbol: CRO, WCRO, USDC, USDT, VVS, WBTC, WETH.", valueName: "token"))
    var token: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await ServiceCall(config: try global.load(), service: .payments).show(
            PaymentsMethod.faucet, FaucetRequest(to: address, token: token.uppercased(), amount: amount), json: json,
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
