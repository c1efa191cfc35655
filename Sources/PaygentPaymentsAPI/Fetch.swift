import Foundation
import PaygentMoney

public struct FetchRequest: Codable, Sendable, Equatable {
    public var url: String
    /// `GET` (the default when absent) or `POST`.
    public var method: String
    public var body: Data?
    /// Wallet name or address that pays.
    public var wallet: String
    /// The most to pay, human decimals of `token` (e.g. `0.10`).
    public var maxAmount: String
    /// Token symbol the maximum is in (`USDC` when absent).
    public var token: String
    /// The most seconds the fetch may take, payment included (default 30). The service also ends
    /// it in time to answer within the call's deadline, whichever is sooner.
    public var timeoutSeconds: Double?
    /// When the resource takes subscriptions and the wallet's has ended (or the resource refuses
    /// it), pay per call instead of failing. Absent: false.
    public var payPerCallFallback: Bool?

    public init(
        url: String, method: String = "GET", body: Data? = nil, wallet: String, maxAmount: String, token: String = "USDC",
        timeoutSeconds: Double? = nil, payPerCallFallback: Bool? = nil
    ) {
        self.timeoutSeconds = timeoutSeconds
        self.payPerCallFallback = payPerCallFallback
        self.url = url
        self.method = method
        self.body = body
        self.wallet = wallet
        self.maxAmount = maxAmount
        self.token = token
    }

    /// `method` and `token` may be left out on the wire: `GET` and `USDC`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decode(String.self, forKey: .url)
        method = try container.decodeIfPresent(String.self, forKey: .method) ?? "GET"
        body = try container.decodeIfPresent(Data.self, forKey: .body)
        wallet = try container.decode(String.self, forKey: .wallet)
        maxAmount = try container.decode(String.self, forKey: .maxAmount)
        token = try container.decodeIfPresent(String.self, forKey: .token) ?? "USDC"
        timeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds)
        payPerCallFallback = try container.decodeIfPresent(Bool.self, forKey: .payPerCallFallback)
    }
}

/// What a paid request cost, and its settlement.
public struct PaymentRecord: Codable, Sendable, Equatable {
    public var amount: Amount
    public var token: TokenInfo
    public var payer: String
    public var payTo: String
    public var network: String
    /// The settlement's transaction hash ("" if it failed).
    public var transaction: String
    public var settled: Bool
    public var error: String?

    public init(amount: Amount, token: TokenInfo, payer: String, payTo: String, network: String, transaction: String, settled: Bool, error: String?) {
        self.amount = amount
        self.token = token
        self.payer = payer
        self.payTo = payTo
        self.network = network
        self.transaction = transaction
        self.settled = settled
        self.error = error
    }
}

public struct FetchReply: Codable, Sendable, Equatable {
    public var status: Int
    public var contentType: String?
    public var body: Data
    public var payment: PaymentRecord?
    /// Wall time of the whole fetch, payment included.
    public var latencyMillis: Double
    /// What went wrong after the request was sent, when the answer is incomplete: the body was
    /// too large to return, or no answer came in time. `payment` says whether it was settled.
    public var problem: String?
    /// The subscription the call was served under (by a `sign-in-with-x` proof, with no payment).
    public var subscription: String?

    public init(
        status: Int, contentType: String?, body: Data, payment: PaymentRecord?, latencyMillis: Double, problem: String? = nil,
        subscription: String? = nil
    ) {
        self.problem = problem
        self.subscription = subscription
        self.status = status
        self.contentType = contentType
        self.body = body
        self.payment = payment
        self.latencyMillis = latencyMillis
    }
}
