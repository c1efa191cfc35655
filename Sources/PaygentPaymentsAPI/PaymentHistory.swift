import Foundation
import PaygentMoney

/// One x402 payment made by a wallet of the service.
public struct PaymentEntry: Codable, Sendable, Equatable {
    public var id: String
    public var wallet: String
    /// The paid resource's host and path (`127.0.0.1:8402/prices`).
    public var service: String
    public var url: String
    public var recipient: String
    public var amount: Amount
    public var token: TokenInfo
    public var transaction: String?
    /// `pending`, `confirmed` or `failed`.
    public var status: String
    public var error: String?
    public var startedAt: Date
    public var finishedAt: Date?
    public var latencyMillis: Double?

    public init(
        id: String, wallet: String, service: String, url: String, recipient: String, amount: Amount, token: TokenInfo,
        transaction: String?, status: String, error: String?, startedAt: Date, finishedAt: Date?, latencyMillis: Double?
    ) {
        self.id = id
        self.wallet = wallet
        self.service = service
        self.url = url
        self.recipient = recipient
        self.amount = amount
        self.token = token
        self.transaction = transaction
        self.status = status
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.latencyMillis = latencyMillis
    }
}

public struct PaymentListRequest: Codable, Sendable, Equatable {
    public var status: String?
    public var wallet: String?
    public var service: String?
    public var since: Date?
    public var until: Date?
    public var limit: Int
    public var offset: Int

    public init(status: String? = nil, wallet: String? = nil, service: String? = nil, since: Date? = nil, until: Date? = nil, limit: Int = 50, offset: Int = 0) {
        self.status = status
        self.wallet = wallet
        self.service = service
        self.since = since
        self.until = until
        self.limit = limit
        self.offset = offset
    }
}

public struct PaymentListReply: Codable, Sendable, Equatable {
    public var payments: [PaymentEntry]
    public var total: Int

    public init(payments: [PaymentEntry], total: Int) {
        self.payments = payments
        self.total = total
    }
}

public struct PaymentShowRequest: Codable, Sendable, Equatable {
    public var id: String
    public init(id: String) { self.id = id }
}

public struct PaymentStatsRequest: Codable, Sendable, Equatable {
    public init() {}
}

public struct PaymentStats: Codable, Sendable, Equatable {
    public struct Volume: Codable, Sendable, Equatable {
        public var token: TokenInfo
        public var amount: Amount
        public init(token: TokenInfo, amount: Amount) {
            self.token = token
            self.amount = amount
        }
    }

    public var count: Int
    public var confirmed: Int
    public var failed: Int
    /// confirmed / (confirmed + failed), 0 when none finished.
    public var successRate: Double
    /// Confirmed volume per token.
    public var volume: [Volume]
    public var meanLatencyMillis: Double
    public var p95LatencyMillis: Double

    public init(count: Int, confirmed: Int, failed: Int, successRate: Double, volume: [Volume], meanLatencyMillis: Double, p95LatencyMillis: Double) {
        self.count = count
        self.confirmed = confirmed
        self.failed = failed
        self.successRate = successRate
        self.volume = volume
        self.meanLatencyMillis = meanLatencyMillis
        self.p95LatencyMillis = p95LatencyMillis
    }
}
