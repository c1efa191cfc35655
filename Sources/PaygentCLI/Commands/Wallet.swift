import ArgumentParser
import Foundation
import PaygentPaymentsAPI
import PaygentCrypto

struct Wallet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Wallets: addresses, balances, history.",
        subcommands: [Create.self, Import.self, List.self, Address.self, Balance.self, Transfer.self, Limit.self, History.self]
    )

    struct Address: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the EIP-55 address of a key file.",
            discussion: "Reads a keystore v3 file (asking for its password) or a file holding a 0x-hex private key. The key itself is never printed."
        )

        @OptionGroup var key: KeyOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let address = try key.load().address
            if json {
                struct Out: Encodable { var address: String }
                try printJSON(Out(address: address.eip55))
            } else {
                print(address.eip55)
            }
        }
    }

    struct Balance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every token balance of an address on the local chain.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("An address, or the name of one of the service's wallets.", valueName: "address"))
        var address: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let config = try global.load()
            let call = ServiceCall(config: config, service: .payments)
            let reply: BalancesReply = try await call.call(
                PaymentsMethod.balances, BalancesRequest(owner: try await resolveWallet(address, call)))
            if json {
                try printJSON(reply)
                return
            }
            let style = Style.forStandardOutput()
            print(style.bold(reply.owner))
            var table = Table(headers: ["TOKEN", "BALANCE", "BASE UNITS"])
            // Created tokens (LP tokens, one per pool) are listed only when held; --json lists all.
            for balance in reply.balances where balance.token.minter == nil || balance.amount.baseUnits > 0 {
                table.rows.append([
                    balance.token.symbol, balance.amount.formatted(decimals: balance.token.decimals, minimumFractionDigits: 2),
                    balance.amount.description,
                ])
            }
            print(table.render(style: style))
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the ledger transactions of an address, newest first.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("An address, or the name of one of the service's wallets.", valueName: "address"))
        var address: String

        @Option(help: ArgumentHelp("Only this token (symbol).", valueName: "symbol"))
        var token: String?

        @Option(help: ArgumentHelp("How many.", valueName: "n"))
        var limit: Int = 20

        @Option(help: ArgumentHelp("Older than this sequence number (for the next page).", valueName: "seq"))
        var before: Int64?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let config = try global.load()
            let call = ServiceCall(config: config, service: .payments)
            let reply: LedgerHistoryReply = try await call.call(
                PaymentsMethod.ledgerHistory,
                LedgerHistoryRequest(owner: try await resolveWallet(address, call), token: token?.uppercased(), limit: limit, beforeSequence: before))
            if json {
                try printJSON(reply)
                return
            }
            let style = Style.forStandardOutput()
            var table = Table(headers: ["SEQ", "TIME (UTC)", "KIND", "AMOUNT", "FROM", "TO", "TX"])
            for entry in reply.transactions {
                table.rows.append([
                    "\(entry.sequence)", entry.time.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).dateTimeSeparator(.space)),
                    entry.kind, "\(entry.value.formatted(decimals: entry.token.decimals)) \(entry.token.symbol)",
                    Self.short(entry.from), Self.short(entry.to), Self.short(entry.hash),
                ])
            }
            print(table.render(style: style))
            if let last = reply.transactions.last, reply.transactions.count == limit {
                print(style.dim("more: --before \(last.sequence)"))
            }
        }

        static func short(_ text: String) -> String {
            text.count > 14 ? "\(text.prefix(8))…\(text.suffix(4))" : text
        }
    }
}

/// An address as given, or the address of the service's wallet with that name.
func resolveWallet(_ reference: String, _ call: ServiceCall) async throws -> String {
    if reference.hasPrefix("0x") { return reference }
    let reply: WalletListReply = try await call.call(PaymentsMethod.walletList, WalletListRequest())
    guard let wallet = reply.wallets.first(where: { $0.name == reference }) else {
        throw CLIError("'\(reference)' is neither an address nor a wallet name; see `paygent wallet list`")
    }
    return wallet.address
}
