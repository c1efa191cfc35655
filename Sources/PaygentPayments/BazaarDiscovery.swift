import Foundation
import Hummingbird
import Logging
import PaygentLedger
import PaygentMoney
import PaygentRegistryAPI
import PaygentTransport
import PaygentWire
import PaygentX402

/// The x402 Bazaar discovery list on the facilitator's HTTP API, `GET /discovery/resources`
/// (`type`, `limit`, `offset`), in the x402 v2 specification's shape, fed from the registry's
/// catalog: one item per catalogued `http` resource, with the offer a payer signs for it.
struct BazaarDiscovery: Sendable {
    let registry: RPCClient
    let ledger: any SettlementBackend

    struct Item: Encodable {
        let resource: String
        let type = "http"
        let x402Version = 2
        let accepts: [PaymentRequirements]
        /// Unix seconds of the catalog entry's last change.
        let lastUpdated: Int
        let metadata: [String: JSONValue]
    }

    struct Page: Encodable {
        let x402Version = 2
        let items: [Item]
        let pagination: Pagination
    }

    struct Pagination: Encodable {
        let limit: Int
        let offset: Int
        let total: Int
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("discovery/resources") { request, _ -> Response in
            let query = request.uri.queryParameters
            let limit = query.get("limit").map { Int($0) ?? -1 } ?? 20
            let offset = query.get("offset").map { Int($0) ?? -1 } ?? 0
            guard (1...100).contains(limit), offset >= 0 else {
                return Self.json(["error": "limit is 1 to 100 and offset 0 or more"], status: .badRequest)
            }
            if let type = query.get("type"), type != "http" {
                return Self.json(Page(items: [], pagination: Pagination(limit: limit, offset: offset, total: 0)))
            }
            do {
                let reply = try await registry.call(RegistryMethod.discover, DiscoverRequest(limit: limit, offset: offset), deadline: .seconds(3))
                return Self.json(Page(items: reply.services.map(item), pagination: Pagination(limit: limit, offset: offset, total: reply.total)))
            } catch {
                return Self.json(["error": "the service catalog is not available: \((error as? PaygentError)?.message ?? "\(error)")"], status: .serviceUnavailable)
            }
        }
    }

    private func item(_ service: ServiceEntry) -> Item {
        let token = ledger.token(symbol: service.token)
        let extra: JSONValue? = token.map { .object(["name": .string($0.domainName), "version": .string($0.domainVersion)]) }
        var metadata: [String: JSONValue] = [
            "name": .string(service.name), "description": .string(service.description), "category": .string(service.category),
            "pricing": .string(service.pricing.rawValue), "reputation": .number(service.reputation),
            "totalCalls": .number(Double(service.totalCalls)), "method": .string(service.method),
        ]
        if let input = service.inputDescription { metadata["input"] = .string(input) }
        if let output = service.outputDescription { metadata["output"] = .string(output) }
        return Item(
            resource: service.url,
            accepts: [
                PaymentRequirements(
                    scheme: "exact", network: service.network, asset: token?.address.eip55 ?? service.token,
                    amount: service.price.description, payTo: service.payTo, maxTimeoutSeconds: 300, extra: extra)
            ],
            lastUpdated: Int(service.updatedAt.timeIntervalSince1970), metadata: metadata)
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}

/// Sends the registry each resource that a payment settled here declared with the `bazaar`
/// extension, so that it is catalogued or its terms refreshed. In the background: a settlement
/// never waits for the registry, and a registry that is down only costs the catalogue an entry.
struct BazaarCataloguer: Sendable {
    let registry: RPCClient
    let logger: Logger

    func settled(_ request: FacilitatorRequest, _ response: SettleResponse) {
        guard case .v2(let payload) = request.payment, let url = request.offer.resource ?? payload.resource?.url else { return }
        if let problem = JSONValue.bazaarProblem(payload.extensions) {
            logger.notice("a bazaar extension fails its own schema; not catalogued", metadata: ["bazaar.url": "\(url)", "bazaar.problem": "\(problem)"])
            return
        }
        let (input, output) = JSONValue.bazaarInfo(payload.extensions)
        let catalogued = CatalogueRequest(
            url: url, network: request.offer.network, asset: request.offer.asset, amount: request.offer.amount, payTo: request.offer.payTo,
            description: payload.resource?.description, input: input, output: output, transaction: response.transaction)
        let (registry, logger) = (self.registry, self.logger)
        Task {
            do {
                _ = try await registry.call(RegistryMethod.catalogue, catalogued, deadline: .seconds(5))
            } catch {
                logger.notice("a bazaar resource was not catalogued", metadata: ["bazaar.url": "\(url)", "error": "\(error)"])
            }
        }
    }
}
