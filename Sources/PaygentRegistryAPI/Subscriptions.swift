import Foundation
import PaygentMoney

/// Where a subscription stands.
public enum SubscriptionStatus: String, Codable, Sendable, CaseIterable {
    /// Its first payment was sent and its outcome is not known yet; retried until it is.
    case pending
    /// Paid, and the paid period has not ended.
    case active
    /// Cancelled: it will not renew; calls are served until the paid period ends.
    case cancelled
    /// The paid period ended and it did not renew.
    case expired
    /// Its first payment was refused; it never started.
    case failed
}

/// One period's payment: a signed transfer from the subscribing wallet to the service's pay-to.
public struct SubscriptionPayment: Codable, Sendable, Equatable {
    /// 1 for the first period, then one more for each renewal.
    public var period: Int
    /// The ledger transaction of the transfer.
    public var transaction: String
    public var amount: Amount
    public var paidAt: Date
    /// The period it pays for.
    public var periodStart: Date
    public var periodEnd: Date

    public init(period: Int, transaction: String, amount: Amount, paidAt: Date, periodStart: Date, periodEnd: Date) {
        self.period = period
        self.transaction = transaction
        self.amount = amount
        self.paidAt = paidAt
        self.periodStart = periodStart
        self.periodEnd = periodEnd
    }
}

/// A wallet's subscription to a subscription-priced service.
public struct Subscription: Codable, Sendable, Equatable {
    /// `sub_` followed by 12 lower-case hex digits.
    public var id: String
    public var serviceId: String
    public var serviceName: String
    /// The resource the subscription opens.
    public var url: String
    /// The payments service's wallet that pays (its name).
    public var wallet: String
    /// That wallet's address (EIP-55); empty until its first payment is made.
    public var subscriber: String
    /// Price of one period, in `token`.
    public var price: Amount
    public var token: String
    public var decimals: Int
    public var periodSeconds: Int
    public var payTo: String
    public var status: SubscriptionStatus
    public var autoRenew: Bool
    /// When the paid periods end; nil before the first payment.
    public var expiresAt: Date?
    public var createdAt: Date
    public var payments: [SubscriptionPayment]
    /// Why the last payment or renewal did not go through, when one did not.
    public var problem: String?

    public init(
        id: String, serviceId: String, serviceName: String, url: String, wallet: String, subscriber: String, price: Amount, token: String,
        decimals: Int, periodSeconds: Int, payTo: String, status: SubscriptionStatus, autoRenew: Bool, expiresAt: Date?, createdAt: Date,
        payments: [SubscriptionPayment], problem: String?
    ) {
        self.id = id
        self.serviceId = serviceId
        self.serviceName = serviceName
        self.url = url
        self.wallet = wallet
        self.subscriber = subscriber
        self.price = price
        self.token = token
        self.decimals = decimals
        self.periodSeconds = periodSeconds
        self.payTo = payTo
        self.status = status
        self.autoRenew = autoRenew
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.payments = payments
        self.problem = problem
    }
}

/// Subscribes a wallet to a subscription-priced service, paying the first period at once; for a
/// subscription that has ended, pays a new period (a renewal).
public struct SubscribeRequest: Codable, Sendable, Equatable {
    public var serviceId: String
    /// Wallet name or address, at the payments service.
    public var wallet: String
    /// Pays each next period when the current one ends.
    public var autoRenew: Bool

    public init(serviceId: String, wallet: String, autoRenew: Bool) {
        self.serviceId = serviceId
        self.wallet = wallet
        self.autoRenew = autoRenew
    }
}

public struct SubscriptionListRequest: Codable, Sendable, Equatable {
    /// Only this wallet's (name or address); nil for all.
    public var wallet: String?

    public init(wallet: String? = nil) {
        self.wallet = wallet
    }
}

public struct SubscriptionListReply: Codable, Sendable, Equatable {
    public var subscriptions: [Subscription]

    public init(subscriptions: [Subscription]) {
        self.subscriptions = subscriptions
    }
}

/// Stops a subscription renewing; it is served until its paid period ends.
public struct CancelSubscriptionRequest: Codable, Sendable, Equatable {
    public var id: String

    public init(id: String) {
        self.id = id
    }
}

/// Whether `address` may use `url` without paying per call.
public struct SubscriptionAccessRequest: Codable, Sendable, Equatable {
    public var address: String
    public var url: String

    public init(address: String, url: String) {
        self.address = address
        self.url = url
    }
}

public enum SubscriptionAccess: String, Codable, Sendable, CaseIterable {
    /// An active (or cancelled, still paid) subscription covers the call.
    case granted
    /// The address had a subscription to this resource; it has ended (or never started).
    case lapsed
    /// The resource is subscription-priced, and the address has no subscription to it.
    case none
    /// No subscription-priced service in the catalog is at this URL.
    case notSubscriptionPriced = "not-subscription-priced"
}

public struct SubscriptionAccessReply: Codable, Sendable, Equatable {
    public var access: SubscriptionAccess
    /// The subscription the answer is about, if there is one.
    public var subscription: Subscription?
    /// The answer in words.
    public var message: String

    public init(access: SubscriptionAccess, subscription: Subscription?, message: String) {
        self.access = access
        self.subscription = subscription
        self.message = message
    }
}
