import CZeroMQ
import Foundation
import Logging
import PaygentWire
import Synchronization

public struct RPCServerOptions: Sendable {
    public var limits: WireLimits = .default
    /// CURVE: this server's secret key (Z85) to require encrypted links.
    public var curveSecretKey: String?
    /// Most requests handled at once; beyond it new requests get `unavailable` (back-pressure).
    public var maxInFlight: Int = 4096

    public init() {}
}

/// Where a handler runs.
public enum HandlerPlacement: Sendable {
    /// On the server's own thread (the default): no thread hand-off, so the lowest latency.
    /// Handlers interleave at their suspension points. For handlers that mostly await or finish
    /// in microseconds.
    case loop
    /// On the shared concurrency pool, in parallel with other requests: for handlers that burn
    /// CPU (signature checks) or block (synchronous database writes).
    case parallel
}

/// Serves typed handlers on a ROUTER socket.
///
/// One thread owns the socket: it reads requests, answers what it can itself (unknown method,
/// malformed request, deadline passed, shutting down) and runs each handler as its own task, so
/// handlers run concurrently. Replies come back to the thread through a mailbox.
public final class RPCServer: Sendable {
    public let serviceName: String
    public let stats = ServerStats()
    private let requestedEndpoint: String
    private let context: ZMQContext
    private let options: RPCServerOptions
    private let logger: Logger
    private let handlers = Mutex<[String: RegisteredHandler]>([:])
    private let mailbox = Mailbox<ServerCommand>()
    private let boundEndpoint = Mutex<String?>(nil)

    public init(
        endpoint: String, serviceName: String, context: ZMQContext,
        options: RPCServerOptions = RPCServerOptions(), logger: Logger
    ) {
        requestedEndpoint = endpoint
        self.serviceName = serviceName
        self.context = context
        self.options = options
        self.logger = logger
    }

    /// The endpoint bound (with the real port when `*` was asked for); nil before `start`.
    public var endpoint: String? { boundEndpoint.withLock { $0 } }

    /// Registers a handler on raw bytes. Register every method before `start`.
    public func registerRaw(_ method: String, placement: HandlerPlacement = .loop, _ handler: @escaping RawHandler) {
        handlers.withLock { $0[method] = RegisteredHandler(run: handler, placement: placement) }
    }

    /// Registers a typed handler: the request is decoded (a bad one is answered `bad_request`
    /// with what was wrong) and the reply encoded. Errors other than `PaygentError` become
    /// `internal`, with details in the log only.
    public func register<Request: Decodable & SendableMetatype, Reply: Encodable & SendableMetatype>(
        _ method: String, placement: HandlerPlacement = .loop,
        _ handler: @escaping @Sendable (Request, RequestContext) async throws -> Reply
    ) {
        let limits = options.limits
        registerRaw(method, placement: placement) { (body, context) throws(PaygentError) -> [UInt8] in
            let request: Request
            do {
                request = try BinaryDecoder(limits: limits).decode(Request.self, from: body)
            } catch {
                throw PaygentError(.badRequest, "invalid \(method) request: \(error)", cause: error)
            }
            let reply: Reply
            do {
                reply = try await handler(request, context)
            } catch let error as PaygentError {
                throw error
            } catch is CancellationError {
                throw PaygentError(.cancelled, "\(method) was cancelled")
            } catch {
                context.logger.error("handler failed", metadata: ["error": "\(error)"])
                throw PaygentError(
                    .internal, "\(method) failed inside the service (request \(context.requestID)); see its log",
                    cause: error)
            }
            do {
                return try BinaryEncoder(limits: limits).encode(reply)
            } catch {
                context.logger.error("reply encoding failed", metadata: ["error": "\(error)"])
                throw PaygentError(.internal, "\(method) produced a reply that could not be encoded", cause: error)
            }
        }
    }

    /// Binds and starts serving. Returns the bound endpoint.
    @discardableResult
    public func start() throws(ZMQError) -> String {
        let socket = try ZMQSocket(context, type: .router)
        try socket.setHighWaterMarks(send: 100_000, receive: 100_000)
        try socket.setMaxMessageSize(Int64(options.limits.maxMessageBytes) + 4096)
        try socket.setHeartbeat(intervalMillis: 1000, timeoutMillis: 3000)
        if let key = options.curveSecretKey {
            try socket.setCurveServer(secretKey: key)
        }
        try socket.bind(requestedEndpoint)
        let bound = socket.lastEndpoint
        boundEndpoint.withLock { $0 = bound }
        let loop = ServerLoop(
            socket: socket, serviceName: serviceName, handlers: handlers.withLock { $0 }, mailbox: mailbox,
            options: options, logger: logger, stats: stats)
        let box = UnsafeTransfer(loop)
        startThread(named: "rpc-server \(serviceName)") { box.value.run() }
        return bound
    }

    /// Stops taking requests (new ones get `unavailable`), lets in-flight ones finish for up to
    /// `grace`, then closes the socket with a bounded linger.
    public func shutdown(grace: Duration = .seconds(5)) async {
        guard endpoint != nil else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            mailbox.post(.shutdown(grace: grace, done: continuation))
        }
    }
}

struct RegisteredHandler: Sendable {
    let run: RawHandler
    let placement: HandlerPlacement
}

/// Moves a non-Sendable value into the one thread that will own it.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

enum ServerCommand: Sendable {
    case completed(RouteKey, Result<[UInt8], PaygentError>)
    case shutdown(grace: Duration, done: CheckedContinuation<Void, Never>)
}

/// A caller: the ROUTER identity of its connection and its request id.
struct RouteKey: Hashable, Sendable {
    let identity: [UInt8]
    let requestID: UInt64
}

private final class ServerLoop {
    struct InFlight {
        let method: String
        let deadline: UInt64?
        let task: Task<Void, Never>
        let cacheKey: String?
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
    /// Callers waiting on a request with the same idempotency key that is still running.
    var waiting: [String: [RouteKey]] = [:]
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
            fail(key, envelope.method, PaygentError(
                .malformedMessage, "a request has 2 frames (envelope, body); this one had \(count)"))
            return
        }
        let body = frames[2]
        guard body.count <= options.limits.maxMessageBytes else {
            fail(key, envelope.method, PaygentError(.malformedMessage, "request body of \(body.count) bytes is too large"))
            return
        }
        if draining != nil {
            fail(key, envelope.method, PaygentError(.unavailable, "\(serviceName) is shutting down; retry shortly"))
            return
        }
        guard let handler = handlers[envelope.method] else {
            noisy.warning(logger, "method", "request for an unknown method", ["rpc.method": "\(envelope.method)"])
            fail(key, envelope.method, PaygentError(.unknownMethod, "\(serviceName) has no method '\(envelope.method)'"))
            return
        }
        guard inFlight[key] == nil else {
            fail(key, envelope.method, PaygentError(.badRequest, "request id \(envelope.requestID) is already in flight"))
            return
        }
        guard inFlight.count < options.maxInFlight else {
            fail(key, envelope.method, PaygentError(.unavailable, "\(serviceName) is at capacity; retry shortly"))
            return
        }
        let now = monotonicNanos()
        let deadline = envelope.deadlineMillis > 0 ? now + UInt64(envelope.deadlineMillis) * 1_000_000 : nil

        var cacheKey: String?
        if let idempotencyKey = envelope.idempotencyKey {
            let cached = IdempotencyCache.key(method: envelope.method, idempotencyKey: idempotencyKey)
            if let stored = cache.lookup(cached, now: now) {
                replay(key, stored)
                return
            }
            if waiting[cached] != nil {
                waiting[cached, default: []].append(key)
                return
            }
            waiting[cached] = []
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
        }
        inFlight[key] = InFlight(method: envelope.method, deadline: deadline, task: task, cacheKey: cacheKey)
        stats.setInFlight(inFlight.count)
    }

    private func complete(_ key: RouteKey, _ result: Result<[UInt8], PaygentError>) {
        guard let call = inFlight.removeValue(forKey: key) else { return }
        stats.setInFlight(inFlight.count)
        let stored: IdempotencyCache.Stored
        switch result {
        case .success(let body):
            stored = .init(kind: .reply, body: body, at: monotonicNanos())
        case .failure(let error):
            stored = .init(kind: .error, errorCode: error.code, errorMessage: error.message, body: [], at: monotonicNanos())
        }
        replay(key, stored)
        if let cacheKey = call.cacheKey {
            if IdempotencyCache.isCacheable(stored.errorCode) {
                cache.store(cacheKey, stored)
            }
            for waiter in waiting.removeValue(forKey: cacheKey) ?? [] {
                replay(waiter, stored)
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

    private func replay(_ key: RouteKey, _ stored: IdempotencyCache.Stored) {
        let envelope = Envelope(
            kind: stored.kind, requestID: key.requestID, method: "", errorCode: stored.errorCode,
            errorMessage: stored.errorMessage)
        send(key, envelope, body: stored.body, counted: true)
    }

    private func fail(_ key: RouteKey, _ method: String, _ error: PaygentError) {
        let envelope = Envelope(
            kind: .error, requestID: key.requestID, method: "", errorCode: error.code, errorMessage: error.message)
        send(key, envelope, body: [], counted: true)
    }

    private func send(_ key: RouteKey, _ envelope: Envelope, body: [UInt8], counted: Bool) {
        do {
            // A caller that has gone away is silently skipped by ROUTER.
            _ = try socket.send([key.identity, envelope.encoded(), body])
            if counted { stats.replied(error: envelope.kind == .error) }
        } catch {
            noisy.warning(logger, "send", "reply could not be sent", ["error": "\(error)"])
        }
    }

    private func drop(_ kind: String, _ message: Logger.Message, _ metadata: Logger.Metadata) {
        stats.droppedOne()
        noisy.warning(logger, kind, message, metadata)
    }
}
