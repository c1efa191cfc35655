import Foundation
import NIOHTTP1
import PaygentMoney
import PaygentRegistryAPI
import PaygentWire
import PaygentX402
import PaygentX402HTTP

/// Reads a resource's own 402 (either protocol version) into the fields of a registration: the
/// first `exact` offer on a known network in a token the payments service settles gives the
/// price, token, network and pay-to; the v2 `bazaar` extension's `info.input` and `info.output`
/// give the input and output description (as JSON text).
struct ResourceTerms {
    let tokens: TokenDirectory
    let client = X402HTTPClient(attempts: 1, timeout: .seconds(5))

    func fields(_ request: AddServiceRequest) async throws(PaygentError) -> ServiceFields {
        let url = try RegistryRules.url(request.url)
        let method = (request.method ?? "GET").uppercased()
        guard method == "GET" || method == "POST" else { throw PaygentError(.badRequest, "method: GET or POST") }
        let terms: X402HTTPClient.Terms
        do {
            terms = try await client.terms(url, method: method == "POST" ? .POST : .GET)
        } catch {
            throw PaygentError(.unavailable, "cannot reach \(url): \(error)")
        }
        guard terms.status == 402 else {
            throw PaygentError(.failedPrecondition, "\(url) answered HTTP \(terms.status), not 402 Payment Required: it asks for no payment, so there is nothing to register")
        }
        if let problem = JSONValue.bazaarProblem(terms.extensions) {
            throw PaygentError(.badRequest, "\(url) declares a bazaar extension that fails its own schema: \(problem)")
        }
        for offer in terms.offers where offer.scheme == "exact" {
            guard (try? RegistryRules.network(offer.network)) != nil, let token = try await tokens.token(address: offer.asset),
                let amount = try? Amount(baseUnitsString: offer.amount)
            else { continue }
            let bazaar = JSONValue.bazaarInfo(terms.extensions)
            return ServiceFields(
                name: request.name ?? terms.description ?? Self.name(url), description: request.description ?? terms.description ?? "",
                category: request.category ?? "uncategorized", url: url, method: method, pricing: .payPerCall,
                price: amount.formatted(decimals: token.decimals), token: token.symbol, network: offer.network, payTo: offer.payTo,
                mcpCompatible: false, inputDescription: bazaar.input, outputDescription: bazaar.output)
        }
        throw PaygentError(
            .failedPrecondition,
            "\(url) asks for no payment Paygent can make (the exact scheme, a known network, a token of the payments service): \(terms.offers.map { "\($0.scheme) on \($0.network) in \($0.asset)" }.joined(separator: "; "))")
    }

    /// A name from the URL when the 402 gives none: host and path.
    static func name(_ url: String) -> String {
        guard let parsed = URL(string: url) else { return url }
        return "\(parsed.host ?? "")\(parsed.path)"
    }
}
