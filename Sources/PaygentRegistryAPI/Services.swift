import Foundation
import PaygentMoney

/// How a service charges.
public enum PricingModel: String, Codable, Sendable, CaseIterable {
    /// One price per request (x402 `exact`).
    case payPerCall = "pay-per-call"
    /// A price per unit (per 1,000 tokens, per MB): a request pays for the units it uses.
    case metered
    /// One price per period; calls within an active subscription pay nothing more.
    case subscription
}

/// A paid service in the catalog.
public struct ServiceEntry: Codable, Sendable, Equatable {
    /// `svc_` followed by 12 lower-case hex digits.
    public var id: String
    public var name: String
    public var description: String
    /// `market-data`, `news`, `weather`, `inference`, …: lower-case words joined by `-`.
    public var category: String
    /// The resource's URL (http or https).
    public var url: String
    /// `GET` or `POST`.
    public var method: String
    public var pricing: PricingModel
    /// The price in base units of `token`: per call, per `unit`, or per period.
    public var price: Amount
    /// The token's symbol (`USDC`) and its decimals.
    public var token: String
    public var decimals: Int
    /// For `metered`: what one unit is (`1k tokens`).
    public var unit: String?
    /// For `subscription`: the period in seconds.
    public var periodSeconds: Int?
    /// CAIP-2 (`eip155:338`).
    public var network: String
    /// EIP-55.
    public var payTo: String
    public var mcpCompatible: Bool
    /// What the service takes and returns, in words or as JSON schema text (x402 Bazaar).
    public var inputDescription: String?
    public var outputDescription: String?
    /// 0 to 5, from real payments (`protocol/services/registry.md`).
    public var reputation: Double
    public var totalCalls: Int
    /// 0 to 1; 1 until a payment fails.
    public var successRate: Double
    public var medianLatencyMillis: Double?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, name: String, description: String, category: String, url: String, method: String, pricing: PricingModel,
        price: Amount, token: String, decimals: Int, unit: String?, periodSeconds: Int?, network: String, payTo: String,
        mcpCompatible: Bool, inputDescription: String?, outputDescription: String?, reputation: Double, totalCalls: Int,
        successRate: Double, medianLatencyMillis: Double?, createdAt: Date, updatedAt: Date
    ) {
        (self.id, self.name, self.description, self.category, self.url, self.method) = (id, name, description, category, url, method)
        (self.pricing, self.price, self.token, self.decimals, self.unit, self.periodSeconds) = (pricing, price, token, decimals, unit, periodSeconds)
        (self.network, self.payTo, self.mcpCompatible) = (network, payTo, mcpCompatible)
        (self.inputDescription, self.outputDescription) = (inputDescription, outputDescription)
        (self.reputation, self.totalCalls, self.successRate, self.medianLatencyMillis) = (reputation, totalCalls, successRate, medianLatencyMillis)
        (self.createdAt, self.updatedAt) = (createdAt, updatedAt)
    }
}

/// What an administrator gives to register a service; every field is checked.
public struct ServiceFields: Codable, Sendable, Equatable {
    public var name: String
    public var description: String
    public var category: String
    public var url: String
    /// `GET` when absent.
    public var method: String?
    public var pricing: PricingModel
    /// Human decimals of `token` (`0.10`).
    public var price: String
    public var token: String
    public var unit: String?
    public var periodSeconds: Int?
    public var network: String
    public var payTo: String
    public var mcpCompatible: Bool?
    public var inputDescription: String?
    public var outputDescription: String?

    public init(
        name: String, description: String, category: String, url: String, method: String? = nil, pricing: PricingModel,
        price: String, token: String, unit: String? = nil, periodSeconds: Int? = nil, network: String, payTo: String,
        mcpCompatible: Bool? = nil, inputDescription: String? = nil, outputDescription: String? = nil
    ) {
        (self.name, self.description, self.category, self.url, self.method) = (name, description, category, url, method)
        (self.pricing, self.price, self.token, self.unit, self.periodSeconds) = (pricing, price, token, unit, periodSeconds)
        (self.network, self.payTo, self.mcpCompatible) = (network, payTo, mcpCompatible)
        (self.inputDescription, self.outputDescription) = (inputDescription, outputDescription)
    }
}

/// Admin: adds a service. `adminToken` is the registry's admin credential (`<data>/registry/admin.token`).
public struct RegisterServiceRequest: Codable, Sendable, Equatable {
    public var adminToken: String
    public var service: ServiceFields

    public init(adminToken: String, service: ServiceFields) {
        self.adminToken = adminToken
        self.service = service
    }
}

/// Admin: registers a service from its own 402: the registry asks `url` without paying and takes
/// the price, token, network and pay-to it asks for, and its Bazaar input and output description
/// when the 402 carries one. `name`, `category` and `description` override what the 402 says.
public struct AddServiceRequest: Codable, Sendable, Equatable {
    public var adminToken: String
    public var url: String
    public var method: String?
    public var name: String?
    public var category: String?
    public var description: String?

    public init(adminToken: String, url: String, method: String? = nil, name: String? = nil, category: String? = nil, description: String? = nil) {
        (self.adminToken, self.url, self.method, self.name, self.category, self.description) = (adminToken, url, method, name, category, description)
    }
}

/// A resource that a payment settled through Paygent's facilitator declared with the x402
/// `bazaar` extension: the facilitator sends it so that the resource is catalogued (or its terms
/// refreshed). The settlement is what vouches for it: money moved to `payTo` for `url`.
public struct CatalogueRequest: Codable, Sendable, Equatable {
    public var url: String
    public var network: String
    /// The token contract the payment was in.
    public var asset: String
    /// Base units paid.
    public var amount: String
    public var payTo: String
    public var description: String?
    /// The extension's `info.input` and `info.output`, as JSON text.
    public var input: String?
    public var output: String?
    /// The settlement's transaction hash.
    public var transaction: String

    public init(
        url: String, network: String, asset: String, amount: String, payTo: String, description: String?, input: String?, output: String?,
        transaction: String
    ) {
        (self.url, self.network, self.asset, self.amount, self.payTo) = (url, network, asset, amount, payTo)
        (self.description, self.input, self.output, self.transaction) = (description, input, output, transaction)
    }
}

/// Admin: replaces a service's fields (its id, reputation and counts stay).
public struct UpdateServiceRequest: Codable, Sendable, Equatable {
    public var adminToken: String
    public var id: String
    public var service: ServiceFields

    public init(adminToken: String, id: String, service: ServiceFields) {
        (self.adminToken, self.id, self.service) = (adminToken, id, service)
    }
}

/// Admin: removes a service.
public struct RemoveServiceRequest: Codable, Sendable, Equatable {
    public var adminToken: String
    public var id: String

    public init(adminToken: String, id: String) {
        (self.adminToken, self.id) = (adminToken, id)
    }
}

public struct RemoveServiceReply: Codable, Sendable, Equatable {
    public var removed: ServiceEntry

    public init(removed: ServiceEntry) {
        self.removed = removed
    }
}

/// How discovery orders its results.
public enum DiscoverySort: String, Codable, Sendable, CaseIterable {
    /// Best first: free-text relevance, then reputation (the default).
    case relevance
    /// Cheapest first.
    case price
    /// Highest reputation first.
    case reputation
    /// Most calls first.
    case calls
    /// Fastest first (services with no latency yet last).
    case latency
}

/// Finds services. Every filter is optional; results come a page at a time with the total.
public struct DiscoverRequest: Codable, Sendable, Equatable {
    /// Words that must all appear in the name, description or category (1 to 200 characters).
    public var query: String?
    public var category: String?
    /// Price bounds in human decimals of the service's own token.
    public var minPrice: String?
    public var maxPrice: String?
    public var minReputation: Double?
    public var mcpCompatible: Bool?
    public var pricing: PricingModel?
    public var network: String?
    public var sort: DiscoverySort?
    /// 1 to 100 (default 20).
    public var limit: Int?
    public var offset: Int?

    public init(
        query: String? = nil, category: String? = nil, minPrice: String? = nil, maxPrice: String? = nil, minReputation: Double? = nil,
        mcpCompatible: Bool? = nil, pricing: PricingModel? = nil, network: String? = nil, sort: DiscoverySort? = nil,
        limit: Int? = nil, offset: Int? = nil
    ) {
        (self.query, self.category, self.minPrice, self.maxPrice, self.minReputation) = (query, category, minPrice, maxPrice, minReputation)
        (self.mcpCompatible, self.pricing, self.network, self.sort, self.limit, self.offset) = (mcpCompatible, pricing, network, sort, limit, offset)
    }
}

public struct DiscoverReply: Codable, Sendable, Equatable {
    public var services: [ServiceEntry]
    /// How many match in all, across pages.
    public var total: Int
    public var limit: Int
    public var offset: Int

    public init(services: [ServiceEntry], total: Int, limit: Int, offset: Int) {
        (self.services, self.total, self.limit, self.offset) = (services, total, limit, offset)
    }
}

public struct ServiceShowRequest: Codable, Sendable, Equatable {
    public var id: String

    public init(id: String) {
        self.id = id
    }
}

/// A service's current price; for `metered`, also what `units` cost.
public struct PricingRequest: Codable, Sendable, Hashable {
    public var id: String
    public var units: Int?

    public init(id: String, units: Int? = nil) {
        self.id = id
        self.units = units
    }
}

public struct PricingReply: Codable, Sendable, Equatable {
    public var id: String
    public var pricing: PricingModel
    public var price: Amount
    public var token: String
    public var decimals: Int
    public var unit: String?
    public var periodSeconds: Int?
    /// For `metered` with `units`: price × units.
    public var units: Int?
    public var total: Amount?

    public init(
        id: String, pricing: PricingModel, price: Amount, token: String, decimals: Int, unit: String?, periodSeconds: Int?, units: Int?,
        total: Amount?
    ) {
        (self.id, self.pricing, self.price, self.token, self.decimals) = (id, pricing, price, token, decimals)
        (self.unit, self.periodSeconds, self.units, self.total) = (unit, periodSeconds, units, total)
    }
}
