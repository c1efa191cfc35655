import Foundation
import PaygentRuntime
import PaygentTransport

/// A running service as a test body sees it, whichever way it runs: a deployment and a client.
/// One test body runs against both with `ServiceHarness.each`.
public protocol RunningService: Sendable {
    var deployment: TestDeployment { get }
    var client: RPCClient { get }
    /// Stops the service gracefully (as SIGTERM would) and removes its files.
    func stop() async throws
}

extension InProcessService: RunningService {}

/// The built executable of a service as a child process: what a test needs for SIGKILL.
public final class ChildService: RunningService {
    public let deployment: TestDeployment
    public let context = ZMQContext()
    public let client: RPCClient
    public let child: ChildProcess

    public init(_ service: ServiceName) async throws {
        deployment = try TestDeployment()
        do {
            child = try await startService(service, deployment: deployment, context: context)
            client = try RPCClient(endpoint: deployment.config.endpoints(service).rpc, serviceName: service.rawValue, context: context)
        } catch {
            deployment.remove()
            throw error
        }
    }

    public func stop() async throws {
        client.close()
        await child.stop()
        deployment.remove()
    }
}

/// Where a test body runs.
public enum ServiceHarness: String, CaseIterable, Sendable {
    /// In this process, on a manual or real clock: fast, and time can be moved.
    case inProcess = "in process"
    /// The built executable as a child process: the real thing, which a test can kill.
    case childProcess = "child process"

    /// Runs `body` against `definition` in process and then against its executable. A failure
    /// says which harness it came from.
    public static func each(
        _ definition: ServiceDefinition, _ body: (RunningService, ServiceHarness) async throws -> Void
    ) async throws {
        for harness in allCases {
            let service: any RunningService =
                switch harness {
                case .inProcess: try await InProcessService(definition)
                case .childProcess: try await ChildService(definition.name)
                }
            do {
                try await body(service, harness)
                try await service.stop()
            } catch {
                try? await service.stop()
                throw TestFailure("\(definition.name.rawValue) (\(harness.rawValue)): \(error)")
            }
        }
    }
}
