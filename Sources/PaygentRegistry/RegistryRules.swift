import Foundation
import PaygentMoney
import PaygentRegistryAPI
import PaygentServiceKit
import PaygentWire
import PaygentX402

/// What the registry accepts: every field of a registration and every discovery filter, refused
/// with `bad_request` naming the field and what is wrong, before anything is written or read.
enum RegistryRules {
    static let maxLimit = 100
    static let defaultLimit = 20
    static let maxQueryCharacters = 200

    /// A registration's fields as an entry; `decimals` of its token come from the payments service.
    static func entry(
        _ fields: ServiceFields, id: String, decimals: (String) async throws(PaygentError) -> Int, now: Date,
        keeping old: ServiceEntry? = nil
    ) async throws(PaygentError) -> ServiceEntry {
        let name = fields.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100 else { throw PaygentError(.badRequest, "name: 1 to 100 characters") }
        guard fields.description.count <= 2000 else { throw PaygentError(.badRequest, "description: at most 2000 characters") }
        guard fields.category.range(of: #"^[a-z0-9]+(-[a-z0-9]+)*$"#, options: .regularExpression) != nil, fields.category.count <= 40 else {
            throw PaygentError(.badRequest, "category: lower-case words joined by '-' (market-data), at most 40 characters")
        }
        let url = try Self.url(fields.url)
        let method = (fields.method ?? "GET").uppercased()
        guard method == "GET" || method == "POST" else { throw PaygentError(.badRequest, "method: GET or POST") }
        let network = try Self.network(fields.network)
        let payTo = try Validate.recipient(fields.payTo, field: "payTo")
        let token = fields.token.uppercased()
        let tokenDecimals = try await decimals(token)
        let price = try Validate.amount(fields.price, decimals: tokenDecimals, field: "price")
        switch fields.pricing {
        case .payPerCall:
            guard fields.unit == nil, fields.periodSeconds == nil else {
                throw PaygentError(.badRequest, "unit and periodSeconds are for metered and subscription pricing only")
            }
        case .metered:
            guard let unit = fields.unit, !unit.isEmpty, unit.count <= 40 else {
                throw PaygentError(.badRequest, "unit: metered pricing needs what one unit is (1 to 40 characters, e.g. '1k tokens')")
            }
        case .subscription:
            guard let period = fields.periodSeconds, period >= 60, period <= 366 * 86_400 else {
                throw PaygentError(.badRequest, "periodSeconds: subscription pricing needs a period of 60 s to 366 days")
            }
        }
        return ServiceEntry(
            id: id, name: name, description: fields.description, category: fields.category, url: url, method: method,
            pricing: fields.pricing, price: price, token: token, decimals: tokenDecimals, unit: fields.unit,
            periodSeconds: fields.periodSeconds, network: network, payTo: payTo.eip55, mcpCompatible: fields.mcpCompatible ?? false,
            inputDescription: fields.inputDescription, outputDescription: fields.outputDescription,
            reputation: old?.reputation ?? initialReputation, totalCalls: old?.totalCalls ?? 0, successRate: old?.successRate ?? 1,
            medianLatencyMillis: old?.medianLatencyMillis, createdAt: old?.createdAt ?? now, updatedAt: now)
    }

    /// A new service's reputation, before any payment: the middle of the scale.
    static let initialReputation = 2.5

    /// An http or https URL with a host and no credentials, as given.
    static func url(_ text: String) throws(PaygentError) -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.user == nil, url.password == nil, text.count <= 2048
        else {
            throw PaygentError(.badRequest, "url: an http or https URL with a host and no credentials, at most 2048 characters")
        }
        return text
    }

    /// A network x402 names (CAIP-2 `eip155:<id>` or a v1 name) for a chain Paygent knows, as CAIP-2.
    static func network(_ text: String) throws(PaygentError) -> String {
        guard let network = Network(text), Set(Network.v1Names.values).contains(network.chainID) else {
            throw PaygentError(.badRequest, "network: '\(text)' is not a known network; use eip155:<chain id> of a known chain (eip155:338 is Cronos testnet)")
        }
        return network.caip2
    }

    /// A discovery request as a filter for the store.
    static func filter(_ request: DiscoverRequest) throws(PaygentError) -> DiscoveryFilter {
        var filter = DiscoveryFilter()
        if let query = request.query {
            let trimmed = query.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, query.count <= maxQueryCharacters else {
                throw PaygentError(.badRequest, "query: 1 to \(maxQueryCharacters) characters (leave it out to list everything)")
            }
            filter.words = trimmed.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
                .filter { $0.unicodeScalars.contains { CharacterSet.alphanumerics.contains($0) } }
            guard !filter.words.isEmpty else { throw PaygentError(.badRequest, "query: needs a word with a letter or digit") }
        }
        filter.category = request.category
        func price(_ text: String?, _ field: String) throws(PaygentError) -> Double? {
            guard let text else { return nil }
            guard let value = Double(text), value.isFinite, value >= 0, text.range(of: #"^[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil else {
                throw PaygentError(.badRequest, "\(field): a decimal amount of 0 or more (0.10)")
            }
            return value
        }
        filter.minPrice = try price(request.minPrice, "minPrice")
        filter.maxPrice = try price(request.maxPrice, "maxPrice")
        if let minimum = filter.minPrice, let maximum = filter.maxPrice, minimum > maximum {
            throw PaygentError(.badRequest, "minPrice \(request.minPrice!) is above maxPrice \(request.maxPrice!)")
        }
        if let reputation = request.minReputation {
            guard reputation.isFinite, (0...5).contains(reputation) else { throw PaygentError(.badRequest, "minReputation: 0 to 5") }
            filter.minReputation = reputation
        }
        filter.mcpCompatible = request.mcpCompatible
        filter.pricing = request.pricing
        filter.network = try request.network.map { (text) throws(PaygentError) in try network(text) }
        filter.sort = request.sort ?? .relevance
        let limit = request.limit ?? defaultLimit
        guard (1...maxLimit).contains(limit) else { throw PaygentError(.badRequest, "limit: 1 to \(maxLimit)") }
        let offset = request.offset ?? 0
        guard offset >= 0 else { throw PaygentError(.badRequest, "offset: 0 or more") }
        filter.limit = limit
        filter.offset = offset
        return filter
    }
}
