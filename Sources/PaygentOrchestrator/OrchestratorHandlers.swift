import PaygentCommands
import PaygentOrchestratorAPI
import PaygentServiceKit
import PaygentTransport
import PaygentWire

/// The orchestrator's methods, each a thin call into the agent.
struct OrchestratorHandlers: HandlerGroup {
    let agent: Agent

    func register(on server: RPCServer) {
        server.register(OrchestratorMethod.run) { request, context in try await agent.run(request, key: context.idempotencyKey) }
        server.register(OrchestratorMethod.plan) { request, _ in try await agent.plan(request.command) }
        server.register(OrchestratorMethod.execution) { request, _ in
            guard let record = try agent.store.execution(request.id) else { throw PaygentError(.notFound, "no execution \(request.id)") }
            return record.info
        }
        server.register(OrchestratorMethod.executions) { request, _ in
            let (limit, offset) = try Self.page(request.limit, request.offset)
            let session = try request.session.map { reference in
                guard let session = try agent.store.session(reference) else { throw PaygentError(.notFound, "no session '\(reference)'") }
                return session.id
            }
            let (executions, total) = try agent.store.executions(request, session: session, limit: limit, offset: offset)
            return ExecutionListReply(executions: executions, total: total)
        }
        server.register(OrchestratorMethod.sessionCreate) { request, _ in try await agent.createSession(request) }
        server.register(OrchestratorMethod.sessions) { request, _ in
            let (limit, offset) = try Self.page(request.limit, request.offset)
            if let state = request.state, state != "active", state != "terminated" {
                throw PaygentError(.badRequest, "state: active or terminated, not '\(state)'")
            }
            let (sessions, total) = try agent.store.sessions(state: request.state, limit: limit, offset: offset)
            return SessionListReply(sessions: sessions, total: total)
        }
        server.register(OrchestratorMethod.sessionSummary) { request, _ in try agent.summary(request.session) }
        server.register(OrchestratorMethod.sessionTerminate) { request, _ in try await agent.terminate(request.session) }
        server.register(OrchestratorMethod.approvals) { request, _ in
            await agent.expireApprovals()
            let session = try request.session.map { reference in
                guard let session = try agent.store.session(reference) else { throw PaygentError(.notFound, "no session '\(reference)'") }
                return session.id
            }
            return ApprovalListReply(approvals: try agent.store.approvals(session: session, state: request.state ?? .pending))
        }
        server.register(OrchestratorMethod.decide) { request, _ in
            await agent.expireApprovals()
            return try await agent.decide(request)
        }
        server.register(OrchestratorMethod.kill) { request, _ in try await agent.kill(request) }
    }

    static func page(_ limit: Int?, _ offset: Int?) throws(PaygentError) -> (Int, Int) {
        let limit = limit ?? 20
        let offset = offset ?? 0
        guard (1...100).contains(limit) else { throw PaygentError(.badRequest, "limit: from 1 to 100, not \(limit)") }
        guard offset >= 0 else { throw PaygentError(.badRequest, "offset: 0 or more, not \(offset)") }
        return (limit, offset)
    }
}
