import ArgumentParser
import Foundation
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTransport
import PaygentWire

struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the logs of every service, live with --follow.",
        discussion: """
            Prints each service's latest records (merged by time), then with --follow streams new ones as they are published (pub/sub topics `log.<service>.<level>`). One line per record: time, service, level, message, metadata; colored on a terminal, plain when piped.

            Examples:
              paygent logs --follow
              paygent logs -f --service payments --level warning
              paygent logs --grep settle --limit 200
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .shortAndLong, help: "Keep printing new records as they arrive.")
    var follow = false

    @Option(name: .long, help: ArgumentHelp("Only this service (repeatable).", valueName: "name"))
    var service: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only records at this level or above (trace, debug, info, notice, warning, error, critical).", valueName: "level"))
    var level: String?

    @Option(name: .long, help: ArgumentHelp("Only lines containing this text (case-insensitive).", valueName: "text"))
    var grep: String?

    @Option(name: .long, help: ArgumentHelp("How many earlier records to show per service.", valueName: "n"))
    var limit: Int = 50

    @Option(name: .customLong("for"), help: ArgumentHelp("Stop following after this many seconds.", valueName: "seconds"))
    var duration: Double?

    func validate() throws {
        for name in service where ServiceName(rawValue: name) == nil {
            throw ValidationError("unknown service '\(name)'; use one of \(ServiceName.startOrder.map(\.rawValue).joined(separator: ", "))")
        }
        if let level, LogLevel(rawValue: level.lowercased()) == nil {
            throw ValidationError("unknown level '\(level)'; use one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
    }

    func run() async throws {
        let config = try global.load()
        let services = service.isEmpty ? ServiceName.startOrder : service.compactMap(ServiceName.init(rawValue:))
        let filter = LogFilter(minimumLevel: level.flatMap { LogLevel(rawValue: $0.lowercased()) }, text: grep)
        let printer = LogPrinter(style: Style.forStandardOutput(), filter: filter)
        let context = ZMQContext()

        // Subscribe before reading the history, so nothing falls between the two.
        let subscriber: Subscriber? = follow
            ? try Subscriber(
                endpoints: services.map { config.endpoints($0).pub },
                prefixes: services.map { Topic.logPrefix(service: $0.rawValue) }, context: context)
            : nil

        var lastSequence: [String: UInt64] = [:]
        var history: [LogRecord] = []
        if limit > 0 {
            let down = await fetchRecent(services, config: config, context: context, into: &history)
            for name in down {
                writeError("\(name): not running (no history)")
            }
        }
        for record in history.sorted(by: { $0.time < $1.time }) {
            printer.print(record)
            lastSequence[record.service] = max(lastSequence[record.service] ?? 0, record.sequence)
        }
        flushStandardOutput()
        guard let subscriber else { return }

        let printed = lastSequence
        let stopAt = duration.map { ContinuousClock.now + .milliseconds(Int($0 * 1000)) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var seen = printed
                for await event in subscriber.events {
                    guard let record = try? event.decode(LogRecord.self) else { continue }
                    // A restarted service starts its sequence again at 1.
                    if let last = seen[record.service], record.sequence <= last, record.sequence > 1 { continue }
                    seen[record.service] = record.sequence
                    printer.print(record)
                    flushStandardOutput()
                }
            }
            if let stopAt {
                group.addTask {
                    try? await Task.sleep(until: stopAt)
                    subscriber.close()
                }
            }
            await group.waitForAll()
        }
    }

    /// Reads each service's recent records; returns the services that did not answer.
    private func fetchRecent(_ services: [ServiceName], config: PaygentConfig, context: ZMQContext, into records: inout [LogRecord]) async -> [String] {
        let limit = self.limit
        let minimum = level.flatMap { LogLevel(rawValue: $0.lowercased()) }
        let results = await withTaskGroup(of: (ServiceName, [LogRecord]?).self) { group in
            for service in services {
                group.addTask {
                    var options = RPCClientOptions()
                    options.connectWait = .milliseconds(700)
                    guard let client = try? RPCClient(
                        endpoint: config.endpoints(service).rpc, serviceName: service.rawValue, context: context,
                        options: options)
                    else { return (service, nil) }
                    defer { client.close() }
                    let reply: RecentLogsReply? = try? await client.call(
                        CommonMethod.recentLogs, RecentLogsRequest(limit: limit, minimumLevel: minimum),
                        deadline: .seconds(2))
                    return (service, reply?.records)
                }
            }
            var out: [(ServiceName, [LogRecord]?)] = []
            for await result in group { out.append(result) }
            return out
        }
        var down: [String] = []
        for (service, fetched) in results.sorted(by: { $0.0 < $1.0 }) {
            if let fetched { records.append(contentsOf: fetched) } else { down.append(service.rawValue) }
        }
        return down
    }
}

/// Which records to show.
struct LogFilter: Sendable {
    var minimumLevel: LogLevel?
    var text: String?

    func accepts(_ record: LogRecord, line: String) -> Bool {
        if let minimumLevel, record.level < minimumLevel { return false }
        if let text, !text.isEmpty, line.range(of: text, options: .caseInsensitive) == nil { return false }
        return true
    }
}

/// Prints records one per line.
struct LogPrinter: Sendable {
    let style: Style
    let filter: LogFilter
    static let serviceWidth = ServiceName.allCases.map(\.rawValue.count).max()!
    static let levelWidth = LogLevel.allCases.map(\.rawValue.count).max()!

    /// `2026-11-26 01:02:03.456  payments      info     message  key=value`
    func format(_ record: LogRecord, styled: Bool) -> String {
        let s = styled ? style : Style(enabled: false)
        let time = record.time.formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
                .timeSeparator(.colon).dateTimeSeparator(.space))
        let service = record.service.padding(toLength: Self.serviceWidth, withPad: " ", startingAt: 0)
        let level = record.level.rawValue.padding(toLength: Self.levelWidth, withPad: " ", startingAt: 0)
        var line = "\(s.dim(time)) \(s.service(service)) \(s.level(record.level, level)) \(record.message)"
        let keys = record.metadata.keys.sorted()
        if !keys.isEmpty {
            line += "  " + keys.map { s.dim("\($0)=") + record.metadata[$0]! }.joined(separator: " ")
        }
        return line
    }

    func print(_ record: LogRecord) {
        guard filter.accepts(record, line: format(record, styled: false)) else { return }
        Swift.print(format(record, styled: true))
    }
}
