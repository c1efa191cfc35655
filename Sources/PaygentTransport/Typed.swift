import PaygentWire

extension RPCServer {
    /// Registers the handler for a method of the service's catalog. The request is decoded
    /// (a bad one is answered `bad_request` saying what was wrong) and the reply encoded.
    ///
    /// The default placement is the shared pool, so that a handler that blocks (a SQLite write)
    /// never stalls the socket thread; handlers that only compute for microseconds may ask for
    /// `.loop` or `.loopWhenIdle`.
    public func register<Request, Reply>(
        _ method: RPCMethod<Request, Reply>, placement: HandlerPlacement = .parallel,
        _ handler: @escaping @Sendable (Request, RequestContext) async throws -> Reply
    ) {
        register(method.name, placement: placement, handler)
    }
}

/// A reply of one method's type, already encoded: only `RPCMethod.encode` makes one, so the
/// bytes are always a valid encoding of `Reply`.
public struct EncodedReply<Reply>: Sendable {
    public let bytes: [UInt8]
    fileprivate init(bytes: [UInt8]) { self.bytes = bytes }
}

extension RPCMethod {
    /// Encodes a reply of this method for `registerEncoded`.
    public func encode(_ reply: Reply) throws(PaygentError) -> EncodedReply<Reply> {
        do {
            return EncodedReply(bytes: try BinaryEncoder().encode(reply))
        } catch {
            throw PaygentError(.internal, "\(name) produced a reply that could not be encoded", cause: error)
        }
    }
}

extension RPCClient {
    /// Calls a method of a service's catalog. Whether the call is sent again after a dropped
    /// connection comes from the method: reads and idempotent writes are; other writes only with
    /// an `idempotencyKey`, which the service remembers.
    public func call<Request, Reply>(
        _ method: RPCMethod<Request, Reply>, _ request: Request, deadline: Duration? = nil,
        idempotencyKey: String? = nil, traceID: [UInt8]? = nil
    ) async throws(PaygentError) -> Reply {
        try await call(
            method.name, request, as: Reply.self, deadline: deadline, idempotencyKey: idempotencyKey,
            idempotent: method.effect.retrySafe, traceID: traceID)
    }
}

extension Publisher {
    /// Publishes an event whose topic has no placeholders.
    public func publish<Body>(_ event: EventTopic<Body>, _ body: Body) {
        precondition(!event.topic.contains("<"), "\(event.topic) is a pattern: publish(_:topic:_:) fills it")
        publish(event.topic, body)
    }

    /// Publishes an event under `topic`, which must fill the event's pattern.
    public func publish<Body>(_ event: EventTopic<Body>, topic: String, _ body: Body) {
        precondition(event.matches(topic), "\(topic) is not a \(event.topic) topic")
        publish(topic, body)
    }
}

extension Event {
    /// The body as `event`'s type, or nil when the topic is not that event's.
    public func decode<Body>(_ event: EventTopic<Body>, limits: WireLimits = .default) throws(WireError) -> Body? {
        guard event.matches(topic) else { return nil }
        return try decode(Body.self, limits: limits)
    }
}
