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
///
/// Everything else belongs to one service and lives in its **section** (`"payments": {…}` in the
/// file): the runtime keeps a section's values as text and the service's own settings type (in its
/// API target) reads, defaults and checks them, with the environment variables it names.
public struct PaygentConfig: Codable, Sendable, Equatable {
    public var dataDirectory: String
    public var logLevel: LogLevel
    public var services: [ServiceName: ServiceEndpoints]
    /// Each service's own settings, by section name, as text: read through its settings type.
    public var sections: [String: [String: String]] = [:]
    /// The `PAYGENT_*` environment variables seen at load, for sections' overrides. Variables
    /// that name a secret (a password, a private key) are not kept; the code that needs one reads
    /// it itself. Never encoded.
    public var environment: [String: String] = [:]

    private enum CodingKeys: String, CodingKey {
        case dataDirectory, logLevel, services, sections
    }

    /// Names of environment variables whose values are secrets.
    static func namesSecret(_ name: String) -> Bool {
        ["PASSWORD", "SECRET", "PRIVATE", "MNEMONIC", "SEED"].contains { name.contains($0) }
    }

    /// A section's value: the environment variable `variable` if set, else the file's.
    public func setting(_ section: String, _ key: String, environment variable: String? = nil) -> String? {
        if let variable, let value = environment[variable], !value.isEmpty { return value }
        return sections[section]?[key]
    }

    /// Sets a section's value (what a file would say).
    public mutating func set(_ section: String, _ key: String, _ value: String) {
        sections[section, default: [:]][key] = value
    }

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
        config.environment = environment.filter { $0.key.hasPrefix("PAYGENT_") && !namesSecret($0.key) }
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
    /// Any other top-level object is a service's section.
    private struct File: Decodable {
        var dataDirectory: String?
        var logLevel: LogLevel?
        var services: [String: PartialEndpoints]?
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
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        for (name, value) in object where !["dataDirectory", "logLevel", "services"].contains(name) {
            if let members = value as? [String: Any] {
                for (key, member) in members { set(name, key, Self.text(member)) }
            } else if let (section, key) = Self.movedToSections[name] {
                // Written before settings had sections; still read.
                set(section, key, Self.text(value))
            }
        }
        if let level = file.logLevel { logLevel = level }
        for (name, endpoints) in file.services ?? [:] {
            guard let service = ServiceName(rawValue: name) else {
                throw ConfigError("config file \(path) names an unknown service '\(name)'; known: \(ServiceName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let rpc = endpoints.rpc { services[service]?.rpc = rpc }
            if let pub = endpoints.pub { services[service]?.pub = pub }
        }
    }

    /// Settings that were top-level before they moved into their service's section.
    static let movedToSections: [String: (String, String)] = [
        "facilitatorHTTP": ("payments", "facilitatorHTTP"), "maxPaymentValiditySeconds": ("payments", "maxPaymentValiditySeconds"),
        "marketHTTP": ("market", "http"),
    ]

    /// A JSON value as a section's text.
    static func text(_ value: Any) -> String {
        if let string = value as? String { return string }
        if let number = value as? NSNumber { return number.stringValue }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }

    /// Every endpoint is a ZeroMQ transport we use, and no two sockets share one.
    public func validate() throws(ConfigError) {
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
        var services: [String: [String: String]] = [:]
        for (name, endpoints) in self.services { services[name.rawValue] = ["rpc": endpoints.rpc, "pub": endpoints.pub] }
        var object: [String: Any] = ["dataDirectory": dataDirectory, "logLevel": logLevel.rawValue, "services": services]
        for (name, values) in sections where object[name] == nil { object[name] = values }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
