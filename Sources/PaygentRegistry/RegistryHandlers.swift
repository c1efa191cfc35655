import Foundation
import Logging
import PaygentMoney
import PaygentPaymentsAPI
import PaygentRegistryAPI
import PaygentRuntime
import PaygentServiceKit
import PaygentTransport
import PaygentWire
import Synchronization

/// The registry's methods over its catalog: discovery, details and prices through the lookup
/// cache; register, update and remove for the administrator, each of which empties the cache.
struct RegistryHandlers: HandlerGroup {
    let store: CatalogStore
    let admin: AdminCredential
    let tokens: TokenDirectory
    let services: LookupCache<DiscoveryFilter, EncodedReply<DiscoverReply>>
    let entries: LookupCache<String, ServiceEntry>
    let prices: LookupCache<PricingRequest, PricingReply>
    let time: ServiceTime
    let random: RandomSource

    func register(on server: RPCServer) {
        // Discovery answers are kept encoded: a cached answer is served without encoding it again,
        // on the socket thread when nothing else is in flight (a miss is one indexed read).
        server.registerEncoded(RegistryMethod.discover, placement: .loopWhenIdle) { request, _ in
            let filter = try RegistryRules.filter(request)
            return try services.value(filter) {
                let (found, total) = try store.discover(filter)
                return try RegistryMethod.discover.encode(DiscoverReply(services: found, total: total, limit: filter.limit, offset: filter.offset))
            }
        }
        server.register(RegistryMethod.show) { request, _ in
            try entries.value(request.id) { try entry(request.id) }
        }
        server.register(RegistryMethod.pricing) { request, _ in
            try prices.value(request) {
                let service = try entry(request.id)
                var units: Int?
                var total: Amount?
                if let count = request.units {
                    guard service.pricing == .metered else { throw PaygentError(.badRequest, "units: \(service.id) is not metered") }
                    guard count > 0, count <= 1_000_000_000 else { throw PaygentError(.badRequest, "units: 1 to 1,000,000,000") }
                    units = count
                    total = try Amount(baseUnits: service.price.baseUnits * .init(count))
                }
                return PricingReply(
                    id: service.id, pricing: service.pricing, price: service.price, token: service.token, decimals: service.decimals,
                    unit: service.unit, periodSeconds: service.periodSeconds, units: units, total: total)
            }
        }
        server.register(RegistryMethod.register) { request, context in
            try admin.check(request.adminToken)
            return try await insert(request.service, context, "service registered")
        }
        server.register(RegistryMethod.add) { request, context in
            try admin.check(request.adminToken)
            return try await insert(try await ResourceTerms(tokens: tokens).fields(request), context, "service added from its 402")
        }
        server.register(RegistryMethod.catalogue) { request, context in
            guard let token = try await tokens.token(address: request.asset), let amount = try? Amount(baseUnitsString: request.amount) else {
                throw PaygentError(.badRequest, "asset and amount: a token of the payments service and base units")
            }
            let fields = ServiceFields(
                name: request.description.map { String($0.prefix(100)) } ?? ResourceTerms.name(request.url),
                description: String((request.description ?? "").prefix(2000)), category: "uncategorized", url: request.url,
                pricing: .payPerCall, price: amount.formatted(decimals: token.decimals), token: token.symbol, network: request.network,
                payTo: request.payTo, inputDescription: request.input, outputDescription: request.output)
            // A resource already catalogued keeps its id, name, category and figures; its terms are refreshed.
            if let old = try store.entries(url: request.url).first {
                var refreshed = fields
                (refreshed.name, refreshed.description, refreshed.category) = (old.name, old.description, old.category)
                let entry = try await RegistryRules.entry(refreshed, id: old.id, decimals: tokens.decimals, now: time.now(), keeping: old)
                _ = try store.replace(entry)
                invalidate()
                return entry
            }
            return try await insert(fields, context, "service catalogued from a settled payment")
        }
        server.register(RegistryMethod.update) { request, context in
            try admin.check(request.adminToken)
            let old = try entry(request.id)
            let updated = try await RegistryRules.entry(request.service, id: old.id, decimals: tokens.decimals, now: time.now(), keeping: old)
            guard let written = try store.replace(updated) else { throw PaygentError(.notFound, "no service \(request.id)") }
            invalidate()
            context.logger.info("service updated", metadata: ["registry.id": "\(old.id)"])
            return written
        }
        server.register(RegistryMethod.remove) { request, context in
            try admin.check(request.adminToken)
            guard let removed = try store.remove(id: request.id) else { throw PaygentError(.notFound, "no service \(request.id)") }
            invalidate()
            context.logger.info("service removed", metadata: ["registry.id": "\(removed.id)"])
            return RemoveServiceReply(removed: removed)
        }
    }

    /// Checks `fields`, gives them a new id, and writes them.
    private func insert(_ fields: ServiceFields, _ context: RequestContext, _ event: Logger.Message) async throws -> ServiceEntry {
        let id = "svc_" + Hex.encode(random.bytes(6))
        let entry = try await RegistryRules.entry(fields, id: id, decimals: tokens.decimals, now: time.now())
        try store.insert(entry)
        invalidate()
        context.logger.info(event, metadata: ["registry.id": "\(id)", "registry.url": "\(entry.url)"])
        return entry
    }

    private func entry(_ id: String) throws -> ServiceEntry {
        guard id.count <= 64, let found = try store.entry(id: id) else {
            throw PaygentError(.notFound, "no service \(id.prefix(64)); find ids with `paygent services discover`")
        }
        return found
    }

    private func invalidate() {
        services.invalidate()
        entries.invalidate()
        prices.invalidate()
    }
}

/// The tokens the payments service settles, asked of it once and then remembered: a
/// registration's price must be in one of them.
final class TokenDirectory: Sendable {
    private let client: RPCClient
    private let known = Mutex<[TokenInfo]?>(nil)

    init(client: RPCClient) {
        self.client = client
    }

    func decimals(_ symbol: String) async throws(PaygentError) -> Int {
        let tokens = try await all()
        guard let token = tokens.first(where: { $0.symbol == symbol }) else {
            throw PaygentError(.badRequest, "token: \(symbol) is not a token of the payments service; known: \(tokens.map(\.symbol).joined(separator: ", "))")
        }
        return token.decimals
    }

    /// The token at a contract address, if the payments service settles it.
    func token(address: String) async throws(PaygentError) -> TokenInfo? {
        try await all().first { $0.address.lowercased() == address.lowercased() }
    }

    private func all() async throws(PaygentError) -> [TokenInfo] {
        if let tokens = known.withLock({ $0 }) { return tokens }
        do {
            let reply = try await client.call(PaymentsMethod.tokens, TokensRequest(), deadline: .seconds(3))
            known.withLock { $0 = reply.tokens }
            return reply.tokens
        } catch {
            throw PaygentError(.unavailable, "cannot check the token: the payments service did not answer (\(error.message))")
        }
    }
}
