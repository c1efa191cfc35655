import Foundation
import PaygentPaymentsAPI
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest
import PaygentRuntime

/// Two service executables, one client process, many calls in flight, a SIGKILL and a restart.
final class MultiProcessRPCTests: XCTestCase {
    func testThousandsOfCallsSurviveKillAndRestart() async throws {
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let context = ZMQContext()
        let payments = try await startService(.payments, deployment: deployment, context: context)
        var registry = try await startService(.registry, deployment: deployment, context: context)
        defer {
            payments.signal(SIGKILL)
            registry.signal(SIGKILL)
        }
        let paymentsClient = try RPCClient(
            endpoint: deployment.config.endpoints(.payments).rpc, serviceName: "payments", context: context)
        let registryClient = try RPCClient(
            endpoint: deployment.config.endpoints(.registry).rpc, serviceName: "registry", context: context)

        // 1. 1,200 calls across both services, 32 in flight.
        let outcomes = await Self.run(calls: 1200, inFlight: 32) { (index: Int) throws(PaygentError) in
            let client = index.isMultiple(of: 2) ? paymentsClient : registryClient
            _ = try await client.call(CommonMethod.health, HealthRequest(), deadline: .seconds(5))
        }
        XCTAssertEqual(outcomes.failures.count, 0, "\(outcomes.failures.prefix(3))")
        XCTAssertEqual(outcomes.successes, 1200)

        // 2. SIGKILL the registry while 32 calls are in flight to it; every failure is
        //    `unavailable` or `deadline_exceeded`, and none waits past its deadline.
        let deadline = Duration.seconds(2)
        async let streaming = Self.stream(to: registryClient, for: .seconds(1), deadline: deadline)
        try await Task.sleep(for: .milliseconds(300))
        registry.signal(SIGKILL)
        let killed = await streaming
        let codes = Dictionary(grouping: killed.failures, by: \.error.code.name).mapValues(\.count)
        print("kill phase: \(killed.successes) succeeded, failures \(codes), longest \(killed.longest)")
        XCTAssertGreaterThan(killed.successes, 0, "calls before the kill succeed")
        XCTAssertGreaterThan(killed.failures.count, 0, "calls after the kill fail")
        for failure in killed.failures {
            XCTAssertTrue(
                [ErrorCode.unavailable, .deadlineExceeded].contains(failure.error.code),
                "unexpected \(failure.error)")
            XCTAssertLessThan(failure.elapsed, deadline + .milliseconds(500), "a caller waited past its deadline")
        }
        XCTAssertLessThan(killed.longest, deadline + .milliseconds(500))

        // The other service never noticed.
        let stillUp: HealthReply = try await paymentsClient.call(CommonMethod.health, HealthRequest())
        XCTAssertEqual(stillUp.service, "payments")

        // 3. Restart it; the same client reconnects by itself.
        _ = await registry.waitForExit(timeout: .seconds(5))
        registry = try await startService(.registry, deployment: deployment, context: context)
        let after = await Self.run(calls: 200, inFlight: 32) { (_: Int) throws(PaygentError) in
            _ = try await registryClient.call(CommonMethod.health, HealthRequest(), deadline: .seconds(5))
        }
        XCTAssertEqual(after.failures.count, 0, "\(after.failures.prefix(3))")
        let health: HealthReply = try await registryClient.call(CommonMethod.health, HealthRequest())
        XCTAssertEqual(health.pid, registry.pid, "answered by the restarted process")

        paymentsClient.close()
        registryClient.close()
        await payments.stop()
        await registry.stop()
    }

    /// Health calls at 32 in flight, half of them marked idempotent (retried on reconnect).
    static func stream(to client: RPCClient, for period: Duration, deadline: Duration) async -> Outcomes {
        await run(calls: 10_000_000, inFlight: 32, until: .now + period) { (index: Int) throws(PaygentError) in
            _ = try await client.call(
                CommonMethod.health.name, HealthRequest(), as: HealthReply.self, deadline: deadline,
                idempotent: index.isMultiple(of: 2))
        }
    }

    struct Failure: Sendable {
        var error: PaygentError
        var elapsed: Duration
    }

    struct Outcomes: Sendable {
        var successes = 0
        var failures: [Failure] = []
        var longest: Duration = .zero
    }

    /// Runs `calls` calls with at most `inFlight` at once; records how each ended and how long it took.
    static func run(
        calls: Int, inFlight: Int, until: ContinuousClock.Instant? = nil,
        _ body: @escaping @Sendable (Int) async throws(PaygentError) -> Void) async -> Outcomes {
        await withTaskGroup(of: (Result<Void, PaygentError>, Duration).self) { group in
            var outcomes = Outcomes()
            var next = 0
            func record(_ result: (Result<Void, PaygentError>, Duration)) {
                outcomes.longest = max(outcomes.longest, result.1)
                switch result.0 {
                case .success: outcomes.successes += 1
                case .failure(let error): outcomes.failures.append(Failure(error: error, elapsed: result.1))
                }
            }
            func add(_ index: Int) {
                group.addTask {
                    let start = ContinuousClock.now
                    do throws(PaygentError) {
                        try await body(index)
                        return (.success(()), ContinuousClock.now - start)
                    } catch {
                        return (.failure(error), ContinuousClock.now - start)
                    }
                }
            }
            while next < min(inFlight, calls) {
                add(next)
                next += 1
            }
            while let result = await group.next() {
                record(result)
                if next < calls, until.map({ ContinuousClock.now < $0 }) ?? true {
                    add(next)
                    next += 1
                }
            }
            return outcomes
        }
    }
}
