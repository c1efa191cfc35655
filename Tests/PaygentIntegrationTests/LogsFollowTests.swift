import Foundation
import PaygentPaymentsAPI
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest
import PaygentRuntime

/// `paygent logs --follow` receives records from every running service over pub/sub.
final class LogsFollowTests: XCTestCase {
    func testFollowReceivesEveryService() async throws {
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let context = ZMQContext()
        var services: [(ServiceName, ChildProcess)] = []
        defer { for (_, child) in services { child.signal(SIGKILL) } }
        for service in ServiceName.startOrder {
            services.append((service, try await startService(service, deployment: deployment, context: context)))
        }

        let follow = try ChildProcess("paygent", ["logs", "--follow", "--limit", "1", "--for", "20"], deployment: deployment, tag: "logs")
        defer { follow.signal(SIGKILL) }
        // The history (one record per service) is printed after the subscription is made.
        try await waitFor(timeout: .seconds(10)) {
            ServiceName.allCases.allSatisfy { follow.output.contains(" \($0.rawValue) ") }
        }
        try await Task.sleep(for: .milliseconds(1500))

        // Each service logs a warning for a request to a method it does not have.
        for (service, _) in services {
            let client = try RPCClient(endpoint: deployment.config.endpoints(service).rpc, serviceName: service.rawValue, context: context)
            do {
                _ = try await client.call("test.no-such-method", HealthRequest(), as: HealthReply.self)
                XCTFail("expected unknown_method")
            } catch {
                XCTAssertEqual(error.code, .unknownMethod)
            }
            client.close()
        }
        try await waitFor(timeout: .seconds(10)) {
            let lines = follow.output.split(separator: "\n").filter { $0.contains("request for an unknown method") }
            return ServiceName.allCases.allSatisfy { service in lines.contains { $0.contains(" \(service.rawValue) ") } }
        }
        let warnings = follow.output.split(separator: "\n").filter { $0.contains("request for an unknown method") }
        XCTAssertEqual(warnings.count, ServiceName.allCases.count, follow.output)
        XCTAssertTrue(warnings.allSatisfy { $0.contains("warning") && $0.contains("rpc.method=test.no-such-method") })
        XCTAssertFalse(follow.output.contains("\u{1B}["), "no color codes when piped")

        // Level and service filters apply to the live stream too.
        let filtered = try ChildProcess(
            "paygent", ["logs", "--limit", "50", "--service", "vvs", "--level", "warning"], deployment: deployment, tag: "filtered")
        let status = await filtered.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(status, 0)
        let filteredLines = filtered.output.split(separator: "\n")
        XCTAssertEqual(filteredLines.count, 1, filtered.output)
        XCTAssertTrue(filteredLines.first?.contains(" vvs ") ?? false)

        follow.signal(SIGTERM)
        for (_, child) in services { await child.stop() }
    }
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
func waitFor(timeout: Duration, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("condition not met within \(timeout)") }
        try await Task.sleep(for: .milliseconds(50))
    }
}
