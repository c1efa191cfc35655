import Foundation
import PaygentOrchestratorAPI
import PaygentPaymentsAPI
import PaygentRegistryAPI
import PaygentServiceKit
import PaygentTransport
import PaygentWire

/// The services an execution's steps call, each through the kit's typed client, every call
/// recorded as a tool call (arguments, result or error, start, duration) in the execution's log.
struct ToolClients: Sendable {
    let payments: RPCClient
    let registry: RPCClient
    let vvs: RPCClient
    let moonlander: RPCClient
    /// The wall clock calls are recorded with, and the monotonic time they are measured with.
    let now: @Sendable () -> Date
    let elapsed: @Sendable () -> Duration

    func client(for service: String) -> RPCClient {
        switch service {
        case "registry": registry
        case "vvs": vvs
        case "moonlander": moonlander
        default: payments
        }
    }

    /// Calls `method` for `step`, appending the call to `calls`. Writes carry `key`.
    func call<Request: Encodable, Reply: Encodable>(
        _ method: RPCMethod<Request, Reply>, _ request: Request, step: Int, key: String? = nil, deadline: Duration = .seconds(30),
        log calls: inout [ToolCall], logged: ((Reply) -> String)? = nil
    ) async throws(PaygentError) -> Reply {
        let service = String(method.name.prefix { $0 != "." })
        let started = now()
        let start = elapsed()
        let arguments = Self.json(request)
        do {
            let reply = try await client(for: service).call(method, request, deadline: deadline, idempotencyKey: key)
            calls.append(ToolCall(
                step: step, tool: method.name, arguments: arguments, result: logged?(reply) ?? (reply as? any LoggedBySummary).map { Self.json($0.logSummary) } ?? Self.json(reply), error: nil, startedAt: started,
                durationMillis: Self.millis(elapsed() - start)))
            return reply
        } catch {
            calls.append(ToolCall(
                step: step, tool: method.name, arguments: arguments, result: nil, error: "\(error.code.name): \(error.message)", startedAt: started,
                durationMillis: Self.millis(elapsed() - start)))
            throw error
        }
    }

    static func millis(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func json<T: Encodable>(_ value: T) -> String {
        (try? String(decoding: IdempotentWrites.encode(value), as: UTF8.self)) ?? "{}"
    }
}


/// A reply that can be long (a list), logged by what a reader of the log needs from it.
protocol LoggedBySummary {
    var logSummary: [String: String] { get }
}

extension DiscoverReply: LoggedBySummary {
    var logSummary: [String: String] {
        ["total": "\(total)", "services": services.map { "\($0.id) \($0.name)" }.joined(separator: "; ")]
    }
}

extension LedgerHistoryReply: LoggedBySummary {
    var logSummary: [String: String] {
        ["entries": "\(transactions.count)", "newest": transactions.first.map { "#\($0.sequence) \($0.hash)" } ?? "none"]
    }
}

extension WalletListReply: LoggedBySummary {
    var logSummary: [String: String] {
        ["wallets": wallets.map { wallet in
            "\(wallet.name) \(wallet.address)" + wallet.limits.map { " \($0.token) \($0.remaining.formatted(decimals: $0.decimals)) left" }.joined()
        }.joined(separator: "; ")]
    }
}
