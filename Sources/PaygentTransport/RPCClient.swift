import CZeroMQ
import Foundation
import Logging
import PaygentWire
import Synchronization

/// How an `RPCClient` behaves; the defaults suit local services.
public struct RPCClientOptions: Sendable {
    /// Deadline for calls that do not give one.
    public var defaultDeadline: Duration = .seconds(5)
    /// How long a call waits for a connection before it fails with `unavailable`, bounded by its
    /// deadline. Covers a service that is starting; a service that is down fails this fast.
    public var connectWait: Duration = .milliseconds(1500)
    public var limits: WireLimits = .default
    /// CURVE: the server's public key, and this client's key pair (Z85), to encrypt the link.
    public var curve: (serverKey: String, publicKey: String, secretKey: String)?

    public init() {}
}

/// A reply as received: its envelope and body bytes, before decoding.
public struct RawReply: Sendable {
    public var envelope: Envelope
    public var body: [UInt8]
}

/// Calls one service over a DEALER socket: async/await, a deadline per call, many calls in flight
/// on one connection, retries for idempotent calls, and a typed error instead of a hang when the
/// service is down.
///
/// One thread owns the socket. Callers hand it calls through a mailbox; it matches replies to
/// callers by request id. When the connection drops, calls that are safe to repeat are sent again
/// once it is back (until their deadline); others fail with `unavailable` at once, because they
/// may or may not have been applied.
public final class RPCClient: Sendable {
    public let endpoint: String
    public let serviceName: String
    private let mailbox = Mailbox<ClientCommand>()
    private let nextID = Atomic<UInt64>(1)
    private let options: RPCClientOptions

    public init(
        endpoint: String, serviceName: String? = nil, context: ZMQContext,
        options: RPCClientOptions = RPCClientOptions()
    ) throws(ZMQError) {
        self.endpoint = endpoint
        self.serviceName = serviceName ?? endpoint
        self.options = options
        let loop = try ClientLoop(
            endpoint: endpoint, serviceName: self.serviceName, context: context, mailbox: mailbox,
            options: options)
        startThread(named: "rpc-client \(self.serviceName)") { loop.run() }
    }

    deinit {
        mailbox.post(.close)
    }

    /// Stops the client; calls still in flight fail with `unavailable`.
    public func close() {
        mailbox.post(.close)
    }

    /// Calls `method` with `request` and decodes the reply as `Reply`.
    ///
    /// - Parameters:
    ///   - deadline: how long to wait in all, retries included.
    ///   - idempotencyKey: for state-changing calls; the server answers a retry with the same key
    ///     from its record instead of applying it twice. Implies `idempotent`.
    ///   - idempotent: the call is safe to repeat (reads), so it is retried after a lost connection.
    public func call<Request: Encodable, Reply: Decodable>(
        _ method: String, _ request: Request, as reply: Reply.Type = Reply.self,
        deadline: Duration? = nil, idempotencyKey: String? = nil, idempotent: Bool = false,
        traceID: [UInt8]? = nil
    ) async throws(PaygentError) -> Reply {
        let body: [UInt8]
        do {
            body = try BinaryEncoder(limits: options.limits).encode(request)
        } catch {
            throw PaygentError(.badRequest, "could not encode the \(method) request: \(error)", cause: error)
        }
        let raw = try await callRaw(
            method, body: body, deadline: deadline, idempotencyKey: idempotencyKey,
            idempotent: idempotent || idempotencyKey != nil, traceID: traceID)
        do {
            return try BinaryDecoder(limits: options.limits).decode(Reply.self, from: raw.body)
        } catch {
            throw PaygentError(
                .malformedMessage, "\(serviceName) sent a \(method) reply this client cannot read: \(error)",
                cause: error)
        }
    }

    /// Sends pre-encoded body bytes; returns the raw reply or throws the service's error.
    public func callRaw(
        _ method: String, body: [UInt8], deadline: Duration? = nil, idempotencyKey: String? = nil,
        idempotent: Bool = false, traceID: [UInt8]? = nil
    ) async throws(PaygentError) -> RawReply {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        let budget = deadline ?? options.defaultDeadline
        let now = monotonicNanos()
        let budgetNanos = UInt64(max(0, budget.nanoseconds))
        let waitNanos = UInt64(max(0, options.connectWait.nanoseconds))
        let envelope = Envelope(
            kind: .request, requestID: id, method: method, deadlineMillis: 0,
            idempotencyKey: idempotencyKey, traceID: traceID)
        let result: Result<RawReply, PaygentError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let call = PendingCall(
                    id: id, method: method, envelope: envelope, body: body,
                    deadline: now + budgetNanos, connectDeadline: now + min(budgetNanos, waitNanos),
                    idempotent: idempotent, budget: budget, continuation: continuation)
                if !mailbox.post(.call(call)) {
                    continuation.resume(returning: .failure(PaygentError(.resourceExhausted, "too many calls queued")))
                }
            }
        } onCancel: {
            mailbox.post(.cancel(id))
        }
        let reply = try result.get()
        if reply.envelope.kind == .error {
            throw PaygentError(
                reply.envelope.errorCode ?? .internal, reply.envelope.errorMessage ?? "\(serviceName) failed")
        }
        return reply
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

enum ClientCommand: Sendable {
    case call(PendingCall)
    case cancel(UInt64)
    case close
}

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

/// The state owned by the client's socket thread.
private final class ClientLoop: @unchecked Sendable {
    let endpoint: String
    let serviceName: String
    let socket: ZMQSocket
    let monitor: ZMQSocket
    let mailbox: Mailbox<ClientCommand>
    let limits: WireLimits
    var pending: [UInt64: PendingCall] = [:]
    /// Ids of calls waiting for a connection, oldest first.
    var unsent: [UInt64] = []
    var connected = false
    var everConnected = false

    init(
        endpoint: String, serviceName: String, context: ZMQContext, mailbox: Mailbox<ClientCommand>,
        options: RPCClientOptions
    ) throws(ZMQError) {
        self.endpoint = endpoint
        self.serviceName = serviceName
        self.mailbox = mailbox
        self.limits = options.limits
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
    }

    func run() {
        while true {
            let timeout = pollTimeout()
            guard let ready = try? zmqPoll(
                [.socket(socket), .socket(monitor), .fd(mailbox.fd)], timeoutMillis: timeout)
            else { break }
            // Replies first: a reply sent just before the server closed must not be lost to the
            // disconnect event that follows it.
            if ready[0] { readReplies() }
            if ready[1] { readReplies(); readMonitor() }
            if ready[2] {
                var closing = false
                for command in mailbox.drain() {
                    switch command {
                    case .call(let call): start(call)
                    case .cancel(let id): finish(id, .failure(PaygentError(.cancelled, "call cancelled by the caller")))
                    case .close: closing = true
                    }
                }
                if closing { break }
            }
            expire()
        }
        for id in Array(pending.keys) {
            finish(id, .failure(PaygentError(.unavailable, "the client for \(serviceName) was closed")))
        }
        socket.close()
        monitor.close()
    }

    /// Milliseconds until the next deadline, or a short retry tick while calls await a connection.
    private func pollTimeout() -> Int {
        guard !pending.isEmpty else { return -1 }
        let now = monotonicNanos()
        var next = UInt64.max
        for call in pending.values {
            next = min(next, call.sent ? call.deadline : min(call.deadline, call.connectDeadline))
        }
        var millis = next <= now ? 0 : Int((next - now + 999_999) / 1_000_000)
        if !unsent.isEmpty { millis = min(millis, 20) }
        return millis
    }

    private func start(_ call: PendingCall) {
        pending[call.id] = call
        if !trySend(call.id) {
            unsent.append(call.id)
        }
    }

    /// Sends a pending call now, with the time it has left. False if no connection takes it.
    private func trySend(_ id: UInt64) -> Bool {
        guard var call = pending[id] else { return true }
        let now = monotonicNanos()
        guard now < call.deadline else { return true }
        call.envelope.deadlineMillis = UInt32(min(UInt64(UInt32.max), (call.deadline - now) / 1_000_000))
        do {
            guard try socket.send([call.envelope.encoded(), call.body]) else { return false }
        } catch {
            finish(id, .failure(PaygentError(.unavailable, "could not send to \(serviceName): \(error)", cause: error)))
            return true
        }
        call.sent = true
        pending[id] = call
        return true
    }

    private func flushUnsent() {
        var still: [UInt64] = []
        for id in unsent where pending[id] != nil {
            if !still.isEmpty || !trySend(id) { still.append(id) }
        }
        unsent = still
    }

    private func readReplies() {
        while let received = try? socket.receive(maxFrames: 2) {
            guard received.frames.count == 2, received.extraFrames == 0,
                let envelope = try? Envelope(decoding: received.frames[0]),
                envelope.kind == .reply || envelope.kind == .error
            else { continue }
            finish(envelope.requestID, .success(RawReply(envelope: envelope, body: received.frames[1])))
        }
    }

    private func readMonitor() {
        while let received = try? monitor.receive(maxFrames: 2) {
            guard let first = received.frames.first, first.count >= 2 else { continue }
            let event = Int32(first[0]) | Int32(first[1]) << 8
            switch event {
            case ZMQEvent.handshakeSucceeded:
                connected = true
                everConnected = true
                flushUnsent()
            case ZMQEvent.disconnected:
                connected = false
                connectionLost()
            default:
                break
            }
        }
        if !unsent.isEmpty { flushUnsent() }
    }

    /// Calls in flight on a lost connection: repeatable ones wait to be sent again, the rest
    /// fail now because they may or may not have been applied.
    private func connectionLost() {
        for (id, call) in pending where call.sent {
            if call.idempotent {
                pending[id]?.sent = false
                unsent.append(id)
            } else {
                finish(id, .failure(PaygentError(
                    .unavailable,
                    "lost the connection to \(serviceName) during \(call.method); it may or may not have been applied")))
            }
        }
    }

    private func expire() {
        let now = monotonicNanos()
        if !unsent.isEmpty { flushUnsent() }
        for (id, call) in pending {
            if !call.sent && now >= call.connectDeadline {
                let what = everConnected ? "lost its connection" : "is not reachable"
                finish(id, .failure(PaygentError(
                    .unavailable, "\(serviceName) (\(endpoint)) \(what); is the service running?")))
            } else if now >= call.deadline {
                finish(id, .failure(PaygentError(
                    .deadlineExceeded, "no reply from \(serviceName) to \(call.method) within \(call.budget)")))
            }
        }
    }

    private func finish(_ id: UInt64, _ result: Result<RawReply, PaygentError>) {
        guard let call = pending.removeValue(forKey: id) else { return }
        call.continuation.resume(returning: result)
    }
}
