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
    /// On the server's thread when no other request is in flight, so that a lone request is
    /// answered with no hand-off; on the shared pool when others are, so that under load
    /// handlers run in parallel (and, say, ledger writes arriving together share a commit). For
    /// handlers that take well under a millisecond but compute or block while they run.
    case loopWhenIdle
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

    /// The names of the methods registered so far, sorted.
    public var methodNames: [String] { handlers.withLock { $0.keys.sorted() } }

    /// The endpoint bound (with the real port when `*` was asked for); nil before `start`.
    public var endpoint: String? { boundEndpoint.withLock { $0 } }

    /// Registers a handler on raw bytes. Register every method before `start`.
    public func registerRaw(_ method: String, placement: HandlerPlacement = .loop, _ handler: @escaping RawHandler) {
        handlers.withLock { $0[method] = RegisteredHandler(run: handler, placement: placement) }
    }

    /// Registers a typed handler: the request is decoded (a bad one is answered `bad_request`
    /// with what was wrong) and the reply encoded. Errors other than `PaygentError` (and
    /// `PaygentErrorConvertible`) become `internal`, with details in the log only. Services
    /// register through a method's descriptor; this untyped form is for the transport's own tests
    /// and benchmarks.
    package func register<Request: Decodable & SendableMetatype, Reply: Encodable & SendableMetatype>(
        _ method: String, placement: HandlerPlacement = .loop,
        _ handler: @escaping @Sendable (Request, RequestContext) async throws -> Reply
    ) {
        let limits = options.limits
        registerDecoding(method, placement: placement) { (request: Request, context) in
            let reply = try await handler(request, context)
            do {
                return try BinaryEncoder(limits: limits).encode(reply)
            } catch {
                context.logger.error("reply encoding failed", metadata: ["error": "\(error)"])
                throw PaygentError(.internal, "\(method) produced a reply that could not be encoded", cause: error)
            }
        }
    }

    /// Registers a handler that answers with its reply already encoded (by `RPCMethod.encode`),
    /// so that an answer kept in a cache costs no encoding when it is served again.
    public func registerEncoded<Request, Reply>(
        _ method: RPCMethod<Request, Reply>, placement: HandlerPlacement = .parallel,
        _ handler: @escaping @Sendable (Request, RequestContext) async throws -> EncodedReply<Reply>
    ) {
        registerDecoding(method.name, placement: placement) { (request: Request, context) in try await handler(request, context).bytes }
    }

    /// The one way a typed handler runs: the request is decoded (a bad one is answered
    /// `bad_request` with what was wrong), and the handler's errors become wire errors.
    private func registerDecoding<Request: Decodable & SendableMetatype>(
        _ method: String, placement: HandlerPlacement,
        _ respond: @escaping @Sendable (Request, RequestContext) async throws -> [UInt8]
    ) {
        let limits = options.limits
        registerRaw(method, placement: placement) { (body, context) throws(PaygentError) -> [UInt8] in
            let request: Request
            do {
                request = try BinaryDecoder(limits: limits).decode(Request.self, from: body)
            } catch {
                throw PaygentError(.badRequest, "invalid \(method) request: \(error)", cause: error)
            }
            do {
                return try await respond(request, context)
            } catch let error as PaygentError {
                throw error
            } catch let error as any PaygentErrorConvertible {
                throw error.paygentError
            } catch is CancellationError {
                throw PaygentError(.cancelled, "\(method) was cancelled")
            } catch {
                context.logger.error("handler failed", metadata: ["error": "\(error)"])
                throw PaygentError(
                    .internal, "\(method) failed inside the service (request \(context.requestID)); see its log",
                    cause: error)
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
