import Foundation
import Logging
import PaygentTransport
import Synchronization

/// The latest log records of a service, kept for `logs.recent`.
public final class RecentLogs: Sendable {
    private let state: Mutex<(records: [LogRecord], next: Int, sequence: UInt64)>
    private let capacity: Int

    public init(capacity: Int = 1000) {
        self.capacity = capacity
        state = Mutex(([], 0, 0))
    }

    /// Stamps the record with the next sequence number and keeps it.
    func append(_ record: inout LogRecord) {
        state.withLock { state in
            state.sequence += 1
            record.sequence = state.sequence
            if state.records.count < capacity {
                state.records.append(record)
            } else {
                state.records[state.next] = record
                state.next = (state.next + 1) % capacity
            }
        }
    }

    /// Up to `limit` records at or above `minimumLevel`, oldest first.
    public func latest(_ limit: Int, minimumLevel: LogLevel?) -> [LogRecord] {
        let ordered = state.withLock { state in
            Array(state.records[state.next...] + state.records[..<state.next])
        }
        let filtered = ordered.filter { record in minimumLevel.map { record.level >= $0 } ?? true }
        return Array(filtered.suffix(max(0, limit)))
    }
}

/// A swift-log handler that publishes every record on the service's PUB socket under
/// `log.<service>.<level>`, keeps it for `logs.recent`, and writes it to stderr.
///
/// Metadata whose key names a secret (private key, password, signature, ...) is replaced by
/// `[redacted]` before the record goes anywhere.
public struct PubLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let service: String
    private let publisher: Publisher?
    private let recent: RecentLogs
    private let writesStderr: Bool

    public init(service: String, level: Logger.Level, publisher: Publisher?, recent: RecentLogs, writesStderr: Bool = true) {
        self.service = service
        self.logLevel = level
        self.publisher = publisher
        self.recent = recent
        self.writesStderr = writesStderr
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Key fragments that mark a metadata value as secret.
    static let secretMarkers = ["private", "secret", "password", "mnemonic", "seed", "signature", "authorization", "keystore"]

    static func redacted(_ key: String, _ value: String) -> String {
        let lowered = key.lowercased()
        return secretMarkers.contains(where: lowered.contains) ? "[redacted]" : value
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var flat: [String: String] = [:]
        for (key, value) in merged {
            flat[key] = Self.redacted(key, "\(value)")
        }
        let level = LogLevel(rawValue: event.level.rawValue) ?? .info
        var record = LogRecord(
            time: Date(), service: service, level: level, message: event.message.description,
            metadata: flat, source: event.source, sequence: 0)
        recent.append(&record)
        publisher?.publish(Topic.log(service, level.rawValue), record)
        if writesStderr {
            FileHandle.standardError.write(Data((LogLine.plain(record) + "\n").utf8))
        }
    }
}

/// How a log record reads as one line of text.
public enum LogLine {
    public static let timeFormat: Date.ISO8601FormatStyle = .iso8601
        .year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)

    /// `2026-11-26T01:02:03.456Z payments info message key=value`
    public static func plain(_ record: LogRecord) -> String {
        var line = "\(record.time.formatted(timeFormat)) \(record.service) \(record.level.rawValue) \(record.message)"
        for key in record.metadata.keys.sorted() {
            line += " \(key)=\(record.metadata[key]!)"
        }
        return line
    }
}
