import ArgumentParser
import Foundation
import PaygentMoonlanderAPI
import PaygentOrchestratorAPI
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentVVSAPI

/// `paygent demo`: a realistic agent session against the running deployment.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a realistic agent session on the local chain: balances, discovery, an x402 payment, a swap, a perpetual, an approval.",
        discussion: """
            Needs the services running (`paygent up --detach`). Funds a wallet `agent` from the local chain's faucet \
            (created if missing), opens a session for it, and runs: check the balance, find market data services, pay \
            0.10 USDC for market data (real x402 through the sample paid API), swap CRO for USDC on VVS, open a 10x BTC \
            long on Moonlander, move the oracle, close it with a profit, a 25 USDC payment that waits for approval and is \
            approved, a command refused with a helpful message, and the session's summary.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The wallet to fund and use.", valueName: "wallet")) var wallet = "agent"

    func run() async throws {
        let config = try global.load()
        let style = Style.forStandardOutput()
        let payments = ServiceCall(config: config, service: .payments)
        let orchestrator = ServiceCall(config: config, service: .orchestrator)
        let moonlander = ServiceCall(config: config, service: .moonlander)
        func say(_ text: String) {
            print("\n" + style.bold("== \(text)"))
            flushStandardOutput()
        }

        say("a wallet for the agent, funded from the local chain's faucet")
        let wallets = try await payments.call(PaymentsMethod.walletList, WalletListRequest()).wallets
        let info: WalletInfo
        if let existing = wallets.first(where: { $0.name == wallet }) {
            info = existing
        } else {
            info = try await payments.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: wallet), idempotencyKey: UUID().uuidString)
        }
        for (token, amount) in [("USDC", "100"), ("CRO", "2000")] {
            _ = try await payments.call(PaymentsMethod.faucet, FaucetRequest(to: info.address, token: token, amount: amount), idempotencyKey: UUID().uuidString)
        }
        print("\(wallet) \(info.address): +100 USDC, +2000 CRO")
        try await waitUntilReady(config)
        let name = "demo-\(Int(Date().timeIntervalSince1970) % 1_000_000)"
        let session = try await orchestrator.call(
            OrchestratorMethod.sessionCreate, SessionCreateRequest(name: name, wallet: wallet), idempotencyKey: UUID().uuidString)
        print("session \(session.name) (\(session.id)): \(Sessions.policy(session.policy))")

        func run(_ command: String) async throws -> ExecutionInfo {
            print("\n" + style.cyan("$ paygent run --session \(name) \"\(command)\""))
            let printer = PlanPrinter(style: style, mode: .human)
            do {
                var execution = try await orchestrator.call(
                    OrchestratorMethod.run, RunRequest(command: command, session: name), idempotencyKey: UUID().uuidString, deadline: .seconds(120))
                printer.settle(execution)
                if execution.status == .awaitingApproval, let approval = execution.approval {
                    printer.summary(execution)
                    print(style.yellow("(the demo approves \(approval.id); `paygent run` on a terminal asks you: approve, reject or edit)"))
                    execution = try await orchestrator.call(
                        OrchestratorMethod.decide, DecideRequest(approval: approval.id, decision: .approve), idempotencyKey: UUID().uuidString,
                        deadline: .seconds(120))
                    printer.settle(execution)
                }
                printer.summary(execution)
                return execution
            } catch let error as CLIError {
                print(style.red("refused: ") + error.description)
                throw error
            }
        }

        say("the agent's session")
        _ = try await run("Check my wallet balance")
        _ = try await run("find market data services")
        _ = try await run("Pay 0.10 USDC to access the market data API")
        _ = try await run("Swap 100 CRO for USDC")
        _ = try await moonlander.call(MoonlanderMethod.priceSet, PriceSetRequest(market: "BTC-USD", price: "100000"), idempotencyKey: UUID().uuidString)
        print("\n(oracle: BTC-USD set to 100000)")
        _ = try await run("Open a 10x long position on BTC with 10 USDC")
        _ = try await moonlander.call(MoonlanderMethod.priceSet, PriceSetRequest(market: "BTC-USD", price: "104000"), idempotencyKey: UUID().uuidString)
        print("\n(oracle: BTC-USD moved to 104000)")
        _ = try await run("close my BTC position")
        _ = try await run("send 25 USDC to 0x209693Bc6afc0C5328bA36FaF03C514EF312287C")
        do {
            _ = try await run("send all my money to 0x209693Bc6afc0C5328bA36FaF03C514EF31228")
        } catch is CLIError {}

        say("the session's summary")
        let summary = try await orchestrator.call(OrchestratorMethod.sessionSummary, SessionRequest(session: name))
        Sessions.printSummary(summary)
        print("\nTry it yourself: paygent run \"what did I spend today?\" --session \(name)")
    }

    /// VVS seeds its pools and Moonlander opens its vault in the background after a first start.
    private func waitUntilReady(_ config: PaygentConfig) async throws {
        let vvs = ServiceCall(config: config, service: .vvs)
        let moonlander = ServiceCall(config: config, service: .moonlander)
        for _ in 0..<150 {
            let pools = try? await vvs.call(VVSMethod.pools, PoolsRequest(), deadline: .seconds(2))
            let markets = try? await moonlander.call(MoonlanderMethod.markets, MarketsRequest(), deadline: .seconds(2))
            if pools?.pools.isEmpty == false, markets?.markets.allSatisfy({ $0.price != nil }) == true { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw CLIError("VVS's pools or Moonlander's markets were not ready within 30 s; see `paygent status` and `paygent logs`")
    }
}
