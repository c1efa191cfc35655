import Foundation

/// Log levels in increasing severity, as on the wire and in topics (swift-log's names).
public enum LogLevel: String, Codable, Sendable, CaseIterable, Comparable {
    case trace, debug, info, notice, warning, error, critical

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One log record as published on `log.<service>.<level>`.
public struct LogRecord: Codable, Sendable, Equatable {
    public var time: Date
    public var service: String
    public var level: LogLevel
    public var message: String
    /// Structured values (`rpc.method`, `payment.id`, ...), already redacted.
    public var metadata: [String: String]
    /// The module that logged it.
    public var source: String
    /// Per-service sequence number, so a reader can tell records were missed.
    public var sequence: UInt64

    public init(
        time: Date, service: String, level: LogLevel, message: String, metadata: [String: String],
        source: String, sequence: UInt64
    ) {
        self.time = time
        self.service = service
        self.level = level
        self.message = message
        self.metadata = metadata
        self.source = source
        self.sequence = sequence
    }
}

public struct RecentLogsRequest: Codable, Sendable, Equatable {
    /// Most records to return, newest last.
    public var limit: Int
    /// Only records at or above this level.
    public var minimumLevel: LogLevel?

    public init(limit: Int = 100, minimumLevel: LogLevel? = nil) {
        self.limit = limit
        self.minimumLevel = minimumLevel
    }
}

public struct RecentLogsReply: Codable, Sendable, Equatable {
    public var records: [LogRecord]

    public init(records: [LogRecord]) {
        self.records = records
    }
}
