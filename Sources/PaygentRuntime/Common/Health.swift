import Foundation

public struct HealthRequest: Codable, Sendable, Equatable {
    public init() {}
}

/// A service's answer to `health`: who it is, where it listens, and how it is doing.
public struct HealthReply: Codable, Sendable, Equatable {
    public var service: String
    public var version: String
    public var pid: Int32
    public var startedAt: Date
    public var uptimeSeconds: Double
    public var requestsServed: Int
    public var errors: Int
    public var inFlight: Int
    public var rpcEndpoint: String
    public var pubEndpoint: String
    /// What the service adds of its own (`offer_cache.entries`, `payments.pending`), by name.
    public var details: [String: String]?

    public init(
        service: String, version: String, pid: Int32, startedAt: Date, uptimeSeconds: Double,
        requestsServed: Int, errors: Int, inFlight: Int, rpcEndpoint: String, pubEndpoint: String,
        details: [String: String]? = nil
    ) {
        self.details = details
        self.service = service
        self.version = version
        self.pid = pid
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.requestsServed = requestsServed
        self.errors = errors
        self.inFlight = inFlight
        self.rpcEndpoint = rpcEndpoint
        self.pubEndpoint = pubEndpoint
    }
}
