import ArgumentParser
import Foundation
import PaygentMoney
import PaygentOrchestratorAPI

/// `paygent sessions`: the orchestrator's sessions, each a wallet with a spend policy.
struct Sessions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list, show and terminate agent sessions: a wallet, a spend policy, allowed tools, an approval timeout.",
        subcommands: [Create.self, List.self, Show.self, Terminate.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a session.",
            discussion: "Example: paygent sessions create research --wallet agent --budget 20 --max-payment 5 --assets USDC,CRO")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Letters, digits, '-' and '_'.", valueName: "name")) var name: String
        @Option(help: ArgumentHelp("The wallet its commands spend from (the oldest wallet when absent).", valueName: "wallet")) var wallet: String?
        @Option(help: ArgumentHelp("The most the session spends in all, USD.", valueName: "usd")) var budget: String?
        @Option(name: .customLong("max-payment"), help: ArgumentHelp("The most one step spends, USD.", valueName: "usd")) var maxPayment: String?
        @Option(name: .customLong("approval-threshold"), help: ArgumentHelp("Steps above this wait for approval, USD (10).", valueName: "usd"))
        var approvalThreshold: String?
        @Option(help: ArgumentHelp("Comma-separated payees allowed (service names, hosts, addresses).", valueName: "list")) var payees: String?
        @Option(help: ArgumentHelp("Comma-separated token symbols the session may spend.", valueName: "list")) var assets: String?
        @Option(help: ArgumentHelp("Comma-separated tools its plans may call (all when absent).", valueName: "list")) var tools: String?
        @Option(name: .customLong("approval-timeout"), help: ArgumentHelp("Seconds before a pending approval counts as rejected (600).", valueName: "s"))
        var approvalTimeout: Int?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            func list(_ text: String?) -> [String]? {
                text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            }
            let policy = SpendPolicy(
                budgetUsd: try budget.map { try Run.usd($0, field: "--budget") }, maxPaymentUsd: try maxPayment.map { try Run.usd($0, field: "--max-payment") },
                approvalThresholdUsd: try approvalThreshold.map { try Run.usd($0, field: "--approval-threshold") }, allowedPayees: list(payees),
                allowedAssets: list(assets)?.map { $0.uppercased() })
            let request = SessionCreateRequest(name: name, wallet: wallet, policy: policy, allowedTools: list(tools), approvalTimeoutSeconds: approvalTimeout)
            try await ServiceCall(config: try global.load(), service: .orchestrator).show(
                OrchestratorMethod.sessionCreate, request, json: json, idempotencyKey: UUID().uuidString
            ) { session in
                print("created session \(session.name) (\(session.id)) for wallet \(session.wallet): \(Sessions.policy(session.policy))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sessions, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("active or terminated.", valueName: "state")) var state: String?
        @Option(help: "How many (1–100).") var limit = 20
        @Option(help: "How many to skip.") var offset = 0
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await ServiceCall(config: try global.load(), service: .orchestrator).show(
                OrchestratorMethod.sessions, SessionListRequest(state: state, limit: limit, offset: offset), json: json
            ) { reply in
                var table = Table(headers: ["ID", "NAME", "WALLET", "STATE", "SPENT", "POLICY"])
                for session in reply.sessions {
                    table.rows.append([session.id, session.name, session.wallet, session.state, Sessions.usd(session.spentUsd), Sessions.policy(session.policy)])
                }
                print(table.render(style: Style.forStandardOutput()))
                print("\(reply.sessions.count) of \(reply.total)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A session's summary: commands, spending per token and in USD, success rate.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("A session by id or name.", valueName: "session")) var session = "default"
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await ServiceCall(config: try global.load(), service: .orchestrator).show(
                OrchestratorMethod.sessionSummary, SessionRequest(session: session), json: json
            ) { summary in
                Sessions.printSummary(summary)
            }
        }
    }

    struct Terminate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a session: its running executions are killed; it takes no more commands.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("A session by id or name.", valueName: "session")) var session: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await ServiceCall(config: try global.load(), service: .orchestrator).show(
                OrchestratorMethod.sessionTerminate, SessionRequest(session: session), json: json
            ) { info in
                print("session \(info.name) (\(info.id)) is \(info.state)")
            }
        }
    }

    static func usd(_ amount: Amount) -> String {
        "$" + amount.formatted(decimals: USD.decimals, minimumFractionDigits: 2)
    }

    static func policy(_ policy: SpendPolicy) -> String {
        var parts = ["approval above \(usd(policy.approvalThresholdUsd ?? SpendPolicy.defaultApprovalThreshold))"]
        if let budget = policy.budgetUsd { parts.append("budget \(usd(budget))") }
        if let maximum = policy.maxPaymentUsd { parts.append("max \(usd(maximum)) a step") }
        if let assets = policy.allowedAssets { parts.append("assets \(assets.joined(separator: ","))") }
        if let payees = policy.allowedPayees { parts.append("payees \(payees.joined(separator: ","))") }
        return parts.joined(separator: ", ")
    }

    static func printSummary(_ summary: SessionSummary) {
        let style = Style.forStandardOutput()
        let session = summary.session
        print(style.bold("Session \(session.name)") + " (\(session.id)), wallet \(session.wallet), \(session.state)")
        print("  policy: \(policy(session.policy))")
        print("  commands: \(summary.commands) (\(summary.completed) completed, \(summary.unsuccessful) not, \(summary.pendingApprovals) waiting for approval); success rate \(String(format: "%.0f", summary.successRate * 100))%")
        if summary.spent.isEmpty {
            print("  spent: nothing")
        } else {
            for spent in summary.spent {
                print("  spent \(spent.amount.formatted(decimals: spent.decimals)) \(spent.token) ≈ \(usd(spent.usd))")
            }
        }
        print("  total: \(usd(summary.totalUsd))")
        if !session.memory.isEmpty {
            print("  remembers: " + session.memory.keys.sorted().map { "\($0)=\(session.memory[$0]!)" }.joined(separator: ", "))
        }
    }
}

/// `paygent approvals`: steps waiting for a human.
struct Approvals: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, approve, reject or edit the steps waiting for a human's approval.",
        subcommands: [List.self, Approve.self, Reject.self, Edit.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pending approvals (or those in another state).")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Only this session's.", valueName: "session")) var session: String?
        @Option(help: ArgumentHelp("pending, approved, rejected, edited or timed_out.", valueName: "state")) var state: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let wanted = try state.map { text in
                guard let state = ApprovalInfo.State(rawValue: text) else { throw ValidationError("--state: pending, approved, rejected, edited or timed_out") }
                return state
            }
            try await ServiceCall(config: try global.load(), service: .orchestrator).show(
                OrchestratorMethod.approvals, ApprovalListRequest(session: session, state: wanted), json: json
            ) { reply in
                guard !reply.approvals.isEmpty else { return print("no \(wanted?.rawValue ?? "pending") approvals") }
                var table = Table(headers: ["ID", "EXECUTION", "STEP", "AMOUNT", "USD", "EXPIRES", "WHAT"])
                for approval in reply.approvals {
                    table.rows.append([
                        approval.id, approval.execution, "\(approval.step)", "\(approval.amount) \(approval.token)", Sessions.usd(approval.usd),
                        approval.expiresAt.formatted(.iso8601), approval.summary,
                    ])
                }
                print(table.render(style: Style.forStandardOutput()))
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a step; its execution goes on.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The approval's id.", valueName: "approval")) var approval: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await Approvals.decide(DecideRequest(approval: approval, decision: .approve), global: global, json: json)
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a step; its execution stops, nothing of the step is spent.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The approval's id.", valueName: "approval")) var approval: String
        @Option(help: "Why.") var reason: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await Approvals.decide(DecideRequest(approval: approval, decision: .reject, reason: reason), global: global, json: json)
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a waiting step's amount or recipient; the spend policy checks it again, then it goes on.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The approval's id.", valueName: "approval")) var approval: String
        @Option(help: ArgumentHelp("The new amount, in the step's token.", valueName: "amount")) var amount: String?
        @Option(help: ArgumentHelp("A payment's new recipient address.", valueName: "address")) var recipient: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard amount != nil || recipient != nil else { throw ValidationError("give --amount, --recipient, or both") }
            try await Approvals.decide(
                DecideRequest(approval: approval, decision: .edit, amount: amount, recipient: recipient), global: global, json: json)
        }
    }

    static func decide(_ request: DecideRequest, global: GlobalOptions, json: Bool) async throws {
        let call = ServiceCall(config: try global.load(), service: .orchestrator)
        let execution = try await call.call(OrchestratorMethod.decide, request, idempotencyKey: UUID().uuidString, deadline: .seconds(180))
        if json { return try printJSON(execution) }
        let printer = PlanPrinter(style: Style.forStandardOutput(), mode: .human)
        printer.settle(execution)
        printer.summary(execution)
        if [.failed, .rejected, .killed].contains(execution.status), request.decision != .reject {
            throw ExitCode(ExitStatus.failed)
        }
    }
}
