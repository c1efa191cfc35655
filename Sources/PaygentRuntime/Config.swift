import Foundation

/// Where one service listens.
public struct ServiceEndpoints: Codable, Sendable, Equatable {
    /// The RPC (ROUTER) endpoint, e.g. `tcp://127.0.0.1:7410` or `ipc:///run/paygent/payments.rpc`.
    public var rpc: String
    /// The pub/sub (PUB) endpoint.
    public var pub: String

    public init(rpc: String, pub: String) {
        self.rpc = rpc
        self.pub = pub
    }
}

/// A configuration problem, with what to change.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The one configuration every Paygent process reads: each service's endpoints, the data
/// directory and the log level.
///
/// Precedence, lowest first: built-in defaults (ipc sockets in `~/.paygent/run/sockets`, a
/// directory only its owner can enter), a JSON file (the
/// `--config` path, else `$PAYGENT_CONFIG`, else `<data directory>/config.json` if present), then
/// `PAYGENT_*` environment variables:
///
/// | variable | meaning |
/// |---|---|
/// | `PAYGENT_HOME` | data directory |
/// | `PAYGENT_CONFIG` | config file path |
/// | `PAYGENT_LOG_LEVEL` | trace, debug, info, notice, warning, error, critical |
/// | `PAYGENT_<SERVICE>_RPC`, `PAYGENT_<SERVICE>_PUB` | one service's endpoints, e.g. `PAYGENT_PAYMENTS_RPC` |
/// | `PAYGENT_FACILITATOR_HTTP`, `PAYGENT_MARKET_HTTP` | `host:port` of the facilitator's and the sample API's HTTP servers |
public struct PaygentConfig: Codable, Sendable, Equatable {
    public var dataDirectory: String
    public var logLevel: LogLevel
    public var services: [ServiceName: ServiceEndpoints]
    /// `host:port` of the payments service's x402 facilitator HTTP API (`/verify`, `/settle`, `/supported`).
    public var facilitatorHTTP: String = "127.0.0.1:7412"
    /// `host:port` of the sample paid API (`paygent-market`).
    public var marketHTTP: String = "127.0.0.1:8402"
    /// The longest an x402 payment signed by the payments service stays valid (`validBefore`),
    /// whatever the server asks: what a server that keeps a header can do with it is bounded.
    public var maxPaymentValiditySeconds: Int = 300

    public var facilitatorURL: String { "http://\(facilitatorHTTP)" }
    public var marketURL: String { "http://\(marketHTTP)" }

    /// Local defaults: each service on ipc sockets `<home>/run/sockets/<service>.rpc|.pub`. The
    /// services create that directory with mode 0700, so only the user who started the deployment
    /// can connect: nobody else on the machine can call a method or read an event. (tcp loopback
    /// would let every local user in; tcp endpoints stay available by configuration, for
    /// multi-host deployments with CURVE keys.)
    public static func defaults(home: String) -> PaygentConfig {
        var services: [ServiceName: ServiceEndpoints] = [:]
        let sockets = socketDirectory(home: home)
        for service in ServiceName.allCases {
            services[service] = ServiceEndpoints(
                rpc: "ipc://\(sockets)/\(service.rawValue).rpc", pub: "ipc://\(sockets)/\(service.rawValue).pub")
        }
        return PaygentConfig(dataDirectory: home, logLevel: .info, services: services)
    }

    /// Where the default ipc sockets live.
    public static func socketDirectory(home: String) -> String {
        (home as NSString).appendingPathComponent("run/sockets")
    }

    public init(dataDirectory: String, logLevel: LogLevel, services: [ServiceName: ServiceEndpoints]) {
        self.dataDirectory = dataDirectory
        self.logLevel = logLevel
        self.services = services
    }

    public func endpoints(_ service: ServiceName) -> ServiceEndpoints {
        services[service]!
    }

    /// Loads the configuration as described above.
    public static func load(
        file explicitFile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> PaygentConfig {
        let home = environment["PAYGENT_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".paygent")
        var config = defaults(home: home)

        let file = explicitFile ?? environment["PAYGENT_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let defaultFile = (home as NSString).appendingPathComponent("config.json")
        // `dataDirectory` in a file moves the default sockets with it, unless the file names them.
        var fileConfig = config
        if let file {
            try fileConfig.apply(fileAt: file)
        } else if FileManager.default.fileExists(atPath: defaultFile) {
            try fileConfig.apply(fileAt: defaultFile)
        }
        if let home = environment["PAYGENT_HOME"], !home.isEmpty {
            fileConfig.dataDirectory = home
        }
        config = fileConfig.rebasingDefaultSockets(from: config)
        if let value = environment["PAYGENT_FACILITATOR_HTTP"], !value.isEmpty { config.facilitatorHTTP = value }
        if let value = environment["PAYGENT_MARKET_HTTP"], !value.isEmpty { config.marketHTTP = value }
        if let value = environment["PAYGENT_MAX_PAYMENT_VALIDITY"], !value.isEmpty {
            guard let seconds = Int(value) else { throw ConfigError("PAYGENT_MAX_PAYMENT_VALIDITY=\(value) is not a number of seconds") }
            config.maxPaymentValiditySeconds = seconds
        }
        if let level = environment["PAYGENT_LOG_LEVEL"] {
            guard let parsed = LogLevel(rawValue: level.lowercased()) else {
                throw ConfigError("PAYGENT_LOG_LEVEL=\(level) is not a level; use one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            config.logLevel = parsed
        }
        for service in ServiceName.allCases {
            let prefix = "PAYGENT_\(service.rawValue.uppercased())_"
            if let rpc = environment[prefix + "RPC"] { config.services[service]?.rpc = rpc }
            if let pub = environment[prefix + "PUB"] { config.services[service]?.pub = pub }
        }
        try config.validate()
        return config
    }

    /// Endpoints still at the defaults of `base`'s data directory follow this data directory.
    private func rebasingDefaultSockets(from base: PaygentConfig) -> PaygentConfig {
        guard dataDirectory != base.dataDirectory else { return self }
        var rebased = self
        let moved = PaygentConfig.defaults(home: dataDirectory)
        for service in ServiceName.allCases where services[service] == base.services[service] {
            rebased.services[service] = moved.services[service]
        }
        return rebased
    }

    /// The shape of a config file: every field optional, so a file names only what it changes.
    private struct File: Decodable {
        var dataDirectory: String?
        var logLevel: LogLevel?
        var services: [String: PartialEndpoints]?
        var facilitatorHTTP: String?
        var marketHTTP: String?
        var maxPaymentValiditySeconds: Int?
        struct PartialEndpoints: Decodable {
            var rpc: String?
            var pub: String?
        }
    }

    private mutating func apply(fileAt path: String) throws(ConfigError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError("cannot read config file \(path): \(error.localizedDescription)")
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw ConfigError("config file \(path) is not valid: \(error)")
        }
        if let dir = file.dataDirectory { dataDirectory = dir }
        if let value = file.facilitatorHTTP { facilitatorHTTP = value }
        if let value = file.marketHTTP { marketHTTP = value }
        if let value = file.maxPaymentValiditySeconds { maxPaymentValiditySeconds = value }
        if let level = file.logLevel { logLevel = level }
        for (name, endpoints) in file.services ?? [:] {
            guard let service = ServiceName(rawValue: name) else {
                throw ConfigError("config file \(path) names an unknown service '\(name)'; known: \(ServiceName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let rpc = endpoints.rpc { services[service]?.rpc = rpc }
            if let pub = endpoints.pub { services[service]?.pub = pub }
        }
    }

    /// Every endpoint is a ZeroMQ transport we use, and no two sockets share one.
    public func validate() throws(ConfigError) {
        guard (10...86_400).contains(maxPaymentValiditySeconds) else {
            throw ConfigError("maxPaymentValiditySeconds is \(maxPaymentValiditySeconds); it must be 10 to 86400 seconds")
        }
        var seen: [String: String] = [:]
        for service in ServiceName.allCases {
            let endpoints = self.endpoints(service)
            for (role, endpoint) in [("rpc", endpoints.rpc), ("pub", endpoints.pub)] {
                guard ["tcp://", "ipc://", "inproc://"].contains(where: endpoint.hasPrefix) else {
                    throw ConfigError("\(service.rawValue).\(role) endpoint '\(endpoint)' must start with tcp://, ipc:// or inproc://")
                }
                // A Unix socket path is at most 107 bytes (sun_path).
                if endpoint.hasPrefix("ipc://"), endpoint.utf8.count - 6 > 107 {
                    throw ConfigError("\(service.rawValue).\(role) endpoint '\(endpoint)' is longer than a Unix socket path may be (107 bytes); use a shorter data directory or set the endpoint")
                }
                if let other = seen[endpoint], !endpoint.hasSuffix(":*") {
                    throw ConfigError("\(service.rawValue).\(role) and \(other) both use \(endpoint)")
                }
                seen[endpoint] = "\(service.rawValue).\(role)"
            }
        }
    }

    /// The directory where a service keeps its files (its database, later).
    public func serviceDirectory(_ service: ServiceName) -> String {
        (dataDirectory as NSString).appendingPathComponent(service.rawValue)
    }

    /// Where `paygent up --detach` records pids and child logs.
    public var runDirectory: String { (dataDirectory as NSString).appendingPathComponent("run") }
    public var logDirectory: String { (dataDirectory as NSString).appendingPathComponent("logs") }

    /// The configuration as a config file would spell it.
    public func fileJSON() -> String {
        var services: [String: ServiceEndpoints] = [:]
        for (name, endpoints) in self.services { services[name.rawValue] = endpoints }
        struct Out: Encodable {
            var dataDirectory: String
            var logLevel: LogLevel
            var services: [String: ServiceEndpoints]
            var facilitatorHTTP: String
            var marketHTTP: String
            var maxPaymentValiditySeconds: Int
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Out(
            dataDirectory: dataDirectory, logLevel: logLevel, services: services, facilitatorHTTP: facilitatorHTTP,
            marketHTTP: marketHTTP, maxPaymentValiditySeconds: maxPaymentValiditySeconds))) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
