import Foundation
import PaygentRuntime
import Synchronization

/// Waits until `hostPort` accepts TCP connections, or the child exits, or `timeout` passes.
public func waitForHTTP(_ hostPort: String, child: ChildProcess, timeout: Duration = .seconds(20)) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        guard child.isRunning else { throw TestFailure("\(child.name) exited during start-up:\n\(child.output)") }
        if LoopbackTCP.reachable(hostPort) { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestFailure("\(child.name) is not listening on \(hostPort) after \(timeout):\n\(child.output)")
}

/// A count shared by concurrent tasks.
public final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    public init() {}
    public func increment() { value.add(1, ordering: .relaxed) }
    public var count: Int { value.load(ordering: .relaxed) }
}
