import ArgumentParser
import Foundation
import PaygentCommands
import PaygentMoney
import PaygentOrchestratorAPI
import PaygentRuntime
import PaygentServiceKit
import PaygentTransport
import PaygentWire

/// `paygent run "<command>"`: a command in plain words, planned and carried out by the
/// orchestrator, its plan streamed as it runs.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command in plain words: pay, check balances, swap, trade perpetuals, find services.",
        discussion: """
            Examples:
              paygent run "Check my wallet balance"
              paygent run "Pay 0.10 USDC to access the market data API"
              paygent run "Swap 10 CRO for USDC then pay 5 USDC to the market data API"
              paygent run "Open a 10x long position on BTC with 100 USDC"
              paygent run --dry-run --json "send 25 USDC to 0x209693Bc6afc0C5328bA36FaF03C514EF312287C"

            The command becomes a plan of steps (todos), each a tool call; each step's status is printed as it changes. \
            Before any step that spends, the session's spend policy is checked; a step above the approval threshold \
            ($10 unless the session sets another) waits for a human: on a terminal you are asked to approve, reject or \
            edit it; otherwise decide later with `paygent approvals`. Without --session the command runs in the default \
            session, whose wallet is the deployment's default agent wallet (the oldest wallet unless configured).
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The command, in quotes.", valueName: "command")) var command: String
    @Option(help: ArgumentHelp("A session by id or name (the default session when absent).", valueName: "session")) var session: String?
    @Option(name: .customLong("budget"), help: ArgumentHelp("The most this command may spend, USD.", valueName: "usd")) var budget: String?
    @Flag(name: .customLong("dry-run"), help: "Print the intents and the plan without running anything (no service needs to be running).")
    var dryRun = false
    @Flag(help: "Print one JSON document at the end.") var json = false
    @Flag(name: .customLong("json-stream"), help: "Print one JSON line per event, then the execution.") var jsonStream = false
    @Flag(name: .customLong("no-input"), help: "Never ask: leave a step that needs approval waiting.") var noInput = false

    func run() async throws {
        if dryRun { return try printDryRun() }
        let config = try global.load()
        let budgetUsd = try budget.map { try Run.usd($0, field: "--budget") }
        let key = UUID().uuidString.lowercased()
        let id = IdempotentWrites.id(prefix: "exec", method: OrchestratorMethod.run.name, key: key, randomBytes: { [] })
        let printer = PlanPrinter(style: Style.forStandardOutput(), mode: jsonStream ? .jsonLines : (json ? .quiet : .human))
        let context = ZMQContext()
        let subscriber = try Subscriber(endpoints: [config.endpoints(.orchestrator).pub], prefixes: ["exec.\(id)"], context: context)
        defer { subscriber.close() }
        let streaming = Task {
            for await event in subscriber.events {
                guard let body = try? event.decode(ExecutionEvent.self) else { continue }
                printer.event(body)
            }
        }
        defer { streaming.cancel() }
        // Subscriptions take a moment to reach the publisher; the plan's first events are printed
        // from the reply if they were missed.
        try await Task.sleep(for: .milliseconds(30))
        let call = ServiceCall(config: config, service: .orchestrator)
        var execution = try await call.call(
            OrchestratorMethod.run, RunRequest(command: command, session: session, budgetLimitUsd: budgetUsd), idempotencyKey: key, deadline: .seconds(180))
        while execution.status == .awaitingApproval, let approval = execution.approval {
            try await Task.sleep(for: .milliseconds(20))
            printer.settle(execution)
            guard !noInput, !json, !jsonStream, isatty(STDIN_FILENO) != 0 else { break }
            guard let decision = ApprovalPrompt.ask(approval, style: printer.style) else { break }
            execution = try await call.call(OrchestratorMethod.decide, decision, idempotencyKey: UUID().uuidString, deadline: .seconds(180))
        }
        try await Task.sleep(for: .milliseconds(20))
        printer.settle(execution)
        switch printer.mode {
        case .quiet: try printJSON(execution)
        case .jsonLines: try printJSONLine(execution)
        case .human: printer.summary(execution)
        }
        flushStandardOutput()
        if [.failed, .rejected, .killed].contains(execution.status) {
            throw ExitCode(ExitStatus.failed)
        }
    }

    private func printDryRun() throws {
        let plan: Plan
        do {
            plan = try Planner.plan(command)
        } catch {
            throw CLIError(error.message, code: .badRequest, exitStatus: ExitStatus.failed)
        }
        if json || jsonStream { return try printJSON(DryRun(plan: plan)) }
        let style = Style.forStandardOutput()
        print(style.bold("Command: ") + plan.command)
        print(style.bold("Intents:"))
        for (index, intent) in plan.intents.enumerated() {
            print("  \(index + 1). \(style.cyan(intent.intent.rawValue))  \(DryRun.fields(intent))")
        }
        print(style.bold("Plan") + " (\(plan.todos.count) steps; a dry run runs none of them):")
        var table = Table(headers: ["STEP", "TOOL", "SPENDS", "WHAT IT DOES"])
        for todo in plan.todos {
            table.rows.append(["\(todo.step)", todo.tool, todo.costBearing ? "yes" : "", todo.title])
        }
        print(table.render(style: style))
        print("Needs: orchestrator" + (plan.services.isEmpty ? "" : ", " + plan.services.joined(separator: ", ")) + " running; before a step that spends, the spend policy is checked.")
    }

    static func usd(_ text: String, field: String) throws -> Amount {
        let trimmed = text.hasPrefix("$") ? String(text.dropFirst()) : text
        do {
            return try Amount(parsing: trimmed, decimals: USD.decimals)
        } catch {
            throw ValidationError("\(field): '\(text)' is not a USD amount (like 10 or 2.50)")
        }
    }
}

/// What `--dry-run --json` prints: each intent as an object named by its `intent` field, the plan,
/// and which service each step needs.
struct DryRun: Encodable {
    let command: String
    let intents: [ParsedIntent]
    let plan: [Todo]
    let services: [String]

    init(plan: Plan) {
        (command, intents, self.plan, services) = (plan.command, plan.intents, plan.todos, plan.services)
    }

    static func fields(_ intent: ParsedIntent) -> String {
        var pairs = CommandParser.textFields.compactMap { field in intent[keyPath: field.path].map { "\(field.name)=\($0)" } }
        if let leverage = intent.leverage { pairs.append("leverage=\(leverage)x") }
        return pairs.joined(separator: " ")
    }
}

func printJSONLine<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
