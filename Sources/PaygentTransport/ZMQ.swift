import CZeroMQ
import Foundation

/// A libzmq failure: the call that failed and libzmq's errno and text.
public struct ZMQError: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let errno: Int32

    init(_ operation: String, errno: Int32 = zmq_errno()) {
        self.operation = operation
        self.errno = errno
    }

    public var isAgain: Bool { errno == EAGAIN }
    public var isInterrupted: Bool { errno == EINTR }
    public var description: String {
        "\(operation): \(String(cString: zmq_strerror(errno)))"
    }
}

/// One libzmq context per process; sockets are created from it.
/// Thread-safe (libzmq contexts are); sockets are not.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    public init(ioThreads: Int32 = 1) {
        guard let handle = zmq_ctx_new() else {
            fatalError("zmq_ctx_new failed: \(ZMQError("zmq_ctx_new"))")
        }
        zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
        self.handle = handle
    }

    deinit {
        zmq_ctx_term(handle)
    }

    /// libzmq's version, e.g. "4.3.4".
    public static var libraryVersion: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}

/// The socket types Paygent uses.
public enum ZMQSocketType: Int32, Sendable {
    case pair = 0
    case pub = 1
    case sub = 2
    case dealer = 5
    case router = 6
}

/// A libzmq socket. Not thread-safe: each socket is owned by exactly one thread, which creates,
/// uses and closes it.
public final class ZMQSocket {
    let handle: UnsafeMutableRawPointer
    /// Kept alive while the socket exists: terminating a context waits for its sockets to close,
    /// so a context released before them would block the releasing thread.
    private let context: ZMQContext
    private var closed = false

    public init(_ context: ZMQContext, type: ZMQSocketType) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError("zmq_socket")
        }
        self.handle = handle
        self.context = context
    }

    deinit {
        if !closed { zmq_close(handle) }
    }

    /// Closes the socket, waiting at most `lingerMillis` for unsent messages.
    public func close(lingerMillis: Int32 = 0) {
        guard !closed else { return }
        try? setOption(ZMQ_LINGER, lingerMillis)
        zmq_close(handle)
        closed = true
    }

    public func bind(_ endpoint: String) throws(ZMQError) {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError("bind \(endpoint)") }
    }

    public func connect(_ endpoint: String) throws(ZMQError) {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError("connect \(endpoint)") }
    }

    // MARK: options

    public func setOption(_ option: Int32, _ value: Int32) throws(ZMQError) {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError("setsockopt \(option)")
        }
    }

    public func setOption(_ option: Int32, _ value: Int64) throws(ZMQError) {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQError("setsockopt \(option)")
        }
    }

    public func setOption(_ option: Int32, bytes: [UInt8]) throws(ZMQError) {
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw ZMQError("setsockopt \(option)") }
    }

    public func setOption(_ option: Int32, string: String) throws(ZMQError) {
        try setOption(option, bytes: Array(string.utf8))
    }

    /// High-water marks: messages queued per peer before send blocks or drops (PUB).
    public func setHighWaterMarks(send: Int32, receive: Int32) throws(ZMQError) {
        try setOption(ZMQ_SNDHWM, send)
        try setOption(ZMQ_RCVHWM, receive)
    }

    /// Frames larger than this make libzmq drop the connection before they reach us.
    public func setMaxMessageSize(_ bytes: Int64) throws(ZMQError) {
        try setOption(ZMQ_MAXMSGSIZE, bytes)
    }

    /// Reconnect backoff: starts at `initialMillis`, doubles up to `maxMillis`.
    public func setReconnect(initialMillis: Int32, maxMillis: Int32) throws(ZMQError) {
        try setOption(ZMQ_RECONNECT_IVL, initialMillis)
        try setOption(ZMQ_RECONNECT_IVL_MAX, maxMillis)
    }

    /// Queue messages only to completed connections, so a send to a down peer fails fast.
    public func setImmediate(_ on: Bool) throws(ZMQError) {
        try setOption(ZMQ_IMMEDIATE, Int32(on ? 1 : 0))
    }

    /// ZMTP heartbeats: a silent connection is dropped after `timeoutMillis`.
    public func setHeartbeat(intervalMillis: Int32, timeoutMillis: Int32) throws(ZMQError) {
        try setOption(ZMQ_HEARTBEAT_IVL, intervalMillis)
        try setOption(ZMQ_HEARTBEAT_TIMEOUT, timeoutMillis)
    }

    /// CURVE encryption, server side: this socket's secret key (Z85, 40 characters).
    public func setCurveServer(secretKey: String) throws(ZMQError) {
        try setOption(ZMQ_CURVE_SERVER, Int32(1))
        try setOption(ZMQ_CURVE_SECRETKEY, string: secretKey)
    }

    /// CURVE encryption, client side: the server's public key and this client's key pair (Z85).
    public func setCurveClient(serverKey: String, publicKey: String, secretKey: String) throws(ZMQError) {
        try setOption(ZMQ_CURVE_SERVERKEY, string: serverKey)
        try setOption(ZMQ_CURVE_PUBLICKEY, string: publicKey)
        try setOption(ZMQ_CURVE_SECRETKEY, string: secretKey)
    }

    public func subscribe(_ prefix: String) throws(ZMQError) {
        try setOption(ZMQ_SUBSCRIBE, string: prefix)
    }

    /// The endpoint actually bound, e.g. `tcp://127.0.0.1:40123` after binding port `*`.
    public var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The file descriptor libzmq signals when the socket's state may have changed. It is
    /// edge-triggered: after it fires, and after any operation on the socket, read `events`
    /// before waiting on it again, or a message already queued can go unnoticed.
    public var fileDescriptor: Int32 {
        var fd: Int32 = -1
        var size = MemoryLayout<Int32>.size
        zmq_getsockopt(handle, ZMQ_FD, &fd, &size)
        return fd
    }

    /// True if a message can be received now without blocking (`ZMQ_EVENTS` has `ZMQ_POLLIN`).
    public var hasInput: Bool {
        var events: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, ZMQ_EVENTS, &events, &size) == 0 else { return false }
        return events & Int32(ZMQ_POLLIN) != 0
    }

    // MARK: messages

    /// Sends frames as one multipart message. Returns false if the socket would block
    /// (`dontWait`), e.g. no peer is connected with `ZMQ_IMMEDIATE`.
    @discardableResult
    public func send(_ frames: [[UInt8]], dontWait: Bool = true) throws(ZMQError) -> Bool {
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            if dontWait && index == 0 { flags |= ZMQ_DONTWAIT }
            let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            if rc < 0 {
                let error = ZMQError("send")
                if index == 0 && error.isAgain { return false }
                throw error
            }
        }
        return true
    }

    /// A received multipart message; `extraFrames` counts frames beyond `maxFrames` that were
    /// read and dropped (a hostile or confused peer).
    public struct Received {
        public var frames: [[UInt8]]
        public var extraFrames: Int
    }

    /// Receives one multipart message, or nil if none is waiting (`dontWait`).
    public func receive(maxFrames: Int = 8, dontWait: Bool = true) throws(ZMQError) -> Received? {
        var frames: [[UInt8]] = []
        var extra = 0
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
        while true {
            if zmq_msg_recv(&message, handle, flags) < 0 {
                let error = ZMQError("receive")
                if frames.isEmpty && extra == 0 && error.isAgain { return nil }
                if error.isInterrupted { continue }
                throw error
            }
            // The rest of a multipart message has arrived with its first frame.
            flags = 0
            if frames.count < maxFrames {
                let size = zmq_msg_size(&message)
                if let data = zmq_msg_data(&message), size > 0 {
                    frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
                } else {
                    frames.append([])
                }
            } else {
                extra += 1
            }
            if zmq_msg_more(&message) == 0 { break }
        }
        return Received(frames: frames, extraFrames: extra)
    }

    /// Stops the monitor. Do this before closing a monitored socket: libzmq otherwise keeps the
    /// internal monitor socket, and with it the monitored socket's resources, alive.
    public func stopMonitor() {
        zmq_socket_monitor(handle, nil, 0)
    }

    /// Starts a monitor on this socket that publishes `events` on `inproc://` `endpoint`.
    public func monitor(_ endpoint: String, events: Int32) throws(ZMQError) {
        guard zmq_socket_monitor(handle, endpoint, events) == 0 else {
            throw ZMQError("socket_monitor")
        }
    }
}

/// Socket-monitor event numbers (libzmq's `ZMQ_EVENT_*`).
public enum ZMQEvent {
    public static let connected: Int32 = 0x0001
    public static let disconnected: Int32 = 0x0200
    public static let handshakeSucceeded: Int32 = 0x1000
}

/// What to wait for in `zmqPoll`: a socket or a plain file descriptor.
public enum PollTarget {
    case socket(ZMQSocket)
    case fd(Int32)
}

/// Waits until one of `targets` is readable or `timeoutMillis` passes (-1: forever).
/// Returns which targets are readable.
public func zmqPoll(_ targets: [PollTarget], timeoutMillis: Int) throws(ZMQError) -> [Bool] {
    var items = targets.map { target -> zmq_pollitem_t in
        switch target {
        case .socket(let socket):
            return zmq_pollitem_t(socket: socket.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        case .fd(let fd):
            return zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0)
        }
    }
    let rc = zmq_poll(&items, Int32(items.count), timeoutMillis)
    if rc < 0 {
        let error = ZMQError("poll")
        if error.isInterrupted { return Array(repeating: false, count: targets.count) }
        throw error
    }
    return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
}

/// Waits until one of `fds` is readable or `timeoutMillis` passes (-1: forever), with plain
/// `poll(2)`: one syscall, where `zmq_poll` makes at least two.
public func pollReadable(_ fds: [Int32], timeoutMillis: Int) -> [Bool] {
    var items = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    let rc = poll(&items, nfds_t(items.count), Int32(clamping: timeoutMillis))
    guard rc > 0 else { return Array(repeating: false, count: fds.count) }
    return items.map { $0.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 }
}

/// A CURVE key pair in Z85 text.
public func zmqCurveKeyPair() throws(ZMQError) -> (publicKey: String, secretKey: String) {
    var publicKey = [CChar](repeating: 0, count: 41)
    var secretKey = [CChar](repeating: 0, count: 41)
    guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZMQError("curve_keypair") }
    func text(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    return (text(publicKey), text(secretKey))
}
