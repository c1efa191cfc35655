import Foundation
import PaygentRuntime
import PaygentTransport
import PaygentWire
import Synchronization

/// Runs a service in this process, on ipc endpoints in a throwaway deployment, with the time a
/// test gives it (a `ManualTime`), and stops it without a process signal. The same test bodies
/// run against a child process (`startService`) where a test needs SIGKILL.
public final class InProcessService: Sendable {
    public let deployment: TestDeployment
    public let context = ZMQContext()
    public let client: RPCClient
    private let termination = TerminationSignal(signals: [])
    private let running: Task<Void, any Error>
    private let ended = Ended()

    private let ownsDeployment: Bool

    /// - Parameter deployment: a deployment shared with other services of the test (which then
    ///   removes it); a new one of its own when nil.
    public init(
        _ definition: ServiceDefinition, deployment shared: TestDeployment? = nil, time: ServiceTime = .system,
        random: RandomSource = .system
    ) async throws {
        // Test wallets use a light scrypt setting, as child processes of a TestDeployment do.
        setenv("PAYGENT_KEYSTORE_STRENGTH", "light", 1)
        let deployment = try shared ?? TestDeployment()
        self.deployment = deployment
        ownsDeployment = shared == nil
        let (config, termination) = (deployment.config, termination)
        let ended = self.ended
        running = Task {
            do {
                try await ServiceHost.run(definition, config: config, termination: termination, time: time, random: random)
                ended.why.withLock { $0 = "stopped" }
            } catch {
                ended.why.withLock { $0 = "\(error)" }
                throw error
            }
        }
        client = try RPCClient(endpoint: config.endpoints(definition.name).rpc, serviceName: definition.name.rawValue, context: context)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if (try? await client.call(CommonMethod.health, HealthRequest(), deadline: .milliseconds(300))) != nil { return }
            if let why = ended.why.withLock({ $0 }) {
                if shared == nil { deployment.remove() }
                throw TestFailure("\(definition.name.rawValue) ended during start-up: \(why)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("\(definition.name.rawValue) did not answer health within 20 s in process")
    }

    /// Stops the service as SIGTERM would (requests in flight finish) and removes its files.
    public func stop() async throws {
        client.close()
        termination.trigger()
        try await running.value
        if ownsDeployment { deployment.remove() }
    }

    /// Starts `definition` in process and returns why it did not start, or nil if it did.
    public static func startFailure(_ definition: ServiceDefinition) async -> (any Error)? {
        do {
            let service = try await InProcessService(definition)
            try await service.stop()
            return nil
        } catch {
            return error
        }
    }
}

/// Why an in-process service ended, once it has.
private final class Ended: Sendable {
    let why = Mutex<String?>(nil)
}
