import Foundation
import Synchronization

/// Runs tasks on a socket loop's own thread.
///
/// An RPC server starts each handler as a task that prefers this executor, so a request is read,
/// handled and answered on one thread with no hand-off between threads: a handler that does not
/// suspend costs no context switch at all. Handlers still run concurrently: one that awaits
/// (another service, a timer) yields the thread to the others. A handler that burns CPU or blocks
/// should register as `.parallel` to run on the shared pool instead.
final class LoopExecutor: TaskExecutor, @unchecked Sendable {
    private let jobs = Mutex<[UnownedJob]>([])
    private let loopThread = Atomic<UInt>(0)
    private let wakeLoop: @Sendable () -> Void

    /// `wake` must make the loop's poll return (it writes the loop's eventfd).
    init(wake: @escaping @Sendable () -> Void) {
        wakeLoop = wake
    }

    /// Called once by the loop thread before it runs jobs.
    func bindToCurrentThread() {
        loopThread.store(UInt(pthread_self()), ordering: .releasing)
    }

    /// True when called on the loop's thread.
    var isCurrent: Bool {
        loopThread.load(ordering: .acquiring) == UInt(pthread_self())
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let wasEmpty = jobs.withLock { jobs -> Bool in
            jobs.append(unowned)
            return jobs.count == 1
        }
        if wasEmpty && !isCurrent { wakeLoop() }
    }

    var hasJobs: Bool { jobs.withLock { !$0.isEmpty } }

    /// Runs the jobs queued now (jobs they enqueue wait for the next call, so the loop keeps
    /// serving its socket between rounds).
    func runQueued() {
        let batch = jobs.withLock { jobs -> [UnownedJob] in
            let taken = jobs
            jobs.removeAll(keepingCapacity: true)
            return taken
        }
        let executor = asUnownedTaskExecutor()
        for job in batch {
            job.runSynchronously(on: executor)
        }
    }
}
