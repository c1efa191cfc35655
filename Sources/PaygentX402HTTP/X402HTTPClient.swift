import AsyncHTTPClient
import BigInt
import Foundation
import NIOCore
import NIOHTTP1
import PaygentCrypto
import PaygentX402

/// Fetches x402-protected resources: requests the resource; on 402 reads the requirements (v2
/// header or v1 body), picks one it can pay, lets the caller approve and sign it, and retries with
/// the payment. Transient failures (connection refused, timeouts, 5xx) are retried with
/// exponential backoff and jitter, always with the same signed payment: never a second one.
///
/// With an `OfferCache`, a resource whose price the client learned recently is paid on the first
/// request (no 402 round trip). If the server refuses that payment because its terms changed, the
/// client pays once more at the new terms; if it refuses it for any other reason, that refusal is
/// the answer and nothing more is signed.
public struct X402HTTPClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Data
        /// The offer paid, the payment sent and the facilitator's settlement, when there was one.
        public var paid: Offer?
        public var payment: AnyPaymentPayload?
        public var settlement: SettleResponse?
        /// Why `body` is empty although the server sent one (it was larger than the limit).
        public var bodyProblem: String?
        /// Served on a `sign-in-with-x` proof, without payment.
        public var signedIn = false

        /// The first header named `name`, compared without regard to ASCII case.
        public func header(_ name: String) -> String? {
            headers.first { Self.sameName($0.0, name) }?.1
        }

        static func sameName(_ a: String, _ b: String) -> Bool {
            a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { x, y in
                x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A)
            }
        }
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    private let client: HTTPClient
    public var attempts: Int
    public var timeout: TimeAmount
    public let offerCache: OfferCache?
    /// The largest body read; a larger one is dropped (`bodyProblem` says so) while the status,
    /// headers and settlement are kept.
    public var maxBodyBytes: Int

    public init(
        client: HTTPClient = X402HTTPClient.payingClient, attempts: Int = 3, timeout: TimeAmount = .seconds(20),
        offerCache: OfferCache? = nil, maxBodyBytes: Int = 8 << 20
    ) {
        self.client = client
        self.attempts = attempts
        self.timeout = timeout
        self.offerCache = offerCache
        self.maxBodyBytes = maxBodyBytes
    }

    /// The HTTP client a payer should use: it follows no redirect (a redirect would carry the
    /// signed payment header to another host, and the answer would not be the resource paid for),
    /// and a refused connection fails at once instead of being retried until the deadline.
    public static let payingClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(3)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// What a resource answers when asked without paying: its HTTP status and, when that is
    /// 402, the offers it accepts and its 402's `extensions` (x402 v2, such as `bazaar`).
    public struct Terms: Sendable {
        public var status: Int
        public var offers: [Offer]
        public var extensions: JSONValue?
        /// The 402's `resource.description`, when it gives one.
        public var description: String?
    }

    /// Asks `url` once, without paying, for its terms.
    public func terms(_ url: String, method: HTTPMethod = .GET) async throws -> Terms {
        let deadline = ContinuousClock.now + .nanoseconds(Int64(timeout.nanoseconds) * Int64(max(1, attempts)))
        let response = try await send(url: url, method: method, body: nil, headers: [], deadline: deadline)
        guard response.status == 402 else { return Terms(status: response.status, offers: []) }
        var terms = Terms(status: 402, offers: try Self.offers(from: response))
        if let header = response.header(X402Header.paymentRequired),
            let required = try? HeaderCodec.decode(PaymentRequired.self, from: header)
        {
            terms.extensions = required.extensions
            terms.description = required.resource?.description
        }
        return terms
    }

    /// The offers a resource asks for, without paying (`quote`).
    public func quote(_ url: String) async throws -> [Offer] {
        let deadline = ContinuousClock.now + .nanoseconds(Int64(timeout.nanoseconds) * Int64(max(1, attempts)))
        let first = try await send(url: url, method: .GET, body: nil, headers: [], deadline: deadline)
        guard first.status == 402 else { return [] }
        return try Self.offers(from: first)
    }

    /// Answers a resource's `sign-in-with-x` challenge instead of paying, when the caller can.
    public struct SignInHook: Sendable {
        /// The `SIGN-IN-WITH-X` header to send for a 402's `extensions` (whose challenge may
        /// have been learned earlier: the hook dates and nonces its own proof), or nil to pay.
        public var proof: @Sendable (_ extensions: JSONValue?) async throws -> String?
        /// The resource refused the proof, for `reason`: throw to stop, return to pay.
        public var refused: @Sendable (_ reason: String) async throws -> Void

        public init(
            proof: @escaping @Sendable (_ extensions: JSONValue?) async throws -> String?,
            refused: @escaping @Sendable (_ reason: String) async throws -> Void
        ) {
            self.proof = proof
            self.refused = refused
        }
    }

    /// Fetches `url`, paying through `pay` when it answers 402 (or up front, when the offer cache
    /// knows its price). `pay` chooses among the offers (or throws to refuse, e.g. above a
    /// maximum) and returns a signed payment; it is called a second time only when a payment made
    /// from cached offers was refused because the resource's terms changed.
    ///
    /// With `signIn`, a resource whose 402 declares `sign-in-with-x` is first asked with a proof;
    /// only if the hook gives none, or the resource refuses it and the hook allows, is it paid.
    ///
    /// `deadline` bounds the whole fetch, retries included: no attempt is started or kept past it.
    public func fetch(
        _ url: String, method: HTTPMethod = .GET, body: Data? = nil, deadline: ContinuousClock.Instant? = nil, signIn: SignInHook? = nil,
        pay: @Sendable ([Offer]) async throws -> (Offer, AnyPaymentPayload)
    ) async throws -> Response {
        let deadline = deadline ?? ContinuousClock.now + .nanoseconds(Int64(timeout.nanoseconds) * Int64(max(1, attempts)))
        let key = "\(method.rawValue) \(url)"
        var triedSignIn = false
        if let offerCache, let known = offerCache.terms(for: key) {
            if let signIn, Self.declaresSignIn(known.extensions) {
                triedSignIn = true
                if let answer = try await signedIn(url, method, body, known.extensions, signIn, deadline) { return answer }
            } else {
                let (offer, payment) = try await pay(known.offers)
                let paid = try await send(url: url, method: method, body: body, offer: offer, payment: payment, deadline: deadline)
                guard paid.status == 402, paid.settlement == nil else { return paid }
                offerCache.forget(key)
                // Refused before settling. Pay again only if the terms changed since we learned them.
                guard let fresh = try? Self.challenge(of: paid), !fresh.offers.isEmpty, !fresh.offers.contains(where: { $0.hasSameTerms(as: offer) }) else {
                    return paid
                }
                offerCache.remember(fresh.offers, extensions: fresh.extensions, for: key)
                let (newOffer, newPayment) = try await pay(fresh.offers)
                return try await send(url: url, method: method, body: body, offer: newOffer, payment: newPayment, deadline: deadline)
            }
        }
        var first = try await send(url: url, method: method, body: body, headers: [], deadline: deadline)
        guard first.status == 402 else { return first }
        // The 402 is decoded once: its offers and extensions (a `bazaar` schema is not small).
        var terms = try Self.challenge(of: first)
        offerCache?.remember(terms.offers, extensions: terms.extensions, for: key)
        if let signIn, !triedSignIn, Self.declaresSignIn(terms.extensions) {
            if let answer = try await signedIn(url, method, body, terms.extensions, signIn, deadline) { return answer }
            // No proof, or one refused with the hook's leave to pay: ask for the terms again (they
            // may have changed since the first 402) and pay them.
            first = try await send(url: url, method: method, body: body, headers: [], deadline: deadline)
            guard first.status == 402 else { return first }
            terms = try Self.challenge(of: first)
        }
        let (offer, payment) = try await pay(terms.offers)
        return try await send(url: url, method: method, body: body, offer: offer, payment: payment, deadline: deadline)
    }

    /// The answer to a request carrying the hook's proof; nil when the hook gives none, or the
    /// resource refused it and the hook lets the caller pay instead.
    private func signedIn(
        _ url: String, _ method: HTTPMethod, _ body: Data?, _ extensions: JSONValue?, _ hook: SignInHook, _ deadline: ContinuousClock.Instant
    ) async throws -> Response? {
        guard let proof = try await hook.proof(extensions) else { return nil }
        var answer = try await send(url: url, method: method, body: body, headers: [(SignInWithX.header, proof)], deadline: deadline)
        guard answer.status == 402 else {
            answer.signedIn = true
            return answer
        }
        let reason = answer.header(X402Header.paymentRequired).flatMap { try? HeaderCodec.decode(PaymentRequired.self, from: $0) }?.error
        try await hook.refused(reason ?? "HTTP 402")
        return nil
    }

    static func declaresSignIn(_ extensions: JSONValue?) -> Bool {
        if case .object(let all)? = extensions { return all[SignInWithX.extensionKey] != nil }
        return false
    }

    /// A 402's offers and (v2) extensions, from one decoding of its `PAYMENT-REQUIRED` header, or
    /// of a v1 body.
    static func challenge(of response: Response) throws -> (offers: [Offer], extensions: JSONValue?) {
        guard let header = response.header(X402Header.paymentRequired) else {
            return (try Offer.parse(String(decoding: response.body, as: UTF8.self)), nil)
        }
        if let required = try? HeaderCodec.decode(PaymentRequired.self, from: header), required.x402Version == 2 {
            return (required.accepts.map { Offer($0, resource: required.resource?.url) }, required.extensions)
        }
        return (try Offer.parse(header), nil)
    }

    /// The request with a signed payment, and what the answer says of it.
    private func send(
        url: String, method: HTTPMethod, body: Data?, offer: Offer, payment: AnyPaymentPayload, deadline: ContinuousClock.Instant
    ) async throws -> Response {
        let headerName = payment.version == 1 ? X402Header.paymentV1 : X402Header.paymentSignature
        var paid = try await send(
            url: url, method: method, body: body, headers: [(headerName, try ExactSigner.header(payment))], deadline: deadline)
        paid.paid = offer
        paid.payment = payment
        let responseHeader = payment.version == 1 ? X402Header.paymentResponseV1 : X402Header.paymentResponse
        if let value = paid.header(responseHeader) {
            paid.settlement = try? HeaderCodec.decodeSettlement(value)
        }
        return paid
    }

    /// The requirements of a 402: the v2 header if present, else a v1 body.
    static func offers(from response: Response) throws -> [Offer] {
        if let header = response.header(X402Header.paymentRequired) {
            return try Offer.parse(header)
        }
        return try Offer.parse(String(decoding: response.body, as: UTF8.self))
    }

    /// One request, retried on transient failures with backoff (100 ms doubling, ±50 % jitter),
    /// within `deadline`.
    private func send(url: String, method: HTTPMethod, body: Data?, headers: [(String, String)], deadline: ContinuousClock.Instant) async throws -> Response {
        var delay = 0.1
        var lastError: (any Error)?
        var tried = 0
        for attempt in 1...max(1, attempts) {
            let left = deadline - ContinuousClock.now
            guard left > .milliseconds(50) else { break }
            tried = attempt
            var request = HTTPClientRequest(url: url)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(data: body))
            }
            do {
                let (seconds, attoseconds) = left.components
                let attemptTimeout = min(timeout, .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
                let response = try await client.execute(request, timeout: attemptTimeout)
                var result = Response(
                    status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Data())
                let declared = response.headers.first(name: "Content-Length").flatMap(Int.init)
                if let declared, declared > maxBodyBytes {
                    result.bodyProblem = "the response body is \(declared) bytes, more than the \(maxBodyBytes) bytes accepted; not returned"
                } else {
                    do {
                        result.body = Data(buffer: try await response.body.collect(upTo: maxBodyBytes))
                    } catch is NIOTooManyBytesError {
                        result.bodyProblem = "the response body is more than the \(maxBodyBytes) bytes accepted; not returned"
                    }
                }
                if response.status.code >= 500 && attempt < attempts {
                    lastError = Failure("\(url) answered \(response.status.code)")
                } else {
                    return result
                }
            } catch {
                lastError = error
                if attempt == attempts { break }
            }
            let pause = Duration.milliseconds(Int(delay * 1000 * Double.random(in: 0.5...1.5)))
            guard ContinuousClock.now + pause < deadline else { break }
            try await Task.sleep(for: pause)
            delay *= 2
        }
        throw Failure("\(url) could not be reached (\(tried) attempt\(tried == 1 ? "" : "s")): \(lastError.map(Self.describe) ?? "no time left before the deadline")")
    }

    /// A transport error as a person reads it.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "the connection timed out"
            case .deadlineExceeded, .readTimeout: return "no answer within the time allowed"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: break
            }
        }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED { return "connection refused" }
        return "\(error)"
    }
}
