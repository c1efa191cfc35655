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
/// The socket is guarded by a lock rather than confined to one thread: a caller sends its request
/// itself, with no hand-off, and an I/O thread sleeps on the socket's file descriptor (outside the
/// lock) to collect replies, watch the connection and enforce deadlines. When the connection
/// drops, calls that are safe to repeat are sent again once it is back (until their deadline);
/// others fail with `unavailable` at once, because they may or may not have been applied.
public final class RPCClient: Sendable {
    public let endpoint: String
    public let serviceName: String
    private let core: ClientCore
    private let nextID = Atomic<UInt64>(1)
    private let options: RPCClientOptions

    public init(
        endpoint: String, serviceName: String? = nil, context: ZMQContext,
        options: RPCClientOptions = RPCClientOptions()
    ) throws(ZMQError) {
        self.endpoint = endpoint
        self.serviceName = serviceName ?? endpoint
        self.options = options
        let core = try ClientCore(endpoint: endpoint, serviceName: self.serviceName, context: context, options: options)
        self.core = core
        startThread(named: "rpc-client \(self.serviceName)") { core.run() }
    }

    deinit {
        core.close()
    }

    /// The client's I/O thread as a task executor. Code that makes many calls can run there
    /// (`Task(executorPreference: client.executor)`, `withTaskExecutorPreference`): its requests
    /// are sent and its replies delivered on that one thread, with no hand-off between threads,
    /// which saves a context switch per call. Keep such code light: it shares the thread with
    /// the socket.
    public var executor: any TaskExecutor { core.executor }

    /// Stops the client; calls still in flight fail with `unavailable`.
    public func close() {
        core.close()
    }

    /// Calls `method` with `request` and decodes the reply as `Reply`. Services and front doors
    /// call through a method's descriptor (`call(_:_:)` with an `RPCMethod`), whose effect decides
    /// retries; this untyped form is for the transport's own tests and benchmarks.
    ///
    /// - Parameters:
    ///   - deadline: how long to wait in all, retries included.
    ///   - idempotencyKey: for state-changing calls; the server answers a retry with the same key
    ///     from its record instead of applying it twice. Implies `idempotent`.
    ///   - idempotent: the call is safe to repeat (reads), so it is retried after a lost connection.
    package func call<Request: Encodable, Reply: Decodable>(
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
        let core = self.core
        let result: Result<RawReply, PaygentError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                core.submit(PendingCall(
                    id: id, method: method, envelope: envelope, body: body,
                    deadline: now + budgetNanos, connectDeadline: now + min(budgetNanos, waitNanos),
                    idempotent: idempotent, budget: budget, continuation: continuation))
            }
        } onCancel: {
            core.cancel(id)
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
    /// The duration in whole nanoseconds, for deadlines on the monotonic clock.
    package var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
