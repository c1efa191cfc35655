import Synchronization

/// One settlement waiting for a write transaction.
struct SettlementJob: Sendable {
    let transfers: [SignedTransfer]
    let idempotencyKey: String?
    let time: Date
}

/// Group commit: callers queue jobs; whoever finds no flush running becomes the flusher and
/// applies everything queued in one go, again and again until the queue is empty. Under load many
/// settlements share one transaction (one commit); alone, a job is applied at once.
final class GroupCommit<Job: Sendable, Output: Sendable>: Sendable {
    private struct Waiting: Sendable {
        let job: Job
        let continuation: CheckedContinuation<Result<Output, LedgerError>, Never>
    }

    private let state = Mutex<(queue: [Waiting], flushing: Bool)>(([], false))
    /// The most jobs in one transaction, so that one commit stays short.
    let maxBatch = 256

    func submit(
        _ job: Job, apply: @escaping @Sendable ([Job]) async -> [Result<Output, LedgerError>]
    ) async throws(LedgerError) -> Output {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Output, LedgerError>, Never>) in
            let lead = state.withLock { state -> Bool in
                state.queue.append(Waiting(job: job, continuation: continuation))
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if lead {
                Task { await self.flush(apply) }
            }
        }
        return try result.get()
    }

    private func flush(_ apply: @Sendable ([Job]) async -> [Result<Output, LedgerError>]) async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let taken = Array(state.queue.prefix(maxBatch))
                state.queue.removeFirst(taken.count)
                if taken.isEmpty { state.flushing = false }
                return taken
            }
            guard !batch.isEmpty else { return }
            let results = await apply(batch.map(\.job))
            for (waiting, result) in zip(batch, results) {
                waiting.continuation.resume(returning: result)
            }
        }
    }
}

import Foundation
