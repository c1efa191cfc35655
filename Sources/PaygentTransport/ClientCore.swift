import CZeroMQ
import Foundation
import PaygentWire

struct PendingCall: Sendable {
    let id: UInt64
    let method: String
    var envelope: Envelope
    let body: [UInt8]
    let deadline: UInt64
    let connectDeadline: UInt64
    let idempotent: Bool
    let budget: Duration
    let continuation: CheckedContinuation<Result<RawReply, PaygentError>, Never>
    var sent = false
}

/// Continuations to resume once the lock is released.
typealias Completions = [(CheckedContinuation<Result<RawReply, PaygentError>, Never>, Result<RawReply, PaygentError>)]

/// The socket and the calls in flight, shared by callers and the I/O thread under one lock.
///
/// `@unchecked Sendable`: every mutable member and both sockets are touched only while `lock` is
/// held (libzmq allows a socket to move between threads across a full memory barrier, which the
/// lock provides); `wakeFD` is an eventfd, safe from any thread.
final class ClientCore: @unchecked Sendable {
    let endpoint: String
    let serviceName: String
    let lock = NSLock()
    let socket: ZMQSocket
    let monitor: ZMQSocket
    let socketFD: Int32
    let monitorFD: Int32
    let wakeFD: Int32
    var pending: [UInt64: PendingCall] = [:]
    /// Ids of calls waiting for a connection, oldest first.
    var unsent: [UInt64] = []
    var everConnected = false
    var closed = false
    /// True while the I/O thread sleeps (or is about to) in `poll`. Callers then send their own
    /// requests, for the lowest latency; while it is awake they leave them in `outbox`, and it
    /// sends them in a batch before it next sleeps: no syscall on the caller's side under load.
    var ioSleeping = true
    var outbox: [UInt64] = []
    /// Runs tasks on the I/O thread, for callers that choose to live there.
    private(set) var executor: LoopExecutor!
    /// When the I/O thread will next wake by itself (monotonic ns); a call due sooner wakes it.
    var ioWakeAt: UInt64 = .max

    init(endpoint: String, serviceName: String, context: ZMQContext, options: RPCClientOptions) throws(ZMQError) {
        self.endpoint = endpoint
        self.serviceName = serviceName
        socket = try ZMQSocket(context, type: .dealer)
        try socket.setImmediate(true)
        try socket.setReconnect(initialMillis: 50, maxMillis: 1000)
        try socket.setHeartbeat(intervalMillis: 1000, timeoutMillis: 3000)
        try socket.setHighWaterMarks(send: 10_000, receive: 10_000)
        try socket.setMaxMessageSize(Int64(options.limits.maxMessageBytes) + 4096)
        if let curve = options.curve {
            try socket.setCurveClient(serverKey: curve.serverKey, publicKey: curve.publicKey, secretKey: curve.secretKey)
        }
        let monitorEndpoint = "inproc://rpc-client-monitor-\(UUID().uuidString)"
        try socket.monitor(
            monitorEndpoint,
            events: ZMQEvent.connected | ZMQEvent.disconnected | ZMQEvent.handshakeSucceeded)
        monitor = try ZMQSocket(context, type: .pair)
        try monitor.connect(monitorEndpoint)
        try socket.connect(endpoint)
        socketFD = socket.fileDescriptor
        monitorFD = monitor.fileDescriptor
        let wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(wakeFD >= 0, "eventfd failed: errno \(errno)")
        self.wakeFD = wakeFD
        executor = LoopExecutor(wake: {
            var one: UInt64 = 1
            _ = withUnsafeBytes(of: &one) { Foundation.write(wakeFD, $0.baseAddress, 8) }
        })
    }

    deinit {
        Foundation.close(wakeFD)
    }

    private func wake() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { Foundation.write(wakeFD, $0.baseAddress, 8) }
    }

    // MARK: called by callers

    func submit(_ call: PendingCall) {
        var done: Completions = []
        var wakeIO = false
        lock.lock()
        if closed {
            done.append((call.continuation, .failure(PaygentError(.unavailable, "the client for \(serviceName) was closed"))))
        } else if !ioSleeping {
            pending[call.id] = call
            outbox.append(call.id)
        } else {
            pending[call.id] = call
            if !trySend(call.id, &done) {
                unsent.append(call.id)
                wakeIO = ioWakeAt > monotonicNanos() + 20_000_000
            }
            // The I/O thread wakes at least every `idleTick`, so only a call due sooner needs it now.
            wakeIO = wakeIO || call.deadline < ioWakeAt
            // Sending may have consumed the edge that would wake the I/O thread for a reply.
            readReplies(&done)
        }
        lock.unlock()
        if wakeIO { wake() }
        resume(done)
    }

    func cancel(_ id: UInt64) {
        var done: Completions = []
        lock.lock()
        finish(id, .failure(PaygentError(.cancelled, "call cancelled by the caller")), &done)
        lock.unlock()
        resume(done)
    }

    func close() {
        lock.lock()
        closed = true
        lock.unlock()
        wake()
    }

    // MARK: the I/O thread

    private var hasOutbox: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !outbox.isEmpty
    }

    func run() {
        executor.bindToCurrentThread()
        // The monitor socket is used by this thread alone, so its signal is never taken by
        // another thread: it needs reading only when its descriptor fires.
        var monitorReady = true
        while true {
            var done: Completions = []
            lock.lock()
            if closed {
                for id in Array(pending.keys) {
                    finish(id, .failure(PaygentError(.unavailable, "the client for \(serviceName) was closed")), &done)
                }
                socket.stopMonitor()
                monitor.close()
                socket.close()
                lock.unlock()
                resume(done)
                return
            }
            ioSleeping = false
            if monitorReady { readMonitor(&done) }
            for id in outbox where !trySend(id, &done) {
                unsent.append(id)
            }
            outbox.removeAll(keepingCapacity: true)
            expire(&done)
            // Receive last, right before sleeping: an operation above (a send) may have taken the
            // socket's edge-triggered signal, but a receive attempt (it reads until the socket is
            // empty) sees any message queued.
            let busy = readReplies(&done)
            // After a batch of replies, stay awake for one more round: the callers just resumed
            // are about to send again, and leave their requests for this thread to batch.
            let timeout = busy ? 0 : pollTimeout()
            ioSleeping = !busy
            ioWakeAt = monotonicNanos() + UInt64(timeout) * 1_000_000
            lock.unlock()
            resume(done)
            // Callers that run on this thread (see `RPCClient.executor`) continue here, with no
            // hand-off; what they send goes out on the next round, before this thread sleeps.
            executor.runQueued()
            monitorReady = false
            if timeout != 0 && !executor.hasJobs && !hasOutbox {
                let ready = pollReadable([socketFD, monitorFD, wakeFD], timeoutMillis: timeout)
                monitorReady = ready[1]
                if ready[2] {
                    var counter: UInt64 = 0
                    _ = withUnsafeMutableBytes(of: &counter) { Foundation.read(wakeFD, $0.baseAddress, 8) }
                }
            }
        }
    }

    private func resume(_ done: Completions) {
        for (continuation, result) in done {
            continuation.resume(returning: result)
        }
    }

    /// The longest the I/O thread sleeps; it bounds how late a deadline can be noticed, and lets
    /// callers skip waking it for calls due later than that.
    static let idleTickMillis = 100

    /// Milliseconds until the next deadline, or a short retry tick while calls await a connection.
    private func pollTimeout() -> Int {
        guard !pending.isEmpty else { return Self.idleTickMillis }
        let now = monotonicNanos()
        var next = now + UInt64(Self.idleTickMillis) * 1_000_000
        for call in pending.values {
            next = min(next, call.sent ? call.deadline : min(call.deadline, call.connectDeadline))
        }
        var millis = next <= now ? 0 : Int((next - now + 999_999) / 1_000_000)
        if !unsent.isEmpty { millis = min(millis, 20) }
        return millis
    }

    /// Sends a pending call now, with the time it has left. False if no connection takes it.
    private func trySend(_ id: UInt64, _ done: inout Completions) -> Bool {
        guard var call = pending[id] else { return true }
        let now = monotonicNanos()
        guard now < call.deadline else { return true }
        call.envelope.deadlineMillis = UInt32(min(UInt64(UInt32.max), (call.deadline - now) / 1_000_000))
        do {
            guard try socket.send([call.envelope.encoded(), call.body]) else { return false }
        } catch {
            finish(id, .failure(PaygentError(.unavailable, "could not send to \(serviceName): \(error)", cause: error)), &done)
            return true
        }
        call.sent = true
        pending[id] = call
        return true
    }

    private func flushUnsent(_ done: inout Completions) {
        var still: [UInt64] = []
        for id in unsent where pending[id] != nil {
            if !still.isEmpty || !trySend(id, &done) { still.append(id) }
        }
        unsent = still
    }

    /// Receives every reply waiting; returns true if there were any.
    @discardableResult
    private func readReplies(_ done: inout Completions) -> Bool {
        var any = false
        while let received = try? socket.receive(maxFrames: 2) {
            any = true
            guard received.frames.count == 2, received.extraFrames == 0,
                let envelope = try? Envelope(decoding: received.frames[0]),
                envelope.kind == .reply || envelope.kind == .error
            else { continue }
            finish(envelope.requestID, .success(RawReply(envelope: envelope, body: received.frames[1])), &done)
        }
        return any
    }

    private func readMonitor(_ done: inout Completions) {
        while let received = try? monitor.receive(maxFrames: 2) {
            guard let first = received.frames.first, first.count >= 2 else { continue }
            let event = Int32(first[0]) | Int32(first[1]) << 8
            switch event {
            case ZMQEvent.handshakeSucceeded:
                everConnected = true
            case ZMQEvent.disconnected:
                // A reply sent just before the server went away must not be lost to this event.
                readReplies(&done)
                connectionLost(&done)
            default:
                break
            }
        }
        if !unsent.isEmpty { flushUnsent(&done) }
    }

    /// Calls in flight on a lost connection: repeatable ones wait to be sent again, the rest
    /// fail now because they may or may not have been applied.
    private func connectionLost(_ done: inout Completions) {
        for (id, call) in pending where call.sent {
            if call.idempotent {
                pending[id]?.sent = false
                unsent.append(id)
            } else {
                finish(id, .failure(PaygentError(
                    .unavailable,
                    "lost the connection to \(serviceName) during \(call.method); it may or may not have been applied")), &done)
            }
        }
    }

    private func expire(_ done: inout Completions) {
        let now = monotonicNanos()
        if !unsent.isEmpty { flushUnsent(&done) }
        for (id, call) in pending {
            if !call.sent && now >= call.connectDeadline {
                let what = everConnected ? "lost its connection" : "is not reachable"
                finish(id, .failure(PaygentError(
                    .unavailable, "\(serviceName) (\(endpoint)) \(what); is the service running?")), &done)
            } else if now >= call.deadline {
                finish(id, .failure(PaygentError(
                    .deadlineExceeded, "no reply from \(serviceName) to \(call.method) within \(call.budget)")), &done)
            }
        }
    }

    private func finish(_ id: UInt64, _ result: Result<RawReply, PaygentError>, _ done: inout Completions) {
        guard let call = pending.removeValue(forKey: id) else { return }
        done.append((call.continuation, result))
    }
}
