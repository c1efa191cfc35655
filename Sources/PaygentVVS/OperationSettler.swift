import Foundation
import Logging
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentServiceKit
import PaygentTransport
import PaygentWire

/// Settles a liquidity or farm operation as one ledger batch, the way swaps are settled: the
/// batch and the records it changes are written `pending` first, then sent under the
/// operation's idempotency key; the records change only once the ledger has applied the batch.
/// An operation found pending (a crash, a lost answer) is sent again under its key before the
/// next one: the ledger applies it once (or answers its first receipt), or refuses it once its
/// signatures have expired.
struct OperationSettler: Sendable {
    let store: PoolStore
    let payments: RPCClient
    let blocks: SwapBlocks
    let pending: PendingSwaps
    let logger: Logger

    /// Waits until every swap priced so far has settled: a deposit or farm operation is priced
    /// on the recorded reserves. Call it in the swaps' queue, before pricing.
    func drainSwaps() async {
        await blocks.drain()
    }

    /// Settles the operation and answers `reply` with its batch's transactions; `request` and
    /// `reply` are recorded for a retry under the same idempotency key (`IdempotentWrites`).
    func settle<Reply: SettledReply>(
        id: String, kind: String, key: String, wallet: String, batch: SettleRequest, effect: OperationEffect, request: Data, reply: Reply, now: Date
    ) async throws -> Reply {
        try store.operationPending(
            id: id, kind: kind, key: key, wallet: wallet, batch: try JSONEncoder().encode(batch), effect: effect, request: request,
            reply: try IdempotentWrites.encode(reply), now: now)
        let receipt: LedgerReceipt
        do {
            receipt = try await payments.call(PaymentsMethod.settle, batch, deadline: .seconds(10), idempotencyKey: key)
        } catch where SwapHandler.outcomeUnknown(error.code) {
            pending.mark()
            throw PaygentError(.unavailable, "\(kind) \(id) was sent and its outcome is not known yet (\(error.message)); it is resolved before the next operation")
        } catch {
            try store.operationFinished(id: id, settled: false, error: error.message)
            throw PaygentError(error.code, "the ledger refused the \(kind), nothing moved: \(error.message)")
        }
        var settled = reply
        settled.transactions = receipt.transactions.map(\.hash)
        try store.operationFinished(id: id, settled: true, error: nil, transactions: settled.transactions)
        return settled
    }

    /// A recorded batch sent again under its key: the ledger applies it once, answers its first
    /// receipt, or refuses it.
    func resend(_ batch: Data, key: String) async throws -> Result<LedgerReceipt, PaygentError> {
        let request = try JSONDecoder().decode(SettleRequest.self, from: batch)
        do {
            return .success(try await payments.call(PaymentsMethod.settle, request, deadline: .seconds(10), idempotencyKey: key))
        } catch {
            return .failure(error)
        }
    }

    func resolvePending() async throws {
        for pending in try store.pendingOperations() {
            switch try await resend(pending.batch, key: pending.key) {
            case .success(let receipt):
                try store.operationFinished(id: pending.id, settled: true, error: nil, transactions: receipt.transactions.map(\.hash))
                logger.notice("an operation left pending by a crash is settled", metadata: ["vvs.operation": "\(pending.id)"])
            case .failure(let error) where SwapHandler.outcomeUnknown(error.code):
                throw PaygentError(.unavailable, "operation \(pending.id) is still unresolved (\(error.message)); try again shortly")
            case .failure(let error):
                try store.operationFinished(id: pending.id, settled: false, error: error.message)
                logger.notice("an operation left pending by a crash did not settle", metadata: ["vvs.operation": "\(pending.id)", "error": "\(error.message)"])
            }
        }
    }
}
