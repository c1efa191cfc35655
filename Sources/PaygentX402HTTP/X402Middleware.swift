import Foundation
import HTTPTypes
import Hummingbird
import PaygentX402

/// Puts x402 in front of routes: a request without payment gets 402 with the requirements (the
/// v2 `PAYMENT-REQUIRED` header and a v1 JSON body at once); a paid request (`PAYMENT-SIGNATURE`
/// or `X-PAYMENT`) is verified by the facilitator, served, then settled, and the answer carries
/// the settlement (`PAYMENT-RESPONSE` / `X-PAYMENT-RESPONSE`).
///
/// Prices are keyed by route as the router matched it (`context.endpointPath`), not by the
/// request's spelling of the path: hummingbird's router ignores empty segments, so `/prices/`
/// and `//prices` reach the `/prices` handler and are charged as it is. Add the middleware to the
/// router (or a group) before the paid routes: hummingbird runs router middleware only for a
/// matched route, so an unknown path is 404 before any payment logic. A route that reaches this
/// middleware without a price is refused (500), never served free.
///
/// One settled payment buys one response: every request settles its own call, and the
/// facilitator settles an authorization once, so a header sent again, or many times at once,
/// gets 402 with the reason on all but one.
public struct X402Middleware<Context: RequestContext>: RouterMiddleware {
    /// What a route costs: one or more offers (exact scheme), keyed by path.
    public struct Price: Sendable {
        public var offers: [PaymentRequirements]
        public var description: String
        /// The v2 402's `extensions` (`bazaar`: how to call the route and what it returns).
        public var extensions: JSONValue?
        /// The route also serves a `sign-in-with-x` proof that `SignInAccess` grants, unpaid.
        public var signIn: Bool

        public init(offers: [PaymentRequirements], description: String, extensions: JSONValue? = nil, signIn: Bool = false) {
            self.offers = offers
            self.description = description
            self.extensions = extensions
            self.signIn = signIn
        }
    }

    /// Keyed by route path as registered (`/prices`).
    public let prices: [String: Price]
    public let facilitator: any Facilitator
    public let publicBaseURL: String
    /// Who may use the `signIn` routes without paying; without it, no route is served on a proof.
    public let signIn: SignInAccess?
    /// The plain 402 of each route without sign-in (header and v1 body), encoded once: it is the
    /// same for every unpaid request, and encoding a `bazaar` schema each time cost a paid
    /// request that asks the price first about a quarter of its time.
    private let unpaidChallenges: [String: (header: String, body: Data)]
    static var unpaidError: String { "Payment required" }

    public init(prices: [String: Price], facilitator: any Facilitator, publicBaseURL: String, signIn: SignInAccess? = nil) {
        self.prices = prices
        self.facilitator = facilitator
        self.publicBaseURL = publicBaseURL
        self.signIn = signIn
        var challenges: [String: (header: String, body: Data)] = [:]
        for (route, price) in prices where !price.signIn {
            let resource = Self.resource(price, route: route, publicBaseURL: publicBaseURL)
            challenges[route] = Self.encodedChallenge(price, resource, error: Self.unpaidError, signIn: nil)
        }
        unpaidChallenges = challenges
    }

    static func resource(_ price: Price, route: String, publicBaseURL: String) -> ResourceInfo {
        ResourceInfo(url: publicBaseURL + route, description: price.description, mimeType: "application/json")
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // No route matched: hummingbird's not-found answer (404), with no payment logic.
        guard let route = context.endpointPath else { return try await next(request, context) }
        guard let price = prices[route] else {
            return Response(status: .internalServerError, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"error":"this route has no price configured"}"#)))
        }
        let resource = Self.resource(price, route: route, publicBaseURL: publicBaseURL)
        let header = request.headers[X402FieldName.paymentSignature] ?? request.headers[X402FieldName.paymentV1]
        // A sign-in proof is looked at only on a route that takes one; a refused proof leaves the
        // payment, if the request carries one, to decide.
        var signInRefusal: String?
        if price.signIn, let signIn, let proof = request.headers[X402FieldName.signIn] {
            switch await signIn.admit(proof, resource: resource.url, origin: publicBaseURL) {
            case .success: return try await next(request, context)
            case .failure(let refusal): signInRefusal = "sign-in-with-x refused: \(refusal.message)"
            }
        }
        guard let header else {
            if signInRefusal == nil, let challenge = unpaidChallenges[route] { return Self.response(challenge) }
            return paymentRequired(price, resource, error: signInRefusal ?? Self.unpaidError)
        }
        let payment: AnyPaymentPayload
        do throws(X402DecodingError) {
            payment = try HeaderCodec.decodePayment(header)
        } catch {
            return paymentRequired(price, resource, error: "Invalid payment header: \(error.message)")
        }
        let offers = price.offers.map { Offer($0, resource: resource.url) }
        guard let offer = offers.first(where: { offer in
            offer.scheme == payment.scheme && Network(offer.network) == Network(payment.network)
        }) else {
            return paymentRequired(price, resource, error: "No matching payment requirements")
        }
        var call = FacilitatorRequest(payment: payment, offer: offer.withVersion(payment.version))
        call.paymentHeader = header
        // This request's own settle call: its retries are answered with its first result, while
        // another request carrying the same header settles nothing.
        call.settlementKey = UUID().uuidString
        let verification = await facilitator.verify(call)
        guard verification.isValid else {
            return paymentRequired(price, resource, error: verification.invalidReason ?? "invalid payment")
        }
        var response = try await next(request, context)
        guard response.status.code < 400 else { return response }
        let settlement = await facilitator.settle(call)
        let encoded = (try? HeaderCodec.encode(settlement)) ?? ""
        let responseHeader = payment.version == 1 ? X402FieldName.paymentResponseV1 : X402FieldName.paymentResponse
        guard settlement.success else {
            var failed = paymentRequired(price, resource, error: settlement.errorReason ?? "settlement failed")
            failed.headers[responseHeader] = encoded
            return failed
        }
        response.headers[responseHeader] = encoded
        return response
    }

    private func paymentRequired(_ price: Price, _ resource: ResourceInfo, error: String) -> Response {
        Self.response(Self.encodedChallenge(price, resource, error: error, signIn: price.signIn ? signIn.map { ($0, publicBaseURL) } : nil))
    }

    private static func response(_ challenge: (header: String, body: Data)) -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        headers[X402FieldName.paymentRequired] = challenge.header
        return Response(status: .init(code: 402), headers: headers, body: .init(byteBuffer: ByteBuffer(data: challenge.body)))
    }

    /// A 402's `PAYMENT-REQUIRED` header (v2) and JSON body (v1); with `signIn`, the v2
    /// extensions also declare `sign-in-with-x` (a fresh challenge each time).
    private static func encodedChallenge(
        _ price: Price, _ resource: ResourceInfo, error: String, signIn: (access: SignInAccess, origin: String)?
    ) -> (header: String, body: Data) {
        var v2 = PaymentRequired(error: error, resource: resource, accepts: price.offers)
        v2.extensions = price.extensions
        if let (signIn, publicBaseURL) = signIn {
            var all: [String: JSONValue] = [:]
            if case .object(let declared)? = price.extensions { all = declared }
            all[SignInWithX.extensionKey] = signIn.declaration(resource: resource.url, origin: publicBaseURL)
            v2.extensions = .object(all)
        }
        let v1 = PaymentRequiredV1(
            x402Version: 1, error: error,
            accepts: price.offers.map { Offer($0, resource: resource.url).requirementsV1(description: resource.description) })
        return ((try? HeaderCodec.encode(v2)) ?? "", (try? JSONEncoder().encode(v1)) ?? Data("{}".utf8))
    }
}

/// The x402 header names, made once rather than per request.
enum X402FieldName {
    static let paymentSignature = HTTPField.Name(X402Header.paymentSignature)!
    static let paymentV1 = HTTPField.Name(X402Header.paymentV1)!
    static let paymentRequired = HTTPField.Name(X402Header.paymentRequired)!
    static let paymentResponse = HTTPField.Name(X402Header.paymentResponse)!
    static let paymentResponseV1 = HTTPField.Name(X402Header.paymentResponseV1)!
    static let signIn = HTTPField.Name(SignInWithX.header)!
}

extension Offer {
    /// The same offer as the given protocol version names it (v1 uses legacy network names).
    func withVersion(_ version: Int) -> Offer {
        var copy = self
        copy.version = version
        if version == 1, let network = Network(network), let name = network.v1Name { copy.network = name }
        return copy
    }

    func requirementsV1(description: String?) -> PaymentRequirementsV1 {
        var v1 = withVersion(1).requirementsV1
        v1.description = description
        v1.mimeType = "application/json"
        return v1
    }
}
