import Foundation
import PaygentMoney
import PaygentOrchestratorAPI
import Synchronization

/// Prints an execution as it goes: each todo when it starts and when it ends, each once, whether
/// it arrives as an event or, when an event was missed, from the execution's reply.
final class PlanPrinter: Sendable {
    enum Mode {
        /// Lines for people.
        case human
        /// One JSON line per event.
        case jsonLines
        /// Nothing until the end.
        case quiet
    }

    let style: Style
    let mode: Mode
    private let printed = Mutex<Set<String>>([])

    init(style: Style, mode: Mode) {
        (self.style, self.mode) = (style, mode)
    }

    func event(_ event: ExecutionEvent) {
        switch mode {
        case .quiet: return
        case .jsonLines:
            try? printJSONLine(event)
            flushStandardOutput()
        case .human:
            if event.kind == .planned, let plan = event.plan { header(event.execution, plan) }
            if let todo = event.todo { line(todo) }
        }
    }

    /// Prints what the events did not: the header and every todo's latest status.
    func settle(_ execution: ExecutionInfo) {
        guard mode == .human else { return }
        header(execution.id, execution.plan)
        for todo in execution.plan.todos where todo.status != .pending || execution.approval?.step == todo.step {
            line(todo)
        }
        flushStandardOutput()
    }

    private func once(_ key: String) -> Bool {
        printed.withLock { $0.insert(key).inserted }
    }

    private func header(_ id: String, _ plan: Plan) {
        guard once("header") else { return }
        print(style.bold("▶ \(plan.command)") + style.dim("  (\(id), \(plan.todos.count) steps)"))
    }

    private func line(_ todo: Todo) {
        let key = "\(todo.step) \(todo.status.rawValue)"
        guard once(key) else { return }
        if todo.status == .completed || todo.status == .failed || todo.status == .skipped {
            _ = once("\(todo.step) in_progress")
        }
        let number = String(format: "%2d.", todo.step)
        switch todo.status {
        case .pending: print("  \(number) \(style.yellow("⏸")) \(todo.tool): \(todo.title) — waits for approval")
        case .inProgress: print("  \(number) \(style.dim("…")) \(todo.tool): \(todo.title)")
        case .completed: print("  \(number) \(style.green("✓")) \(todo.tool): \(todo.result ?? todo.title)")
        case .failed: print("  \(number) \(style.red("✗")) \(todo.tool): \(todo.error ?? "failed")")
        case .skipped: print("  \(number) \(style.dim("–")) \(todo.tool): \(style.dim("skipped"))")
        }
        flushStandardOutput()
    }

    func summary(_ execution: ExecutionInfo) {
        let spent = execution.costs.isEmpty
            ? "nothing spent"
            : "spent \(usd(execution.totalUsd)) (" + execution.costs.map { "\($0.amount.formatted(decimals: $0.decimals)) \($0.token)" }.joined(separator: ", ") + ")"
        let took = execution.durationMillis.map { String(format: " in %.0f ms", $0) } ?? ""
        switch execution.status {
        case .completed:
            print(style.green("completed") + "\(took) · \(spent)")
        case .awaitingApproval:
            if let approval = execution.approval {
                print(style.yellow("waiting for approval \(approval.id)") + ": \(approval.summary)")
                print("decide with `paygent approvals approve \(approval.id)`, `reject` or `edit`; it times out \(approval.expiresAt.formatted(.iso8601))")
            }
        default:
            print(style.red(execution.status.rawValue) + "\(took) · \(spent)")
            if let error = execution.error { print(style.red("Error: ") + error) }
        }
    }

    func usd(_ amount: Amount) -> String {
        "$" + amount.formatted(decimals: USD.decimals, minimumFractionDigits: 2)
    }
}

/// Asks a person at a terminal what to do with a step waiting for approval.
enum ApprovalPrompt {
    static func ask(_ approval: ApprovalInfo, style: Style) -> DecideRequest? {
        let usd = "$" + approval.usd.formatted(decimals: USD.decimals, minimumFractionDigits: 2)
        let threshold = "$" + approval.thresholdUsd.formatted(decimals: USD.decimals, minimumFractionDigits: 2)
        print(style.yellow("Approval needed") + " (\(approval.id)): step \(approval.step) would spend \(approval.amount) \(approval.token) ≈ \(usd), above \(threshold).")
        print("  \(approval.summary)")
        while true {
            print("Approve, reject or edit? [a/r/e] ", terminator: "")
            flushStandardOutput()
            guard let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() else { return nil }
            switch answer {
            case "a", "approve", "y", "yes":
                return DecideRequest(approval: approval.id, decision: .approve)
            case "r", "reject", "n", "no":
                print("Reason (optional): ", terminator: "")
                flushStandardOutput()
                let reason = readLine()?.trimmingCharacters(in: .whitespaces)
                return DecideRequest(approval: approval.id, decision: .reject, reason: reason?.isEmpty == false ? reason : "rejected at the terminal")
            case "e", "edit":
                print("New amount (\(approval.token)): ", terminator: "")
                flushStandardOutput()
                guard let amount = readLine()?.trimmingCharacters(in: .whitespaces), !amount.isEmpty else { continue }
                return DecideRequest(approval: approval.id, decision: .edit, amount: amount)
            default:
                print("Type a to approve, r to reject, or e to edit the amount.")
            }
        }
    }
}
