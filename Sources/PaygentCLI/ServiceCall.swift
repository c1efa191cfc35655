import ArgumentParser
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTransport
import PaygentWire

/// Calls one method of a running service, turning failures into messages that say what happened
/// and what to do.
struct ServiceCall {
    let config: PaygentConfig
    let service: ServiceName
    let context = ZMQContext()

    func call<Request, Reply>(
        _ method: RPCMethod<Request, Reply>, _ request: Request, idempotencyKey: String? = nil,
        deadline: Duration = .seconds(15)
    ) async throws -> Reply {
        let endpoint = config.endpoints(service).rpc
        let client = try RPCClient(endpoint: endpoint, serviceName: service.rawValue, context: context)
        defer { client.close() }
        do {
            return try await client.call(method, request, deadline: deadline, idempotencyKey: idempotencyKey)
        } catch {
            throw await explain(error, endpoint: endpoint, deadline: deadline)
        }
    }

    /// `unavailable` and `deadline_exceeded` mean two things: the service could not be reached,
    /// or it answered with that code about the work (a URL it could not reach). A quick `health`
    /// call tells them apart, so "not running" is said only when it is true.
    private func explain(_ error: PaygentError, endpoint: String, deadline: Duration) async -> CLIError {
        guard error.code == .unavailable || error.code == .deadlineExceeded else { return CLIError(error.message) }
        let answer = await HealthProbe(config: config, context: context).check(service, deadline: .milliseconds(700))
        if (try? answer.get()) != nil {
            if error.code == .deadlineExceeded {
                return CLIError("\(service.rawValue) did not answer within \(deadline.components.seconds) s: \(error.message)")
            }
            return CLIError(error.message)
        }
        return CLIError("cannot connect to \(service.rawValue) at \(endpoint): it is not running or not reachable; start it with `paygent up` (see `paygent status`)")
    }
}
