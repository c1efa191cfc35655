import ArgumentParser
import PaygentPaymentsAPI
import PaygentRuntime

/// `paygent`: the command-line front door to a Paygent deployment.
public struct PaygentCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "paygent",
        abstract: "Let AI agents pay for services and trade on Cronos, over x402.",
        discussion: """
            Start everything locally with `paygent up`, check it with `paygent status`, and watch every service's log with `paygent logs --follow`.
            """,
        version: PaygentVersion.current,
        subcommands: [Up.self, Down.self, Restart.self, Status.self, Logs.self, Wallet.self, Faucet.self, Fetch.self, Payments.self, X402.self]
    )

    public init() {}
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("JSON config file.", valueName: "file"))
    var config: String?

    func load() throws -> PaygentConfig {
        do {
            return try PaygentConfig.load(file: config)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
