import CZeroMQ
import Foundation
import Synchronization

/// Hands work to a socket's owning thread: any thread posts, the owner drains.
///
/// The owner polls `fd` (an eventfd) beside its sockets; `post` wakes it. A bound on queued
/// items keeps a flood (e.g. of log records) from growing memory without limit.
final class Mailbox<Item: Sendable>: Sendable {
    private let queue: Mutex<[Item]>
    let fd: Int32
    private let capacity: Int

    init(capacity: Int = 1 << 20) {
        queue = Mutex([])
        fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(fd >= 0, "eventfd failed: errno \(errno)")
        self.capacity = capacity
    }

    deinit {
        Foundation.close(fd)
    }

    /// Queues an item and wakes the owner. Returns false (dropping it) when the queue is full.
    ///
    /// Only the post that finds the queue empty writes the eventfd: the owner takes everything at
    /// once, so under load one wake-up (one syscall) serves a whole batch. The owner itself passes
    /// `wake: false`, since it drains again before it next sleeps.
    @discardableResult
    func post(_ item: Item, wake: Bool = true) -> Bool {
        let (accepted, wasEmpty) = queue.withLock { items -> (Bool, Bool) in
            guard items.count < capacity else { return (false, false) }
            items.append(item)
            return (true, items.count == 1)
        }
        if accepted && wasEmpty && wake { self.wake() }
        return accepted
    }

    func wake() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { Foundation.write(fd, $0.baseAddress, 8) }
    }

    var isEmpty: Bool { queue.withLock { $0.isEmpty } }

    /// Resets `fd` after a poll found it readable.
    func clearWake() {
        var counter: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &counter) { Foundation.read(fd, $0.baseAddress, 8) }
    }

    /// Takes everything queued. `clearWake`: the owner saw `fd` readable, so reset it.
    func drain(clearWake: Bool = true) -> [Item] {
        if clearWake { self.clearWake() }
        return queue.withLock { items in
            let taken = items
            items.removeAll(keepingCapacity: true)
            return taken
        }
    }
}
