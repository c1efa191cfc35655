import ArgumentParser
import Foundation
import PaygentOrchestratorAPI

/// `paygent history`: execution logs.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Execution logs: every command with its plan, tool calls, cost and status.",
        discussion: "Examples: paygent history --status failed; paygent history --intent payment --since 2026-12-01; paygent history exec_0123456789abcdef")

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("One execution's full log.", valueName: "execution")) var execution: String?
    @Option(help: ArgumentHelp("Only this session's (id or name).", valueName: "session")) var session: String?
    @Option(help: ArgumentHelp("running, awaiting_approval, completed, failed, rejected or killed.", valueName: "status")) var status: String?
    @Option(help: ArgumentHelp("Only commands with this intent (payment, swap, …).", valueName: "intent")) var intent: String?
    @Option(help: ArgumentHelp("From this time on (ISO 8601 or YYYY-MM-DD, UTC).", valueName: "time")) var since: String?
    @Option(help: ArgumentHelp("Before this time.", valueName: "time")) var until: String?
    @Option(help: "How many (1–100).") var limit = 20
    @Option(help: "How many to skip.") var offset = 0
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let call = ServiceCall(config: try global.load(), service: .orchestrator)
        if let execution {
            return try await call.show(OrchestratorMethod.execution, ExecutionRequest(id: execution), json: json) { info in
                History.printExecution(info)
            }
        }
        let request = ExecutionListRequest(
            session: session, status: try status.map { text in
                guard let value = ExecutionStatus(rawValue: text) else { throw ValidationError("--status: \(ExecutionStatus.allCases.map(\.rawValue).joined(separator: ", "))") }
                return value
            },
            intent: try intent.map { text in
                guard let value = IntentName(rawValue: text) else { throw ValidationError("--intent: \(IntentName.allCases.map(\.rawValue).joined(separator: ", "))") }
                return value
            },
            since: try since.map { try History.date($0, field: "--since") }, until: try until.map { try History.date($0, field: "--until") }, limit: limit,
            offset: offset)
        try await call.show(OrchestratorMethod.executions, request, json: json) { reply in
            var table = Table(headers: ["ID", "STARTED", "STATUS", "USD", "MS", "COMMAND"])
            for execution in reply.executions {
                table.rows.append([
                    execution.id, execution.startedAt.formatted(.iso8601), execution.status.rawValue, Sessions.usd(execution.totalUsd),
                    execution.durationMillis.map { String(format: "%.0f", $0) } ?? "—", execution.command,
                ])
            }
            print(table.render(style: Style.forStandardOutput()))
            print("\(reply.executions.count) of \(reply.total)")
        }
    }

    static func date(_ text: String, field: String) throws -> Date {
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: text) { return date }
        throw ValidationError("\(field): '\(text)' is not a time (2026-12-02 or 2026-12-02T10:00:00Z)")
    }

    static func printExecution(_ info: ExecutionInfo) {
        let printer = PlanPrinter(style: Style.forStandardOutput(), mode: .human)
        printer.settle(info)
        print("session \(info.session); intents: \(info.plan.intents.map(\.intent.rawValue).joined(separator: ", "))")
        for call in info.toolCalls {
            let outcome = call.error.map { "error: \($0)" } ?? "ok"
            print("  step \(call.step) \(call.tool) \(String(format: "%.1f", call.durationMillis)) ms \(outcome)  \(call.arguments)")
        }
        for cost in info.costs {
            print("  cost at step \(cost.step): \(cost.amount.formatted(decimals: cost.decimals)) \(cost.token) ≈ \(Sessions.usd(cost.usd)) (\(cost.rate))")
        }
        printer.summary(info)
    }
}

/// `paygent kill`: the kill switch.
struct Kill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The kill switch: stop a session's executions, or every session's, at once.",
        discussion: "No new step starts; a step already sent to a service finishes (a payment is never left half done); the execution ends as killed.")
    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Only this session (id or name); every session when absent.", valueName: "session")) var session: String?
    @Option(help: "Why.") var reason: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await ServiceCall(config: try global.load(), service: .orchestrator).show(
            OrchestratorMethod.kill, KillRequest(session: session, reason: reason), json: json, idempotencyKey: UUID().uuidString
        ) { reply in
            print(reply.killed.isEmpty ? "nothing was running" : "stopped \(reply.killed.count): \(reply.killed.joined(separator: ", "))")
        }
    }
}
