import Logging
import PaygentWire

/// What a handler knows about the call it serves.
public struct RequestContext: Sendable {
    public let method: String
    public let requestID: UInt64
    /// Monotonic nanoseconds after which the caller has stopped waiting; nil for no deadline.
    public let deadlineNanos: UInt64?
    public let idempotencyKey: String?
    public let traceID: [UInt8]?
    let serviceLogger: Logger

    /// The service's logger with `rpc.method` and `rpc.request_id` set. Built on first use, so a
    /// request that logs nothing costs nothing.
    public var logger: Logger {
        var logger = serviceLogger
        logger[metadataKey: "rpc.method"] = "\(method)"
        logger[metadataKey: "rpc.request_id"] = "\(requestID)"
        return logger
    }

    /// Time left before the caller gives up, or nil if it set no deadline.
    public var remaining: Duration? {
        guard let deadlineNanos else { return nil }
        let now = monotonicNanos()
        return .nanoseconds(Int64(deadlineNanos > now ? deadlineNanos - now : 0))
    }
}

/// A handler on bytes: decoding and encoding happen in the typed wrapper `RPCServer.register`.
public typealias RawHandler = @Sendable ([UInt8], RequestContext) async throws(PaygentError) -> [UInt8]

/// Logs a recurring problem at most once per interval, with a count of what was suppressed,
/// so that hostile traffic cannot flood the log.
final class RateLimitedLog: @unchecked Sendable {
    private var last: [String: (at: UInt64, suppressed: Int)] = [:]
    private let intervalNanos: UInt64

    init(interval: Duration = .seconds(10)) {
        intervalNanos = UInt64(interval.nanoseconds)
    }

    /// Called only from the owning thread.
    func warning(_ logger: Logger, _ kind: String, _ message: @autoclosure () -> Logger.Message, _ metadata: Logger.Metadata = [:]) {
        let now = monotonicNanos()
        if let entry = last[kind], now - entry.at < intervalNanos {
            last[kind] = (entry.at, entry.suppressed + 1)
            return
        }
        var metadata = metadata
        if let entry = last[kind], entry.suppressed > 0 {
            metadata["suppressed"] = "\(entry.suppressed)"
        }
        last[kind] = (now, 0)
        logger.warning(message(), metadata: metadata)
    }
}
