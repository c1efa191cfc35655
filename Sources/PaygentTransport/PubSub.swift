import CZeroMQ
import Foundation
import Logging
import PaygentWire
import Synchronization

/// Publishes events on a PUB socket: three frames, `[topic][envelope][body]`, so that
/// subscribers filter on the topic frame by prefix (`log.payments.`, `payment.`).
///
/// Any thread may publish; one thread owns the socket. A slow or absent subscriber never
/// blocks the publisher: PUB drops at its high-water mark.
public final class Publisher: Sendable {
    private let mailbox = Mailbox<PublisherCommand>(capacity: 100_000)
    private let boundEndpoint: String
    private let dropped = Atomic<Int>(0)

    public init(endpoint: String, context: ZMQContext, curveSecretKey: String? = nil) throws(ZMQError) {
        let socket = try ZMQSocket(context, type: .pub)
        try socket.setHighWaterMarks(send: 100_000, receive: 1000)
        if let curveSecretKey { try socket.setCurveServer(secretKey: curveSecretKey) }
        try socket.bind(endpoint)
        boundEndpoint = socket.lastEndpoint
        let box = UnsafeTransfer(socket)
        let mailbox = self.mailbox
        startThread(named: "publisher") {
            let socket = box.value
            loop: while true {
                guard let ready = try? zmqPoll([.fd(mailbox.fd)], timeoutMillis: -1), ready[0] else { continue }
                for command in mailbox.drain() {
                    switch command {
                    case .publish(let frames):
                        _ = try? socket.send(frames)
                    case .close(let done):
                        socket.close(lingerMillis: 200)
                        done.resume()
                        break loop
                    }
                }
            }
        }
    }

    /// The endpoint bound (with the real port when `*` was asked for).
    public var endpoint: String { boundEndpoint }

    /// Events not published because the queue was full.
    public var droppedEvents: Int { dropped.load(ordering: .relaxed) }

    /// Publishes `value` under `topic`. Never blocks; drops the event if the queue is full.
    public func publish<T: Encodable>(_ topic: String, _ value: T) {
        guard let body = try? BinaryEncoder().encode(value) else { return }
        publishRaw(topic, body: body)
    }

    public func publishRaw(_ topic: String, body: [UInt8]) {
        let envelope = Envelope(kind: .event, requestID: 0, method: topic)
        if !mailbox.post(.publish([Array(topic.utf8), envelope.encoded(), body])) {
            dropped.add(1, ordering: .relaxed)
        }
    }

    /// Sends what is queued, then closes the socket.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if !mailbox.post(.close(continuation)) { continuation.resume() }
        }
    }
}

enum PublisherCommand: Sendable {
    case publish([[UInt8]])
    case close(CheckedContinuation<Void, Never>)
}

/// One received event.
public struct Event: Sendable {
    public var topic: String
    public var envelope: Envelope
    public var body: [UInt8]

    public func decode<T: Decodable>(_ type: T.Type, limits: WireLimits = .default) throws(WireError) -> T {
        try BinaryDecoder(limits: limits).decode(type, from: body)
    }
}

/// Subscribes to topic prefixes on any number of publishers and delivers events as an
/// `AsyncStream`. Publishers may start before or after it; ZeroMQ reconnects.
public final class Subscriber: Sendable {
    public let events: AsyncStream<Event>
    private let mailbox = Mailbox<Bool>(capacity: 16)

    public init(
        endpoints: [String], prefixes: [String], context: ZMQContext, limits: WireLimits = .default,
        curve: (serverKey: String, publicKey: String, secretKey: String)? = nil
    ) throws(ZMQError) {
        let socket = try ZMQSocket(context, type: .sub)
        try socket.setHighWaterMarks(send: 1000, receive: 100_000)
        try socket.setMaxMessageSize(Int64(limits.maxMessageBytes) + 4096)
        try socket.setReconnect(initialMillis: 50, maxMillis: 1000)
        if let curve {
            try socket.setCurveClient(serverKey: curve.serverKey, publicKey: curve.publicKey, secretKey: curve.secretKey)
        }
        for prefix in prefixes.isEmpty ? [""] : prefixes {
            try socket.subscribe(prefix)
        }
        for endpoint in endpoints {
            try socket.connect(endpoint)
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(100_000))
        events = stream
        let box = UnsafeTransfer(socket)
        let mailbox = self.mailbox
        continuation.onTermination = { _ in mailbox.post(true) }
        startThread(named: "subscriber") {
            let socket = box.value
            loop: while true {
                guard let ready = try? zmqPoll([.socket(socket), .fd(mailbox.fd)], timeoutMillis: -1) else { break }
                if ready[1] && !mailbox.drain().isEmpty { break loop }
                guard ready[0] else { continue }
                while let received = try? socket.receive(maxFrames: 3) {
                    let frames = received.frames
                    guard frames.count == 3, received.extraFrames == 0,
                        let envelope = try? Envelope(decoding: frames[1]), envelope.kind == .event,
                        let topic = String(validating: frames[0], as: UTF8.self)
                    else { continue }
                    continuation.yield(Event(topic: topic, envelope: envelope, body: frames[2]))
                }
            }
            continuation.finish()
            socket.close()
        }
    }

    /// Stops receiving; the stream finishes.
    public func close() {
        mailbox.post(true)
    }
}
