import Foundation
import Logging
import PaygentCommands
import PaygentMoney
import PaygentOrchestratorAPI
import PaygentRegistryAPI
import PaygentRuntime
import PaygentServiceKit
import PaygentTransport
import PaygentWire
import Synchronization

/// Carries out commands: plans them, runs their steps one at a time, pauses for approvals, and
/// stops at the kill switch. An execution is written before and after each step that spends, when
/// it pauses and when it ends, so a restart takes up where a crash left off: a running execution
/// resumes at its last recorded step (a step that spends, sent again with the same arguments under
/// the same idempotency key, is answered, not paid twice), one waiting for approval keeps waiting.
final class Agent: Sendable {
    let store: AgentStore
    let tools: ToolClients
    let publisher: Publisher
    let time: ServiceTime
    let random: RandomSource
    let logger: Logger
    /// The wallet of the default session: the configured one, or the payments service's oldest.
    let defaultWallet: String?
    /// Asked for a command the grammar does not understand at all; off unless configured.
    let llm: LLMPlanner?

    /// Decisions, timeouts, kills and starts of executions, one at a time.
    let transitions = SerialQueue()
    /// One execution of a session at a time between a policy check and the step it guards.
    let gate = SessionGate()
    /// Executions being driven in this process, by id, with their session and their request as
    /// first sent (a plan that only reads is not recorded until it ends).
    let driving = Mutex<[String: (session: String, request: Data, task: Task<ExecutionInfo, Never>)]>([:])
    /// Executions the kill switch has stopped while they were being driven.
    let killed = Mutex<Set<String>>([])
    /// Wallet names to addresses, as the payments service answered them.
    let addresses = Mutex<[String: String]>([:])
    /// The ledger's tokens' decimals, once the payments service has answered.
    let decimals = Mutex<[String: Int]?>(nil)
    /// Registry searches of payments, by request, with when they were answered.
    let discoveries = Mutex<[String: (Duration, DiscoverReply)]>([:])

    init(
        store: AgentStore, tools: ToolClients, publisher: Publisher, time: ServiceTime, random: RandomSource, logger: Logger, defaultWallet: String?,
        llm: LLMPlanner? = nil
    ) {
        (self.store, self.tools, self.publisher, self.time, self.random, self.logger, self.defaultWallet, self.llm) =
            (store, tools, publisher, time, random, logger, defaultWallet, llm)
    }

    /// The grammar's plan; for a command it does not understand at all, the LLM planner's, when one
    /// is configured.
    func plan(_ command: String) async throws -> Plan {
        do {
            return try Planner.plan(command)
        } catch {
            guard error.notUnderstood, let llm else { throw PaygentError(.badRequest, error.message) }
            let intents = try await llm.intents(for: command)
            var plan = Planner.plan(command: command, intents: intents)
            plan.planner = "llm:\(llm.model)"
            return plan
        }
    }

    // MARK: running a command

    func run(_ request: RunRequest, key: String?) async throws -> ExecutionInfo {
        let fingerprint = try IdempotentWrites.fingerprint(request)
        let id = IdempotentWrites.id(prefix: "exec", method: OrchestratorMethod.run.name, key: key, randomBytes: { self.random.bytes(8) })
        // Planning (the LLM planner is an HTTP call) happens outside `transitions`, so that a kill
        // or a decision never waits behind it; the execution is then started inside, after
        // looking again for one sent under the same key meanwhile.
        if let task = try await transitions.serially({ try self.existing(id, fingerprint) }) { return await task.value }
        let session = try await self.session(request.session)
        let plan = try await self.plan(request.command)
        if let tools = session.allowedTools, let outside = plan.todos.first(where: { !$0.tool.hasPrefix("agent.") && !tools.contains($0.tool) }) {
            throw PaygentError(
                .permissionDenied, "this session may not call \(outside.tool) (step \(outside.step): \(outside.title)); its tools: \(tools.joined(separator: ", "))")
        }
        let task: Task<ExecutionInfo, Never> = try await transitions.serially {
            if let task = try self.existing(id, fingerprint) { return task }
            let record = ExecutionRecord(
                info: ExecutionInfo(
                    id: id, session: session.id, command: request.command, status: .running, plan: plan, toolCalls: [], costs: [], totalUsd: .zero,
                    result: [], error: nil, approval: nil, startedAt: self.time.now(), finishedAt: nil, durationMillis: nil),
                context: [:], budgetLimitUsd: request.budgetLimitUsd, request: fingerprint)
            // A plan that spends is recorded before it starts; one that only reads, when it ends.
            if plan.todos.contains(where: \.costBearing) { try self.store.save(record) }
            self.publisher.publish(OrchestratorEvent.execution, topic: "exec.\(id)", ExecutionEvent(execution: id, kind: .planned, status: .running, plan: plan))
            return self.startDriving(record)
        }
        return await task.value
    }

    /// The execution already sent under this id: being driven, or as recorded; `conflict` when the
    /// key came with another command. Called inside `transitions`.
    func existing(_ id: String, _ fingerprint: Data) throws -> Task<ExecutionInfo, Never>? {
        let conflict = PaygentError(.conflict, "this idempotency key was used for another command; use a new key for a new command")
        if let running = driving.withLock({ $0[id] }) {
            guard running.request == fingerprint else { throw conflict }
            return running.task
        }
        guard let recorded = try store.execution(id) else { return nil }
        guard recorded.request == fingerprint else { throw conflict }
        return Task { recorded.info }
    }

    /// Starts driving `record` unless it already is. Called inside `transitions`.
    func startDriving(_ record: ExecutionRecord) -> Task<ExecutionInfo, Never> {
        driving.withLock { running in
            if let task = running[record.info.id]?.task { return task }
            let task = Task { await self.drive(record) }
            running[record.info.id] = (record.info.session, record.request, task)
            return task
        }
    }

    /// Runs the plan's remaining steps in order until it finishes, pauses, or is killed.
    func drive(_ start: ExecutionRecord) async -> ExecutionInfo {
        var record = start
        defer {
            let id = record.info.id
            driving.withLock { _ = $0.removeValue(forKey: id) }
            killed.withLock { _ = $0.remove(id) }
        }
        var loaded: SessionInfo?
        // A session's policy check and the step it guards run while no other execution of the
        // session is between its own check and step: two commands cannot both pass a budget that
        // holds only one of them.
        var guarding = false
        defer { if guarding { Task { [gate, session = start.info.session] in await gate.release(session) } } }
        while let index = record.info.plan.todos.firstIndex(where: { $0.status == .pending || $0.status == .inProgress }) {
            // Read again where its spending counts (other executions of the session may have spent).
            let todo = record.info.plan.todos[index]
            if loaded == nil || todo.costBearing || todo.tool == Planner.Tool.policyCheck || todo.tool == Planner.Tool.planCheck {
                loaded = try? store.session(record.info.session)
            }
            if todo.tool == Planner.Tool.policyCheck, !guarding {
                await gate.acquire(record.info.session)
                guarding = true
                loaded = try? store.session(record.info.session)
            }
            guard let session = loaded else {
                return finish(&record, .failed, error: "the session cannot be read")
            }
            if killed.withLock({ $0.contains(record.info.id) }) || session.state != "active" {
                return finish(&record, .killed, error: session.state == "active" ? "stopped by the kill switch" : "the session was terminated")
            }
            record.info.plan.todos[index].status = .inProgress
            saveAndPublish(&record, todo: index, persist: record.info.plan.todos[index].costBearing)
            do {
                let (outcome, change) = try await perform(index, &record, session)
                switch outcome {
                case .done(let result):
                    record.info.plan.todos[index].status = .completed
                    record.info.plan.todos[index].result = result
                    let spent = record.info.plan.todos[index].costBearing
                    saveAndPublish(&record, todo: index, change: spent ? change : nil, persist: spent)
                    if spent {
                        loaded = try? store.session(record.info.session)
                        if guarding {
                            await gate.release(record.info.session)
                            guarding = false
                        }
                    }
                case .paused(let approval):
                    record.info.plan.todos[index].status = .pending
                    record.info.plan.todos[index].result = "waits for approval \(approval.id)"
                    record.info.status = .awaitingApproval
                    record.info.approval = approval
                    do {
                        try store.save(record, approval: approval)
                    } catch {
                        logger.error("cannot record an approval", metadata: ["execution": "\(record.info.id)", "error": "\(error)"])
                    }
                    publisher.publish(OrchestratorEvent.approvalRequired, approval)
                    publisher.publish(
                        OrchestratorEvent.execution, topic: "exec.\(record.info.id)",
                        ExecutionEvent(execution: record.info.id, kind: .approvalRequired, status: .awaitingApproval, approval: approval))
                    return record.info
                }
            } catch {
                let failure = (error as? StepError)?.underlying ?? error
                let change = (error as? StepError)?.change ?? SessionChange()
                let message = (failure as? PolicyRefusal).map { "spend policy: \($0.message); nothing was spent" } ?? Self.message(failure)
                record.info.plan.todos[index].status = .failed
                record.info.plan.todos[index].error = message
                // What it spent before failing is written with the session's spending at once.
                saveAndPublish(&record, todo: index, change: change, persist: !change.isEmpty)
                return finish(&record, .failed, error: "step \(index + 1) (\(record.info.plan.todos[index].tool)) failed: \(message)")
            }
        }
        return finish(&record, .completed, error: nil)
    }

    static func message(_ error: any Error) -> String {
        if let error = error as? PaygentError { return error.message }
        if let error = error as? StepFailure { return error.message }
        return "\(error)"
    }

    /// Ends an execution: the steps not run are skipped.
    func finish(_ record: inout ExecutionRecord, _ status: ExecutionStatus, error: String?) -> ExecutionInfo {
        for index in record.info.plan.todos.indices where record.info.plan.todos[index].status == .pending || record.info.plan.todos[index].status == .inProgress {
            record.info.plan.todos[index].status = .skipped
        }
        record.info.status = status
        record.info.error = error
        record.info.approval = nil
        let now = time.now()
        record.info.finishedAt = now
        record.info.durationMillis = now.timeIntervalSince(record.info.startedAt) * 1000
        do {
            try store.save(record)
        } catch {
            logger.error("cannot record an execution's end", metadata: ["execution": "\(record.info.id)", "error": "\(error)"])
        }
        publisher.publish(
            OrchestratorEvent.execution, topic: "exec.\(record.info.id)", ExecutionEvent(execution: record.info.id, kind: .finished, status: status))
        logger.info(
            "execution finished", metadata: ["execution": "\(record.info.id)", "status": "\(status.rawValue)", "usd": "\(SpendCheck.usd(record.info.totalUsd))"])
        return record.info
    }

    /// Publishes a todo's change, and writes the execution first when `persist`: around a step that
    /// spends, so that a restart sends that step again with the same arguments under the same key.
    /// Steps that only read are not written on their own: after a crash they run again.
    func saveAndPublish(_ record: inout ExecutionRecord, todo index: Int, change: SessionChange? = nil, persist: Bool) {
        if persist {
            do {
                try store.save(record, change: change)
            } catch {
                logger.error("cannot record a step", metadata: ["execution": "\(record.info.id)", "error": "\(error)"])
            }
        }
        let id = record.info.id
        let todo = record.info.plan.todos[index]
        publisher.publish(OrchestratorEvent.execution, topic: "exec.\(id)", ExecutionEvent(execution: id, kind: .todo, status: record.info.status, todo: todo))
        for call in record.info.toolCalls.reversed() {
            guard call.step == todo.step, todo.status != .inProgress else { break }
            publisher.publish(OrchestratorEvent.execution, topic: "exec.\(id)", ExecutionEvent(execution: id, kind: .toolCall, status: record.info.status, toolCall: call))
        }
    }

    // MARK: approvals

    func decide(_ request: DecideRequest) async throws -> ExecutionInfo {
        let task: Task<ExecutionInfo, Never> = try await transitions.serially {
            guard var approval = try self.store.approval(request.approval) else {
                throw PaygentError(.notFound, "no approval \(request.approval); `paygent approvals list` shows the pending ones")
            }
            guard approval.state == .pending else {
                throw PaygentError(.failedPrecondition, "approval \(approval.id) was already \(approval.state.rawValue.replacingOccurrences(of: "_", with: " "))")
            }
            guard var record = try self.store.execution(approval.execution), record.info.status == .awaitingApproval else {
                throw PaygentError(.failedPrecondition, "the execution of approval \(approval.id) no longer waits for it")
            }
            approval.decidedAt = self.time.now()
            approval.reason = request.reason
            switch request.decision {
            case .reject:
                approval.state = .rejected
                try self.store.save(record, approval: approval)
                let info = self.finish(&record, .rejected, error: "rejected at step \(approval.step): \(request.reason ?? "no reason given")")
                return Task { info }
            case .approve, .edit:
                if request.decision == .edit {
                    try self.edit(&record, approval: approval, request)
                    approval.state = .edited
                } else {
                    approval.state = .approved
                }
                record.context["approved.\(approval.step)"] = approval.id
                record.info.status = .running
                record.info.approval = nil
                try self.store.save(record, approval: approval)
                return self.startDriving(record)
            }
        }
        return await task.value
    }

    /// Changes the arguments of the step waiting for approval; the policy checks them again.
    func edit(_ record: inout ExecutionRecord, approval: ApprovalInfo, _ request: DecideRequest) throws {
        guard request.amount != nil || request.recipient != nil else {
            throw PaygentError(.badRequest, "an edit changes the amount, the recipient, or both")
        }
        guard let todo = record.info.plan.todos.first(where: { $0.step == approval.step }) else {
            throw PaygentError(.internal, "approval \(approval.id) names no step of its execution")
        }
        var intent = record.info.plan.intents[todo.intentIndex]
        if let amount = request.amount {
            let decimals = Int(record.context["i\(todo.intentIndex).decimals"] ?? "") ?? 18
            _ = try Validate.amount(amount, decimals: decimals, field: "amount")
            switch intent.intent {
            case .perpetualTrade: intent.collateral = amount
            default: intent.amount = amount
            }
        }
        if let recipient = request.recipient {
            guard intent.intent == .payment, intent.recipient != nil else {
                throw PaygentError(.badRequest, "only a payment to an address takes a new recipient")
            }
            intent.recipient = try Validate.recipient(recipient, field: "recipient").description
        }
        record.info.plan.intents[todo.intentIndex] = intent
        // The steps that read before the approval (a quote, a market's limits) run again on the new
        // arguments, and every step of the intent says what it now does.
        let titles = Planner.plan(command: record.info.command, intents: record.info.plan.intents).todos
        for index in record.info.plan.todos.indices where record.info.plan.todos[index].intentIndex == todo.intentIndex {
            let step = record.info.plan.todos[index]
            if let fresh = titles.first(where: { $0.step == step.step }), fresh.tool == step.tool { record.info.plan.todos[index].title = fresh.title }
            if step.step < approval.step, !step.tool.hasPrefix("agent."), step.status == .completed {
                record.info.plan.todos[index].status = .pending
                record.info.plan.todos[index].result = nil
            }
        }
        let revision = Int(record.context["revision.\(todo.intentIndex)"] ?? "0") ?? 0
        record.context["revision.\(todo.intentIndex)"] = String(revision + 1)
    }

    /// Pending approvals past their time count as rejected.
    func expireApprovals() async {
        do {
            try await transitions.serially {
                for var approval in try self.store.expired(at: self.time.now()) {
                    approval.state = .timedOut
                    approval.decidedAt = self.time.now()
                    guard var record = try self.store.execution(approval.execution) else { continue }
                    try self.store.save(record, approval: approval)
                    if record.info.status == .awaitingApproval {
                        let seconds = Int(approval.expiresAt.timeIntervalSince(approval.createdAt))
                        _ = self.finish(&record, .rejected, error: "the approval of step \(approval.step) timed out after \(seconds) s without a decision")
                    }
                }
            }
        } catch {
            logger.error("cannot expire approvals", metadata: ["error": "\(error)"])
        }
    }

    // MARK: kill switch

    func kill(_ request: KillRequest) async throws -> KillReply {
        let session = try request.session.map { reference in
            guard let session = try store.session(reference) else { throw PaygentError(.notFound, "no session '\(reference)'") }
            return session
        }
        return try await transitions.serially {
            var stopped: [String] = []
            let reason = "stopped by the kill switch" + (request.reason.map { ": \($0)" } ?? "")
            // Being driven here (a plan that only reads is not recorded until it ends): stopped
            // before its next step.
            let running = self.driving.withLock { $0.filter { session == nil || $0.value.session == session?.id }.map(\.key) }
            self.killed.withLock { $0.formUnion(running) }
            stopped.append(contentsOf: running)
            // Waiting for an approval: ended now.
            for var record in try self.store.unfinished() where (session == nil || record.info.session == session?.id) && !running.contains(record.info.id) {
                stopped.append(record.info.id)
                if var approval = record.info.approval {
                    approval.state = .rejected
                    approval.reason = reason
                    approval.decidedAt = self.time.now()
                    try self.store.save(record, approval: approval)
                }
                _ = self.finish(&record, .killed, error: reason)
            }
            self.logger.notice("kill switch", metadata: ["session": "\(session?.id ?? "all")", "stopped": "\(stopped.count)"])
            return KillReply(killed: stopped)
        }
    }

    // MARK: restart

    /// Takes up what a crash left: running executions are driven again from their current step.
    func resume() async {
        do {
            let records = try store.unfinished().filter { $0.info.status == .running }
            for record in records {
                logger.notice("resuming an execution", metadata: ["execution": "\(record.info.id)"])
                _ = try await transitions.serially { self.startDriving(record) }
            }
        } catch {
            logger.error("cannot resume executions", metadata: ["error": "\(error)"])
        }
    }
}

/// A step's failure with what it spent before it failed.
struct StepError: Error {
    let underlying: any Error
    let change: SessionChange

    init(_ underlying: any Error, change: SessionChange) {
        (self.underlying, self.change) = (underlying, change)
    }
}

/// A step that could not be done, with what a user needs to act on it.
struct StepFailure: Error {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}

/// Turns for a session's executions: `acquire` waits while another holds the session's turn.
actor SessionGate {
    private var held: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    func acquire(_ session: String) async {
        if held.insert(session).inserted { return }
        await withCheckedContinuation { waiting[session, default: []].append($0) }
    }

    func release(_ session: String) {
        if var queue = waiting[session], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[session] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            held.remove(session)
        }
    }
}
