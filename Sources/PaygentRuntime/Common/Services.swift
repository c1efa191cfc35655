import PaygentWire

/// The services of a Paygent deployment, by the names used in config, topics and the CLI.
public enum ServiceName: String, Codable, Sendable, CaseIterable, Comparable {
    case orchestrator
    case payments
    case registry
    case vvs
    case moonlander

    /// The executable that runs this service.
    public var executable: String { "paygent-\(rawValue)" }

    /// One line on what the service owns, for `--help` and `status`.
    public var summary: String {
        switch self {
        case .orchestrator: "sessions, plans, budgets, approvals and the agent"
        case .payments: "wallets, ledger, x402 client and facilitator"
        case .registry: "service catalog, discovery, pricing and reputation"
        case .vvs: "VVS Finance swaps and liquidity"
        case .moonlander: "Moonlander perpetuals"
        }
    }

    /// The order services start in; they stop in reverse.
    public static var startOrder: [ServiceName] { [.payments, .registry, .vvs, .moonlander, .orchestrator] }

    public static func < (lhs: ServiceName, rhs: ServiceName) -> Bool {
        let order = startOrder
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}

/// Paygent's version, reported by `health` and `--version`.
public enum PaygentVersion {
    public static let current = "0.1.0"
}

/// What every service answers and publishes (`protocol/services/common.md`); the host registers
/// these for every service.
public enum CommonMethod {
    public static let health = RPCMethod<HealthRequest, HealthReply>(
        "health", .read, "the service's version, pid, uptime, endpoints and request counts")
    public static let recentLogs = RPCMethod<RecentLogsRequest, RecentLogsReply>(
        "logs.recent", .read, "the service's latest log records, newest last")
}

/// Pub/sub topics. Dotted, filtered by prefix.
public enum Topic {
    /// Every log record a service writes, under `log.<service>.<level>`.
    public static let log = EventTopic<LogRecord>("log.<service>.<level>", "a log record of a service at a level")
    public static func log(_ service: String, _ level: String) -> String { "log.\(service).\(level)" }
    public static let logPrefix = "log."
    public static func logPrefix(service: String) -> String { "log.\(service)." }
}

/// The catalog every service shares: `health`, `logs.recent` and its log events.
public enum CommonCatalog {
    public static let methods: [any AnyRPCMethod] = [CommonMethod.health, CommonMethod.recentLogs]
    public static let events: [any AnyEventTopic] = [Topic.log]
    public static let catalog = ServiceCatalog(service: "common", methods: methods, events: events)
}
