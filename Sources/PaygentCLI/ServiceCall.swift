import ArgumentParser
import PaygentAPI
import PaygentRuntime
import PaygentTransport
import PaygentWire

/// Calls one method of a running service, turning failures into messages that say what to do.
struct ServiceCall {
    let config: PaygentConfig
    let service: ServiceName
    let context = ZMQContext()

    func call<Request: Encodable, Reply: Decodable>(
        _ method: String, _ request: Request, as reply: Reply.Type = Reply.self, idempotencyKey: String? = nil
    ) async throws -> Reply {
        let client = try RPCClient(endpoint: config.endpoints(service).rpc, serviceName: service.rawValue, context: context)
        defer { client.close() }
        do {
            return try await client.call(method, request, deadline: .seconds(15), idempotencyKey: idempotencyKey)
        } catch {
            if error.code == .unavailable {
                throw CLIError("\(service.rawValue) is not running (\(config.endpoints(service).rpc)); start it with `paygent up`")
            }
            throw CLIError(error.message)
        }
    }
}
