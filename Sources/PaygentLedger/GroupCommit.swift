import Foundation
import Synchronization

/// One settlement waiting for a write transaction.
struct SettlementJob: Sendable {
    let transfers: [SignedTransfer]
    let supply: [SignedSupplyChange]
    let idempotencyKey: String?
    let time: Date
}

/// Group commit: a job that finds no flush running is applied at once by its own caller, with no
/// hand-off to another thread (the common case at low load, and the latency a single payment
/// feels). Jobs that arrive while a flush runs queue up; the flusher then applies everything
/// queued in one go, again and again until the queue is empty, so under load many settlements
/// share one transaction (one commit).
///
/// `apply` runs synchronously on the caller's thread: a ledger transaction is short, and waiting
/// for a database thread to pick it up would cost more than the work.
final class GroupCommit<Job: Sendable, Output: Sendable>: Sendable {
    private struct Waiting: Sendable {
        let job: Job
        let continuation: CheckedContinuation<Result<Output, LedgerError>, Never>
    }

    private let state = Mutex<(queue: [Waiting], flushing: Bool)>(([], false))
    /// The most jobs in one transaction, so that one commit stays short.
    let maxBatch = 256

    /// No settlement is being written now.
    var isIdle: Bool { state.withLock { !$0.flushing } }

    func submit(_ job: Job, apply: @escaping @Sendable ([Job]) -> [Result<Output, LedgerError>]) async throws(LedgerError) -> Output {
        let lead = state.withLock { state -> Bool in
            guard !state.flushing else { return false }
            state.flushing = true
            return true
        }
        if lead {
            let result = apply([job])[0]
            handOff(apply)
            return try result.get()
        }
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Output, LedgerError>, Never>) in
            let leadNow = state.withLock { state -> Bool in
                if state.flushing {
                    state.queue.append(Waiting(job: job, continuation: continuation))
                    return false
                }
                state.flushing = true
                return true
            }
            if leadNow {
                // The flush ended between the two looks: this caller leads after all.
                continuation.resume(returning: apply([job])[0])
                handOff(apply)
            }
        }
        return try result.get()
    }

    /// After the leader's own job: flush whatever queued meanwhile on another task, or end the flush.
    private func handOff(_ apply: @escaping @Sendable ([Job]) -> [Result<Output, LedgerError>]) {
        let more = state.withLock { state -> Bool in
            if state.queue.isEmpty { state.flushing = false }
            return state.flushing
        }
        if more { Task { self.flush(apply) } }
    }

    private func flush(_ apply: @Sendable ([Job]) -> [Result<Output, LedgerError>]) {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let taken = Array(state.queue.prefix(maxBatch))
                state.queue.removeFirst(taken.count)
                if taken.isEmpty { state.flushing = false }
                return taken
            }
            guard !batch.isEmpty else { return }
            let results = apply(batch.map(\.job))
            for (waiting, result) in zip(batch, results) {
                waiting.continuation.resume(returning: result)
            }
        }
    }
}
