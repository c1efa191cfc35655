import BigInt
import Foundation
import PaygentLedgerAccounts
import PaygentPaymentsAPI
import PaygentWire
import Synchronization

/// Opens settle in blocks, as a chain settles transactions: each is priced alone in the desk's
/// queue, then joins the open block. One block is on its way to the ledger at a time; the opens
/// priced meanwhile go together as the next, one all-or-nothing batch of their signed deposits,
/// so the ledger's round trip and the records' writes are paid once per block.
///
/// A block the ledger refuses moved nothing: the open whose transfer the ledger names gets the
/// refusal, the others go out again in the next block (they depend on nothing another open
/// changes). A block whose outcome is unknown stays pending in the records, and is resolved before
/// the desk's next action.
actor OpenBlocks {
    struct Member: Sendable {
        var row: PerpStore.BlockMember
        var transfer: SignedTransferMessage
        var position: PositionRecord
        var deposit: BigUInt
    }

    /// What became of a block at the ledger.
    enum BlockOutcome: Sendable {
        /// One transaction per member, in order.
        case settled(transactions: [String])
        /// `culprit`: the member whose transfer the ledger refused, when it said.
        case refused(PaygentError, culprit: Int?)
        case unknown(PaygentError)
    }

    /// Blocks carry at most this many opens.
    static let maxSize = 64

    private var send: (@Sendable (_ id: String, _ members: [Member]) async -> BlockOutcome)?
    private var newID: (@Sendable () -> String)?
    private var waiting: [(Member, CheckedContinuation<Result<String, PaygentError>, Never>)] = []
    private(set) var flying: String?
    /// Blocks sent and the opens they carried, for `health`.
    nonisolated let counts = Mutex<(sent: Int, carried: Int)>((0, 0))

    func connect(newID: @escaping @Sendable () -> String, send: @escaping @Sendable (_ id: String, _ members: [Member]) async -> BlockOutcome) {
        (self.newID, self.send) = (newID, send)
    }

    /// Settles `member` with the next block: its transaction, or why it did not settle.
    func submit(_ member: Member) async -> Result<String, PaygentError> {
        await withCheckedContinuation { continuation in
            waiting.append((member, continuation))
            startNext()
        }
    }

    private func startNext() {
        guard flying == nil, !waiting.isEmpty, let send, let newID else { return }
        let block = Array(waiting.prefix(Self.maxSize))
        waiting.removeFirst(block.count)
        let id = newID()
        flying = id
        counts.withLock { $0 = ($0.sent + 1, $0.carried + block.count) }
        Task {
            let outcome = await send(id, block.map(\.0))
            self.finished(block, outcome)
        }
    }

    private func finished(_ block: [(Member, CheckedContinuation<Result<String, PaygentError>, Never>)], _ outcome: BlockOutcome) {
        flying = nil
        switch outcome {
        case .settled(let transactions):
            for (index, (_, continuation)) in block.enumerated() {
                continuation.resume(returning: .success(index < transactions.count ? transactions[index] : ""))
            }
        case .refused(let error, let culprit?):
            block[culprit].1.resume(returning: .failure(error))
            waiting.insert(contentsOf: block.enumerated().filter { $0.offset != culprit }.map(\.element), at: 0)
        case .refused(let error, nil):
            for (_, continuation) in block { continuation.resume(returning: .failure(error)) }
        case .unknown(let error):
            for (member, continuation) in block {
                continuation.resume(
                    returning: .failure(
                        PaygentError(
                            .unavailable,
                            "open \(member.row.id) was sent and its outcome is not known yet (\(error.message)); it is resolved before the next action")))
            }
        }
        startNext()
    }
}

extension PerpDesk {
    /// Records a block pending, sends it, and closes it with the ledger's answer.
    func settleBlock(_ id: String, _ members: [OpenBlocks.Member]) async -> OpenBlocks.BlockOutcome {
        let batch = SettleRequest(transfers: members.map(\.transfer))
        do {
            try store.blockPending(id: id, batch: try PerpStore.encode(batch), members: members.map(\.row), now: time.now())
        } catch {
            for member in members { release(member.position, deposit: member.deposit) }
            return .refused(PaygentError(.internal, "the opens could not be recorded, nothing moved: \(error)"), culprit: nil)
        }
        let outcome: OpenBlocks.BlockOutcome = await counted {
            switch await send(batch, key: "moonlander-\(id)") {
            case .success(let receipt):
                let transactions = receipt.transactions.map(\.hash)
                let applied: PerpEffect?
                do {
                    applied = try store.blockFinished(
                        id: id, settled: true, transactions: transactions, error: nil, culprit: nil, effects: members.map(\.row.effect))
                } catch {
                    markDirty()
                    for member in members { release(member.position, deposit: member.deposit) }
                    return .unknown(PaygentError(.internal, "settled, but not recorded: \(error)"))
                }
                for member in members { release(member.position, deposit: member.deposit) }
                if let applied { absorb(applied) }
                return .settled(transactions: transactions)
            case .failure(let error) where Self.outcomeUnknown(error.code):
                markDirty()
                for member in members { release(member.position, deposit: member.deposit) }
                return .unknown(error)
            case .failure(let error):
                let culprit = LedgerRefusal.culprit(of: error, in: members.map { _ in 1 })
                _ = try? store.blockFinished(id: id, settled: false, transactions: [], error: error.message, culprit: culprit)
                for (index, member) in members.enumerated() where culprit == nil || culprit == index {
                    release(member.position, deposit: member.deposit)
                }
                return .refused(Self.refusal("open", error), culprit: culprit)
            }
        }
        if case .settled = outcome { try? await settled() }
        return outcome
    }
}
