import Foundation
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTransport
import PaygentTestSupport
import PaygentWire
import Synchronization

/// What the payments tests start from: a throwaway deployment with the payments service running
/// (a child process), an RPC client for it, and the sample API when asked. `tearDown()` kills
/// what is left and removes the directory (call it from `defer`); `stop()` ends gracefully.
public final class PaymentsTestService: Sendable {
    public let deployment: TestDeployment
    public let context: ZMQContext
    public let client: RPCClient
    private let processes = Mutex<(payments: ChildProcess?, others: [ChildProcess])>((nil, []))

    /// `settings`: configuration file values, as `TestDeployment` takes them.
    public init(defaultEndpoints: Bool = false, settings: [(section: String, key: String, value: String)] = []) async throws {
        deployment = try TestDeployment(defaultEndpoints: defaultEndpoints, settings: settings)
        context = ZMQContext()
        do {
            let payments = try await startService(.payments, deployment: deployment, context: context)
            processes.withLock { $0.payments = payments }
            client = try RPCClient(endpoint: deployment.config.endpoints(.payments).rpc, serviceName: "payments", context: context)
        } catch {
            processes.withLock { $0.payments?.signal(SIGKILL) }
            deployment.remove()
            throw error
        }
    }

    /// The running payments service.
    public var payments: ChildProcess { processes.withLock { $0.payments! } }

    /// Kills the payments service at once (a crash), or restarts it after one.
    public func kill() { payments.signal(SIGKILL) }

    public func restart() async throws {
        let fresh = try await startService(.payments, deployment: deployment, context: context)
        processes.withLock { $0.payments = fresh }
    }

    /// Starts the sample paid API (`paygent-market`) with `arguments` and waits until it answers.
    @discardableResult
    public func startMarket(_ arguments: [String] = [], tag: String = "market") async throws -> ChildProcess {
        let market = try ChildProcess("paygent-market", arguments, deployment: deployment, tag: tag)
        processes.withLock { $0.others.append(market) }
        try await waitForHTTP(deployment.config.marketHTTP, child: market)
        return market
    }

    /// Base units of USDC that `owner` holds, as a decimal string.
    public func usdc(_ owner: String) async throws -> String {
        let reply: BalancesReply = try await client.call(PaymentsMethod.balances, BalancesRequest(owner: owner))
        return reply.balances.first { $0.token.symbol == "USDC" }?.amount.description ?? "0"
    }

    /// Mints `amount` (human decimals) of USDC to `owner` from the local chain's faucet.
    public func fund(_ owner: String, _ amount: String) async throws {
        let _: LedgerReceipt = try await client.call(PaymentsMethod.faucet, FaucetRequest(to: owner, token: "USDC", amount: amount))
    }

    /// SIGTERM to the others, then a graceful stop of the payments service.
    public func stop() async {
        for other in processes.withLock({ $0.others }) where other.isRunning { other.signal(SIGTERM) }
        await payments.stop()
    }

    public func tearDown() {
        client.close()
        processes.withLock { state in
            for process in state.others + [state.payments].compactMap({ $0 }) where process.isRunning { process.signal(SIGKILL) }
        }
        deployment.remove()
    }
}
