import Foundation
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

            \(ExitStatus.help)
            """,
        version: PaygentVersion.current,
        subcommands: [
            Up.self, Down.self, Restart.self, Status.self, Logs.self, Wallet.self, Faucet.self, Fetch.self, Payments.self, Services.self, Subscriptions.self, Pools.self, Swap.self, Liquidity.self, Farm.self, Perp.self, X402.self, Run.self, Sessions.self, Approvals.self, History.self, Kill.self, Demo.self,
        ]
    )

    public init() {}

    /// Runs the command line. A `CLIError` prints its message (or, when the command line asks
    /// for `--json`, `{"error": {"code", "message"}}` on standard output) and exits with its
    /// documented status; everything else is ArgumentParser's (help, usage errors: 64).
    public static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            report(error, json: CommandLine.arguments.contains("--json"))
            Foundation.exit(error.exitStatus)
        } catch {
            exit(withError: error)
        }
    }

    static func report(_ error: CLIError, json: Bool) {
        if json {
            struct Body: Encodable {
                struct Detail: Encodable {
                    let code: String
                    let message: String
                }
                let error: Detail
            }
            try? printJSON(Body(error: .init(code: error.code?.name ?? "failed", message: error.description)))
        } else {
            FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
        }
    }
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
