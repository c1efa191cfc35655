import Foundation
import Logging
import PaygentWire

enum ServerCommand: Sendable {
    case completed(RouteKey, Result<[UInt8], PaygentError>)
    case shutdown(grace: Duration, done: CheckedContinuation<Void, Never>)
}

/// A caller: the ROUTER identity of its connection and its request id.
struct RouteKey: Hashable, Sendable {
    let identity: [UInt8]
    let requestID: UInt64
}

final class ServerLoop {
    struct InFlight {
        let method: String
        let deadline: UInt64?
        let task: Task<Void, Never>
        let cacheKey: String?
        /// The request body's fingerprint, when it carries an idempotency key.
        let fingerprint: Int
        /// Echoed in the reply, so that one trace follows a call across services.
        let traceID: [UInt8]?
    }

    let socket: ZMQSocket
    let serviceName: String
    let handlers: [String: RegisteredHandler]
    let mailbox: Mailbox<ServerCommand>
    let executor: LoopExecutor
    let options: RPCServerOptions
    let logger: Logger
    let stats: ServerStats
    let noisy = RateLimitedLog()
    var inFlight: [RouteKey: InFlight] = [:]
    var cache = IdempotencyCache()
    /// Callers waiting on a request with the same idempotency key that is still running, and the
    /// fingerprint of the body that key was first used with.
    var waiting: [String: (body: Int, callers: [(RouteKey, [UInt8]?)])] = [:]
    var draining: (until: UInt64, done: CheckedContinuation<Void, Never>)?
    /// When the last in-flight request was answered during a drain.
    var drainedAt: UInt64?
    /// How long the socket stays open after the last reply of a drain. A client that sees the
    /// connection drop may discard a reply still in its queue (with `ZMQ_IMMEDIATE`), so the
    /// server gives replies a moment to arrive before it closes.
    static let settleNanos: UInt64 = 100_000_000

    init(
        socket: ZMQSocket, serviceName: String, handlers: [String: RegisteredHandler], mailbox: Mailbox<ServerCommand>,
        options: RPCServerOptions, logger: Logger, stats: ServerStats
    ) {
        executor = LoopExecutor(wake: { [mailbox] in mailbox.wake() })
        self.socket = socket
        self.serviceName = serviceName
        self.handlers = handlers
        self.mailbox = mailbox
        self.options = options
        self.logger = logger
        self.stats = stats
    }

    func run() {
        executor.bindToCurrentThread()
        let socketFD = socket.fileDescriptor
        while true {
            readRequests()
            // Handlers started above run here, on this thread; what they finish is answered at once.
            executor.runQueued()
            processCommands()
            expire()
            if draining != nil, inFlight.isEmpty, drainedAt == nil {
                drainedAt = monotonicNanos()
            }
            let now = monotonicNanos()
            if let draining, now >= draining.until || drainedAt.map({ now >= $0 + Self.settleNanos }) ?? false {
                for key in Array(inFlight.keys) {
                    inFlight[key]?.task.cancel()
                    complete(key, .failure(PaygentError(.unavailable, "\(serviceName) is shutting down")))
                }
                socket.close(lingerMillis: 500)
                draining.done.resume()
                return
            }
            // Receive last, right before sleeping: a send above may have taken the socket's
            // edge-triggered signal, but a receive attempt sees any request queued.
            if readRequests() || executor.hasJobs || !mailbox.isEmpty { continue }
            let ready = pollReadable([socketFD, mailbox.fd], timeoutMillis: pollTimeout())
            if ready[1] { mailbox.clearWake() }
        }
    }

    private func processCommands() {
        guard !mailbox.isEmpty else { return }
        for command in mailbox.drain(clearWake: false) {
            switch command {
            case .completed(let key, let result): complete(key, result)
            case .shutdown(let grace, let done):
                draining = (monotonicNanos() + UInt64(max(0, grace.nanoseconds)), done)
            }
        }
    }

    private func pollTimeout() -> Int {
        var next = min(draining?.until ?? UInt64.max, drainedAt.map { $0 + Self.settleNanos } ?? UInt64.max)
        for call in inFlight.values {
            if let deadline = call.deadline { next = min(next, deadline) }
        }
        guard next != UInt64.max else { return -1 }
        let now = monotonicNanos()
        return next <= now ? 0 : Int((next - now + 999_999) / 1_000_000)
    }

    /// Reads a bounded batch of requests, so that replies are not starved by a flood of them.
    /// Returns true if it read any.
    @discardableResult
    private func readRequests() -> Bool {
        for round in 0..<256 {
            let received: ZMQSocket.Received?
            do {
                received = try socket.receive(maxFrames: 3)
            } catch {
                noisy.warning(logger, "receive", "receive failed", ["error": "\(error)"])
                return round > 0
            }
            guard let received else { return round > 0 }
            handle(received)
        }
        return true
    }

    private func handle(_ received: ZMQSocket.Received) {
        let frames = received.frames
        guard frames.count >= 2 else {
            drop("frames", "message with too few frames dropped", ["frames": "\(frames.count)"])
            return
        }
        let identity = frames[0]
        let envelope: Envelope
        do {
            envelope = try Envelope(decoding: frames[1])
        } catch {
            drop("envelope", "unreadable envelope dropped", ["error": "\(error)"])
            return
        }
        let key = RouteKey(identity: identity, requestID: envelope.requestID)
        switch envelope.kind {
        case .request:
            break
        case .heartbeat:
            send(key, Envelope(kind: .heartbeat, requestID: envelope.requestID, method: ""), body: [], counted: false)
            return
        default:
            drop("kind", "message of kind \(envelope.kind) dropped; a server takes requests", [:])
            return
        }
        guard frames.count == 3, received.extraFrames == 0 else {
            let count = frames.count - 1 + received.extraFrames
            noisy.warning(logger, "frames", "request with the wrong number of frames", ["frames": "\(count)"])
            fail(key, envelope, PaygentError(
                .malformedMessage, "a request has 2 frames (envelope, body); this one had \(count)"))
            return
        }
        let body = frames[2]
        guard body.count <= options.limits.maxMessageBytes else {
            fail(key, envelope, PaygentError(.malformedMessage, "request body of \(body.count) bytes is too large"))
            return
        }
        if draining != nil {
            fail(key, envelope, PaygentError(.unavailable, "\(serviceName) is shutting down; retry shortly"))
            return
        }
        guard let handler = handlers[envelope.method] else {
            noisy.warning(logger, "method", "request for an unknown method", ["rpc.method": "\(envelope.method)"])
            fail(key, envelope, PaygentError(.unknownMethod, "\(serviceName) has no method '\(envelope.method)'"))
            return
        }
        guard inFlight[key] == nil else {
            fail(key, envelope, PaygentError(.badRequest, "request id \(envelope.requestID) is already in flight"))
            return
        }
        guard inFlight.count < options.maxInFlight else {
            fail(key, envelope, PaygentError(.unavailable, "\(serviceName) is at capacity; retry shortly"))
            return
        }
        let now = monotonicNanos()
        let deadline = envelope.deadlineMillis > 0 ? now + UInt64(envelope.deadlineMillis) * 1_000_000 : nil

        var cacheKey: String?
        var fingerprint = 0
        if let idempotencyKey = envelope.idempotencyKey {
            let cached = IdempotencyCache.key(method: envelope.method, idempotencyKey: idempotencyKey)
            fingerprint = IdempotencyCache.fingerprint(body)
            // A key names one request: the same key with other contents is a mistake or an
            // attack, and is refused rather than answered with another request's reply.
            if let stored = cache.lookup(cached, now: now) {
                guard stored.requestFingerprint == fingerprint else { return failReused(key, envelope.method, envelope.traceID) }
                replay(key, stored, traceID: envelope.traceID, replayed: true)
                return
            }
            if let running = waiting[cached] {
                guard running.body == fingerprint else { return failReused(key, envelope.method, envelope.traceID) }
                waiting[cached]?.callers.append((key, envelope.traceID))
                return
            }
            waiting[cached] = (fingerprint, [])
            cacheKey = cached
        }

        let requestContext = RequestContext(
            method: envelope.method, requestID: envelope.requestID, deadlineNanos: deadline,
            idempotencyKey: envelope.idempotencyKey, traceID: envelope.traceID, serviceLogger: logger)
        let mailbox = self.mailbox
        let executor = self.executor
        let operation: @Sendable () async -> Void = {
            let result: Result<[UInt8], PaygentError>
            do throws(PaygentError) {
                result = .success(try await handler.run(body, requestContext))
            } catch {
                result = .failure(error)
            }
            mailbox.post(.completed(key, result), wake: !executor.isCurrent)
        }
        let task = switch handler.placement {
        case .loop: Task(executorPreference: executor, operation: operation)
        case .parallel: Task(operation: operation)
        case .loopWhenIdle:
            inFlight.isEmpty ? Task(executorPreference: executor, operation: operation) : Task(operation: operation)
        }
        inFlight[key] = InFlight(
            method: envelope.method, deadline: deadline, task: task, cacheKey: cacheKey, fingerprint: fingerprint,
            traceID: envelope.traceID)
        stats.setInFlight(inFlight.count)
    }

    private func complete(_ key: RouteKey, _ result: Result<[UInt8], PaygentError>) {
        guard let call = inFlight.removeValue(forKey: key) else { return }
        stats.setInFlight(inFlight.count)
        let stored: IdempotencyCache.Stored
        switch result {
        case .success(let body):
            stored = .init(kind: .reply, body: body, at: monotonicNanos(), requestFingerprint: call.fingerprint)
        case .failure(let error):
            stored = .init(
                kind: .error, errorCode: error.code, errorMessage: error.message, body: [], at: monotonicNanos(),
                requestFingerprint: call.fingerprint)
        }
        replay(key, stored, traceID: call.traceID, replayed: false)
        if let cacheKey = call.cacheKey {
            if IdempotencyCache.isCacheable(stored.errorCode) {
                cache.store(cacheKey, stored)
            }
            for (waiter, traceID) in waiting.removeValue(forKey: cacheKey)?.callers ?? [] {
                replay(waiter, stored, traceID: traceID, replayed: true)
            }
        }
    }

    private func expire() {
        let now = monotonicNanos()
        for (key, call) in inFlight {
            if let deadline = call.deadline, now >= deadline {
                call.task.cancel()
                complete(key, .failure(PaygentError(.deadlineExceeded, "\(call.method) did not finish before its deadline")))
            }
        }
    }

    /// Sends a reply: the handler's own (`replayed` false) or one answered from the record of
    /// an earlier request with the same idempotency key.
    private func replay(_ key: RouteKey, _ stored: IdempotencyCache.Stored, traceID: [UInt8]?, replayed: Bool) {
        let envelope = Envelope(
            kind: stored.kind, requestID: key.requestID, method: "", traceID: traceID, errorCode: stored.errorCode,
            errorMessage: stored.errorMessage, replayed: replayed)
        send(key, envelope, body: stored.body, counted: true)
    }

    private func failReused(_ key: RouteKey, _ method: String, _ traceID: [UInt8]?) {
        fail(
            key, method,
            PaygentError(.conflict, "this idempotency key was already used for a different \(method) request; use a new key for a new request"),
            traceID: traceID)
    }

    /// Answers a request with an error before running it, echoing its trace id.
    private func fail(_ key: RouteKey, _ request: Envelope, _ error: PaygentError) {
        fail(key, request.method, error, traceID: request.traceID)
    }

    private func fail(_ key: RouteKey, _ method: String, _ error: PaygentError, traceID: [UInt8]? = nil) {
        let envelope = Envelope(
            kind: .error, requestID: key.requestID, method: "", traceID: traceID, errorCode: error.code, errorMessage: error.message)
        send(key, envelope, body: [], counted: true)
    }

    private func send(_ key: RouteKey, _ envelope: Envelope, body: [UInt8], counted: Bool) {
        // Counted before sending, so a caller that reads `health` after its reply sees it.
        if counted { stats.replied(error: envelope.kind == .error) }
        do {
            // A caller that has gone away is silently skipped by ROUTER.
            _ = try socket.send([key.identity, envelope.encoded(), body])
        } catch {
            noisy.warning(logger, "send", "reply could not be sent", ["error": "\(error)"])
        }
    }


    private func drop(_ kind: String, _ message: Logger.Message, _ metadata: Logger.Metadata) {
        stats.droppedOne()
        noisy.warning(logger, kind, message, metadata)
    }
}
