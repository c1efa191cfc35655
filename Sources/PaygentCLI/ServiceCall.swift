import ArgumentParser
import PaygentRuntime
import PaygentTransport
import PaygentWire

/// A command's connection to one service: one client for all of the command's calls, failures
/// turned into messages that say what happened and what to do, with the service's error code.
final class ServiceCall {
    let config: PaygentConfig
    let service: ServiceName
    private let context = ZMQContext()
    private let endpoint: String
    private let client: RPCClient?
    private let connectError: String?

    /// How long a call waits for a connection before saying it cannot connect: people are told
    /// within a second that a service is not running.
    static let connectWait: Duration = .milliseconds(300)

    init(config: PaygentConfig, service: ServiceName) {
        self.config = config
        self.service = service
        endpoint = config.endpoints(service).rpc
        var options = RPCClientOptions()
        options.connectWait = Self.connectWait
        do {
            client = try RPCClient(endpoint: endpoint, serviceName: service.rawValue, context: context, options: options)
            connectError = nil
        } catch {
            client = nil
            connectError = "\(error)"
        }
    }

    deinit {
        client?.close()
    }

    /// Calls `method`. Reads (and other calls safe to repeat, by their descriptor) are sent again
    /// after a dropped connection; writes only with an `idempotencyKey`.
    func call<Request, Reply>(
        _ method: RPCMethod<Request, Reply>, _ request: Request, idempotencyKey: String? = nil,
        deadline: Duration = .seconds(15)
    ) async throws -> Reply {
        guard let client else {
            throw CLIError(
                "cannot connect to \(service.rawValue) at \(endpoint): \(connectError ?? "")", code: .unavailable,
                exitStatus: ExitStatus.unreachable)
        }
        do {
            return try await client.call(method, request, deadline: deadline, idempotencyKey: idempotencyKey)
        } catch {
            throw await explain(error, deadline: deadline)
        }
    }

    /// The one shape of a command that calls a method and shows its reply: with `json`, the
    /// reply as JSON (ISO 8601 dates, sorted keys); otherwise `human` prints it for people.
    func show<Request, Reply: Encodable>(
        _ method: RPCMethod<Request, Reply>, _ request: Request, json: Bool, idempotencyKey: String? = nil,
        human: (Reply) throws -> Void
    ) async throws {
        let reply = try await call(method, request, idempotencyKey: idempotencyKey)
        if json {
            try printJSON(reply)
        } else {
            try human(reply)
        }
    }

    /// `unavailable` and `deadline_exceeded` mean two things: the service could not be reached,
    /// or it answered with that code about the work (a URL it could not reach). A quick `health`
    /// call tells them apart, so "not running" is said only when it is true.
    private func explain(_ error: PaygentError, deadline: Duration) async -> CLIError {
        guard error.code == .unavailable || error.code == .deadlineExceeded else {
            return CLIError(error.message, code: error.code)
        }
        let answer = await HealthProbe(config: config, context: context).check(service, deadline: .milliseconds(300))
        if (try? answer.get()) != nil {
            if error.code == .deadlineExceeded {
                return CLIError(
                    "\(service.rawValue) did not answer within \(deadline.components.seconds) s: \(error.message)", code: error.code,
                    exitStatus: ExitStatus.timedOut)
            }
            return CLIError(error.message, code: error.code)
        }
        return CLIError(
            "cannot connect to \(service.rawValue) at \(endpoint): it is not running or not reachable; start it with `paygent up` (see `paygent status`)",
            code: .unavailable, exitStatus: ExitStatus.unreachable)
    }
}
