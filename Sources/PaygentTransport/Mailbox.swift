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
    @discardableResult
    func post(_ item: Item) -> Bool {
        let accepted = queue.withLock { items -> Bool in
            guard items.count < capacity else { return false }
            items.append(item)
            return true
        }
        if accepted { wake() }
        return accepted
    }

    func wake() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { Foundation.write(fd, $0.baseAddress, 8) }
    }

    /// Takes everything queued; called by the owner when `fd` is readable.
    func drain() -> [Item] {
        var counter: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &counter) { Foundation.read(fd, $0.baseAddress, 8) }
        return queue.withLock { items in
            let taken = items
            items.removeAll(keepingCapacity: true)
            return taken
        }
    }
}

/// Monotonic nanoseconds, for deadlines that must not jump with the wall clock.
@inline(__always)
func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Starts a named thread that runs `body` once.
func startThread(named name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread { body() }
    thread.name = name
    thread.stackSize = 1 << 20
    thread.start()
}
