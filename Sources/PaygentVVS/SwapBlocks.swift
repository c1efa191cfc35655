import BigInt
import Foundation
import Synchronization
import PaygentPaymentsAPI
import PaygentVVSAPI
import PaygentWire

/// Swaps settle in blocks, as a chain settles transactions. Swaps are priced one at a time (in
/// the swaps' queue) on the reserves every swap before them leaves — settled, or still on its way
/// to the ledger (`projection`) — and join the open block. One block is on its way at a time; the
/// swaps priced meanwhile go together as the next block, one all-or-nothing ledger batch. So the
/// ledger's round trip and the records' writes are paid once per block rather than once per swap,
/// and pricing goes on while a block settles.
///
/// A block the ledger refuses moved nothing. The swap that made it refuse (the ledger names the
/// transfer) gets the refusal; every other swap of the block, and of the open block priced after
/// it, is priced again on the reserves as they are (`reprice`). A block whose outcome is unknown
/// (the answer was lost) stays pending: its swaps are told so, and it is resolved before anything
/// is priced again.
actor SwapBlocks {
    /// A swap ready to settle: its transfers (the wallet's input, each pool's payout), the pools'
    /// reserves after it, and its reply without transactions.
    struct Priced: Sendable {
        var member: BlockMember
        var transfers: [SignedTransferMessage]
        var reserves: [(id: String, BigUInt, BigUInt)]
        var reply: SwapReply
        /// The projection it was priced on.
        var generation: UInt64
    }

    enum Outcome: Sendable {
        case settled(SwapReply)
        case refused(PaygentError)
        /// Priced on reserves that did not come to be: price it again.
        case reprice
    }

    /// What became of a block at the ledger.
    enum BlockOutcome: Sendable {
        case settled(transactions: [String])
        /// `culprit`: the position of the swap whose transfer the ledger refused, when it said.
        case refused(PaygentError, culprit: Int?)
        case unknown(PaygentError)
    }

    private let send: @Sendable (_ id: String, _ swaps: [Priced]) async -> BlockOutcome
    private let newBlockID: @Sendable () -> String
    /// The reserves the open and in-flight swaps leave, by pool; empty when none are.
    private var projected: [String: (BigUInt, BigUInt)] = [:]
    private var generation: UInt64 = 0
    private var open: [(Priced, Ticket)] = []
    private(set) var flying: String?
    /// Swap ids priced and not yet answered: one request per id at a time.
    private var active: Set<String> = []
    private var drained: [CheckedContinuation<Void, Never>] = []

    init(newBlockID: @escaping @Sendable () -> String, send: @escaping @Sendable (_ id: String, _ swaps: [Priced]) async -> BlockOutcome) {
        self.newBlockID = newBlockID
        self.send = send
    }

    /// The reserves to price on, and the projection's generation (it changes when a block fails).
    func projection() -> (reserves: [String: (BigUInt, BigUInt)], generation: UInt64) {
        (projected, generation)
    }

    /// Claims `id` for one request; false while another request with the same id is under way.
    func claim(_ id: String) -> Bool {
        active.insert(id).inserted
    }

    func release(_ id: String) {
        active.remove(id)
    }

    /// Adds a priced swap to the open block; its ticket tells the block's outcome. Call it in the
    /// swaps' queue, right after pricing, so the next swap is priced after this one.
    func add(_ swap: Priced) -> Ticket {
        let ticket = Ticket()
        guard swap.generation == generation else {
            ticket.resolve(.reprice)
            return ticket
        }
        for (pool, reserve0, reserve1) in swap.reserves { projected[pool] = (reserve0, reserve1) }
        open.append((swap, ticket))
        if flying == nil { launch() }
        return ticket
    }

    /// A swap's place in a block: resolved once with its outcome, awaited by its request.
    final class Ticket: Sendable {
        private let state = Mutex<(outcome: Outcome?, waiter: CheckedContinuation<Outcome, Never>?)>((nil, nil))

        func resolve(_ outcome: Outcome) {
            let waiter = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
                guard state.outcome == nil else { return nil }
                state.outcome = outcome
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: outcome)
        }

        func outcome() async -> Outcome {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Outcome? in
                    if let outcome = state.outcome { return outcome }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }

    /// Waits until no block is open or on its way (a deposit or farm operation prices on the
    /// recorded reserves only).
    func drain() async {
        guard flying != nil || !open.isEmpty else { return }
        await withCheckedContinuation { drained.append($0) }
    }

    private func launch() {
        guard !open.isEmpty else {
            flying = nil
            projected = [:]
            for waiter in drained { waiter.resume() }
            drained = []
            return
        }
        let block = open
        open = []
        let id = newBlockID()
        flying = id
        let send = self.send
        Task {
            let outcome = await send(id, block.map(\.0))
            self.finish(block, outcome)
        }
    }

    private func finish(_ block: [(Priced, Ticket)], _ outcome: BlockOutcome) {
        switch outcome {
        case .settled(let transactions):
            var next = 0
            for (swap, ticket) in block {
                var reply = swap.reply
                let count = swap.transfers.count
                reply.transactions = Array(transactions[min(next, transactions.count)..<min(next + count, transactions.count)])
                next += count
                ticket.resolve(.settled(reply))
            }
            launch()
        case .refused(let error, let culprit):
            for (position, (_, ticket)) in block.enumerated() {
                ticket.resolve(position == culprit || culprit == nil ? .refused(error) : .reprice)
            }
            abandonOpen()
        case .unknown(let error):
            for (swap, ticket) in block {
                ticket.resolve(.refused(PaygentError(
                    .unavailable, "swap \(swap.member.id) was sent and its outcome is not known yet (\(error.message)); it is resolved before the next swap")))
            }
            abandonOpen()
        }
    }

    /// The open block was priced on a projection that did not come to be: its swaps are priced
    /// again, on the recorded reserves.
    private func abandonOpen() {
        generation &+= 1
        for (_, ticket) in open { ticket.resolve(.reprice) }
        open = []
        launch()
    }
}
