import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTransport
import PaygentWire

/// Asks services for `health`, all at once.
struct HealthProbe {
    let config: PaygentConfig
    let context: ZMQContext

    func check(_ services: [ServiceName], deadline: Duration = .seconds(1)) async -> [ServiceName: Result<HealthReply, PaygentError>] {
        await withTaskGroup(of: (ServiceName, Result<HealthReply, PaygentError>).self) { group in
            for service in services {
                group.addTask {
                    (service, await check(service, deadline: deadline))
                }
            }
            var results: [ServiceName: Result<HealthReply, PaygentError>] = [:]
            for await (service, result) in group { results[service] = result }
            return results
        }
    }

    func check(_ service: ServiceName, deadline: Duration) async -> Result<HealthReply, PaygentError> {
        var options = RPCClientOptions()
        options.connectWait = deadline
        let client: RPCClient
        do {
            client = try RPCClient(
                endpoint: config.endpoints(service).rpc, serviceName: service.rawValue, context: context,
                options: options)
        } catch {
            return .failure(PaygentError(.unavailable, "cannot connect to \(service.rawValue): \(error)"))
        }
        defer { client.close() }
        do {
            let reply: HealthReply = try await client.call(
                CommonMethod.health, HealthRequest(), deadline: deadline)
            return .success(reply)
        } catch {
            return .failure(error)
        }
    }
}
