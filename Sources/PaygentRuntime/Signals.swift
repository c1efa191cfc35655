import Dispatch
import Foundation
import Synchronization

/// Waits for SIGINT or SIGTERM.
///
/// Create it before the process announces that it is ready: a signal that arrives after
/// `init` returns is never lost (it is remembered until `wait` is called).
///
/// `@unchecked`: `sources` is written once in `init` and only kept alive afterwards; the mutable
/// state is behind a mutex.
public final class TerminationSignal: @unchecked Sendable {
    private final class State: Sendable {
        let value = Mutex<(received: Int32?, waiter: CheckedContinuation<Int32, Never>?)>((nil, nil))
    }

    private let state = State()
    private let sources: [any DispatchSourceSignal]

    public init(signals: [Int32] = [SIGINT, SIGTERM]) {
        var sources: [any DispatchSourceSignal] = []
        let state = self.state
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { Self.deliver(number, to: state) }
            source.activate()
            sources.append(source)
        }
        self.sources = sources
    }

    /// Stops the service as `number` would, without a process signal: for a service run in
    /// process (a test harness), or a supervisor that owns it.
    public func trigger(_ number: Int32 = SIGTERM) {
        Self.deliver(number, to: state)
    }

    private static func deliver(_ number: Int32, to state: State) {
        let waiter = state.value.withLock { state -> CheckedContinuation<Int32, Never>? in
            if state.received == nil { state.received = number }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: number)
    }

    /// Returns the first signal received, waiting if none has come yet.
    public func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let already = state.value.withLock { state -> Int32? in
                if let received = state.received { return received }
                state.waiter = continuation
                return nil
            }
            if let already { continuation.resume(returning: already) }
        }
    }
}
