import Foundation
import Logging
import PaygentTransport
import PaygentWire
import Synchronization

/// Tasks a service runs beside its RPC server. The host cancels them at shutdown, after the RPC
/// server has drained, and waits for them to finish.
public final class BackgroundWork: Sendable {
    private let tasks = Mutex<[(String, Task<Void, Never>, (@Sendable () async -> Void)?)]>([])
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Starts `operation`; if it fails before shutdown, the failure is logged as critical. At
    /// shutdown `stop` is called first (a graceful stop), then the task is cancelled.
    public func run(
        _ name: String, stop: (@Sendable () async -> Void)? = nil, _ operation: @escaping @Sendable () async throws -> Void
    ) {
        let logger = self.logger
        let task = Task {
            do {
                try await operation()
            } catch is CancellationError {
            } catch {
                if !Task.isCancelled {
                    logger.critical("background work failed", metadata: ["work": "\(name)", "error": "\(error)"])
                }
            }
        }
        tasks.withLock { $0.append((name, task, stop)) }
    }

    func stopAll() async {
        let running = tasks.withLock { $0 }
        for (_, _, stop) in running { await stop?() }
        for (_, task, stop) in running where stop == nil { task.cancel() }
        for (_, task, _) in running { await task.value }
    }
}

/// A service: its name, its catalog, and how it registers its methods.
public struct ServiceDefinition: Sendable {
    public let name: ServiceName
    /// Every method the service answers and event it publishes, beside the common ones.
    public let catalog: ServiceCatalog
    /// Registers the service's methods on `server`. `health` and `logs.recent` are added by
    /// the host. Called after the PUB socket is up and before the RPC socket binds.
    public let setUp: @Sendable (RPCServer, ServiceEnvironment) async throws -> Void

    public init(
        name: ServiceName, catalog: ServiceCatalog, setUp: @escaping @Sendable (RPCServer, ServiceEnvironment) async throws -> Void
    ) {
        self.name = name
        self.catalog = catalog
        self.setUp = setUp
    }

    /// The names of every method the service answers: its catalog's and the common ones.
    public var methodNames: [String] {
        (catalog.methods + CommonCatalog.methods).map(\.name).sorted()
    }

    /// Refuses a set-up that registered other methods than the catalog declares.
    func check(registered: [String]) throws(ConfigError) {
        let declared = Set(methodNames)
        let actual = Set(registered)
        guard declared == actual else {
            let undeclared = actual.subtracting(declared).sorted().joined(separator: ", ")
            let missing = declared.subtracting(actual).sorted().joined(separator: ", ")
            throw ConfigError(
                "\(name.executable) does not serve its catalog: registered but not declared [\(undeclared)], declared but not registered [\(missing)]")
        }
    }
}

/// Runs a service process: reads the configuration, starts PUB then RPC, answers `health`,
/// and on SIGINT/SIGTERM drains RPC first (in-flight requests finish), then closes PUB.
public enum ServiceHost {
    /// The whole life of a service executable; returns its exit status.
    public static func main(_ definition: ServiceDefinition, arguments: [String] = CommandLine.arguments) async -> Int32 {
        let name = definition.name
        var configFile: String?
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--help", "-h":
                print(help(name))
                return 0
            case "--version":
                print("\(name.executable) \(PaygentVersion.current)")
                return 0
            case "--config":
                guard let path = iterator.next() else {
                    printError("\(name.executable): --config needs a file path")
                    return 64
                }
                configFile = path
            default:
                printError("\(name.executable): unknown argument '\(argument)'; see --help")
                return 64
            }
        }

        let termination = TerminationSignal()
        let config: PaygentConfig
        do {
            config = try PaygentConfig.load(file: configFile)
        } catch {
            printError("\(name.executable): \(error)")
            return 78
        }
        do {
            try await run(definition, config: config, termination: termination)
            return 0
        } catch {
            printError("\(name.executable): \(error)")
            return 1
        }
    }

    /// Starts the service on `config` and returns when it has shut down after a signal.
    public static func run(
        _ definition: ServiceDefinition, config: PaygentConfig, termination: TerminationSignal, time: ServiceTime = .system,
        random: RandomSource = .system
    ) async throws {
        let name = definition.name
        let endpoints = config.endpoints(name)
        let directory = config.serviceDirectory(name)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        try SocketDirectory.prepare(endpoints.pub, config: config)
        try SocketDirectory.prepare(endpoints.rpc, config: config)
        let context = ZMQContext()
        let recent = RecentLogs()
        let publisher: Publisher
        do {
            publisher = try Publisher(endpoint: endpoints.pub, context: context)
        } catch {
            throw ConfigError("cannot bind the PUB socket at \(endpoints.pub): \(error.description); is another instance running?")
        }
        let level = Logger.Level(rawValue: config.logLevel.rawValue) ?? .info
        let logger = Logger(label: name.rawValue) { _ in
            PubLogHandler(service: name.rawValue, level: level, publisher: publisher, recent: recent)
        }
        let background = BackgroundWork(logger: logger)
        let details = HealthDetails()
        let environment = ServiceEnvironment(
            service: name, config: config, logger: logger, publisher: publisher, context: context,
            directory: directory, background: background, time: time, random: random, health: details)

        let server = RPCServer(endpoint: endpoints.rpc, serviceName: name.rawValue, context: context, logger: logger)
        let startedAt = time.now()
        let publisherEndpoint = publisher.endpoint
        let stats = server.stats
        let boundRPC = BoundEndpoint()
        server.register(CommonMethod.health, placement: .loop) { (_: HealthRequest, _) in
            HealthReply(
                service: name.rawValue, version: PaygentVersion.current, pid: getpid(), startedAt: startedAt,
                uptimeSeconds: time.now().timeIntervalSince(startedAt),
                requestsServed: stats.requestsServed, errors: stats.errors, inFlight: stats.inFlight,
                rpcEndpoint: boundRPC.value ?? endpoints.rpc, pubEndpoint: publisherEndpoint, details: details.current)
        }
        server.register(CommonMethod.recentLogs, placement: .loop) { (request: RecentLogsRequest, _) in
            RecentLogsReply(records: recent.latest(min(max(request.limit, 0), 1000), minimumLevel: request.minimumLevel))
        }
        try await definition.setUp(server, environment)
        do {
            try definition.check(registered: server.methodNames)
        } catch {
            await publisher.close()
            throw error
        }

        let rpcEndpoint: String
        do {
            rpcEndpoint = try server.start()
        } catch {
            await publisher.close()
            throw ConfigError("cannot bind the RPC socket at \(endpoints.rpc): \(error.description); is another instance running?")
        }
        boundRPC.set(rpcEndpoint)
        logger.info("service started", metadata: [
            "rpc": "\(rpcEndpoint)", "pub": "\(publisherEndpoint)", "pid": "\(getpid())",
            "version": "\(PaygentVersion.current)",
        ])
        announceReady(name: name, rpc: rpcEndpoint, pub: publisherEndpoint)

        let signal = await termination.wait()
        logger.info("shutting down", metadata: ["signal": "\(signal == SIGINT ? "SIGINT" : "SIGTERM")"])
        await server.shutdown(grace: .seconds(5))
        await background.stopAll()
        logger.info("service stopped", metadata: ["requests": "\(stats.requestsServed)", "errors": "\(stats.errors)"])
        await publisher.close()
    }

    /// One line on stdout, flushed at once even when stdout is a pipe.
    static func announceReady(name: ServiceName, rpc: String, pub: String) {
        FileHandle.standardOutput.write(Data("ready \(name.rawValue) rpc=\(rpc) pub=\(pub)\n".utf8))
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func help(_ name: ServiceName) -> String {
        """
        \(name.executable) — Paygent \(name.rawValue) service: \(name.summary).

        Usually started by `paygent up`. Serves RPC and publishes events and logs over ZeroMQ
        on the endpoints in the configuration; answers `health`. Stops gracefully on SIGINT or
        SIGTERM (requests in flight finish first).

        USAGE: \(name.executable) [--config FILE]

        OPTIONS:
          --config FILE   JSON config file (default: $PAYGENT_CONFIG, else $PAYGENT_HOME/config.json)
          --version       print the version
          -h, --help      show this help

        ENVIRONMENT:
          PAYGENT_HOME                          data directory (default ~/.paygent)
          PAYGENT_LOG_LEVEL                     trace|debug|info|notice|warning|error|critical
          PAYGENT_\(name.rawValue.uppercased())_RPC / _PUB   override this service's endpoints
        """
    }
}

/// Holds the bound RPC endpoint once known; read by the health handler.
final class BoundEndpoint: Sendable {
    private let storage = Mutex<String?>(nil)
    var value: String? { storage.withLock { $0 } }
    func set(_ value: String) { storage.withLock { $0 = value } }
}
