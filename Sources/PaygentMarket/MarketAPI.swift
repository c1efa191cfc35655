import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PaygentX402
import PaygentX402HTTP
import Synchronization

/// The sample paid API: market data priced per call in USDC over x402. Every route is behind
/// `X402Middleware`; payments are verified and settled by the configured facilitator. `/feed`
/// also serves, unpaid, a wallet that signs in (`sign-in-with-x`) holding an active subscription.
public enum MarketAPI {
    /// Cronos testnet devUSDC.e, whose address and EIP-712 domain the local chain's USDC carries.
    public static let usdc = "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0"

    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        /// Where payments go.
        public var payTo: String
        /// Base units of USDC per call (100000 = 0.10 USDC).
        public var price: String

        public init(host: String, port: Int, payTo: String, price: String = "100000") {
            self.host = host
            self.port = port
            self.payTo = payTo
            self.price = price
        }
    }

    /// The API, verifying and settling payments through `facilitator` (the payments service over
    /// RPC when `paygent up` starts it, or any x402 facilitator over HTTP).
    /// - Parameter now: the wall clock the data is dated by (the executable passes the machine's).
    /// - Parameter signIn: who `/feed` serves on a sign-in proof (without it, `/feed` is only paid).
    public static func application(
        _ settings: Settings, facilitator: any Facilitator, logger: Logger, now: @escaping @Sendable () -> Date,
        signIn: SignInAccess? = nil
    ) -> some ApplicationProtocol {
        let offer = PaymentRequirements(
            scheme: "exact", network: "eip155:338", asset: usdc, amount: settings.price, payTo: settings.payTo,
            maxTimeoutSeconds: 300, extra: .object(["name": .string("Bridged USDC (Stargate)"), "version": .string("1")]))
        let baseURL = "http://\(settings.host):\(settings.port)"
        let router = Router()
        router.get("/health") { _, _ in json(["status": "ok"]) }
        // Router middleware applies to the routes added after it, once the router has matched them.
        let routes: [(path: String, description: String, output: JSONValue, subscription: Bool)] = [
            ("/prices", "Paygent sample market data: prices", .object(["CRO": .number(0.09), "BTC": .number(97000), "ETH": .number(3400)]), false),
            ("/summary", "Paygent sample market data: summary", .object(["volume24h": .number(1.2e9), "movers": .array([.string("CRO")])]), false),
            ("/feed", "Paygent sample market data: feed (per call, or by subscription)",
             .object(["asOf": .string("2026-12-02T12:00:00Z"), "events": .array([.string("CRO +2.10% in 1h")])]), true),
        ]
        var prices: [String: X402Middleware<BasicRequestContext>.Price] = [:]
        for route in routes {
            prices[route.path] = .init(
                offers: [offer], description: route.description, extensions: bazaar(output: route.output), signIn: route.subscription)
        }
        // `GET /`: the routes and their prices, free, for people and crawlers.
        let listing = routes.map { route in
            [
                "path": route.path, "description": route.description, "price": settings.price, "asset": usdc, "network": "eip155:338",
                "signIn": route.subscription && signIn != nil ? "sign-in-with-x: an active subscription is served unpaid" : "no",
            ]
        }
        router.get("/") { _, _ in json(["routes": listing]) }
        router.add(middleware: X402Middleware(prices: prices, facilitator: facilitator, publicBaseURL: baseURL, signIn: signIn))
        let rendered = RenderedMarketData(now: now)
        router.get("/prices") { _, _ in jsonResponse(rendered.current().prices) }
        router.get("/summary") { _, _ in jsonResponse(rendered.current().summary) }
        router.get("/feed") { _, _ in jsonResponse(rendered.current().feed) }
        return Application(
            router: router, server: HTTPServerTimeouts.server,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "paygent-market"),
            logger: logger)
    }

    /// The x402 `bazaar` extension of a GET route without parameters: `info` says how to call it
    /// and what it returns (an example), `schema` describes `info` (JSON Schema).
    static func bazaar(output example: JSONValue) -> JSONValue {
        .object([
            "bazaar": .object([
                "info": .object([
                    "input": .object(["type": .string("http"), "method": .string("GET")]),
                    "output": .object(["type": .string("json"), "example": example]),
                ]),
                "schema": .object([
                    "$schema": .string("https://json-schema.org/draft/2020-12/schema"), "type": .string("object"),
                    "properties": .object([
                        "input": .object(["type": .string("object")]), "output": .object(["type": .string("object")]),
                    ]),
                    "required": .array([.string("input")]),
                ]),
            ])
        ])
    }

    static func json<T: Encodable>(_ value: T) -> Response {
        jsonResponse(ByteBuffer(data: encoded(value)))
    }

    static func encoded<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    static func jsonResponse(_ body: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}

/// The market data's JSON, rendered once per second (its `asOf` has second precision) rather than
/// for every paid call.
final class RenderedMarketData: Sendable {
    private let cache = Mutex<(second: Int64, prices: ByteBuffer, summary: ByteBuffer, feed: ByteBuffer)?>(nil)
    private let now: @Sendable () -> Date

    init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    func current() -> (prices: ByteBuffer, summary: ByteBuffer, feed: ByteBuffer) {
        let second = Int64(now().timeIntervalSince1970.rounded(.down))
        if let cached = cache.withLock({ $0 }), cached.second == second { return (cached.prices, cached.summary, cached.feed) }
        let data = MarketData.at(Date(timeIntervalSince1970: TimeInterval(second)))
        let rendered = (
            second: second, prices: ByteBuffer(data: MarketAPI.encoded(data.prices)), summary: ByteBuffer(data: MarketAPI.encoded(data.summary)),
            feed: ByteBuffer(data: MarketAPI.encoded(data.feed)))
        cache.withLock { $0 = rendered }
        return (rendered.prices, rendered.summary, rendered.feed)
    }
}

/// Market data for the sample API: a reproducible random walk per minute, so clients see prices
/// move without any outside feed.
struct MarketData {
    struct Price: Encodable {
        var symbol: String
        var usd: String
        var change24h: String
    }

    struct Prices: Encodable {
        var asOf: Date
        var prices: [Price]
    }

    struct Summary: Encodable {
        var asOf: Date
        var headline: String
        var movers: [Price]
    }

    struct Feed: Encodable {
        var asOf: Date
        var events: [String]
    }

    let prices: Prices
    let summary: Summary
    let feed: Feed

    static let bases: [(String, Double)] = [("CRO", 0.0912), ("BTC", 96_210), ("ETH", 3_512), ("VVS", 0.0000031), ("USDC", 1)]

    static func at(_ date: Date) -> MarketData {
        let minute = UInt64(date.timeIntervalSince1970 / 60)
        var list: [Price] = []
        for (index, (symbol, base)) in bases.enumerated() {
            var state = minute &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index)
            state ^= state >> 31
            state = state &* 0xBF58_476D_1CE4_E5B9
            let unit = Double(state % 10_000) / 10_000  // 0 ..< 1
            let change = symbol == "USDC" ? 0 : (unit - 0.5) * 8  // ±4 %
            let price = base * (1 + change / 100)
            list.append(Price(symbol: symbol, usd: format(price), change24h: String(format: "%+.2f%%", change)))
        }
        let movers = list.filter { $0.symbol != "USDC" }.sorted { abs(Double($0.change24h.dropLast()) ?? 0) > abs(Double($1.change24h.dropLast()) ?? 0) }
        let top = movers.first!
        return MarketData(
            prices: Prices(asOf: date, prices: list),
            summary: Summary(asOf: date, headline: "\(top.symbol) leads the moves at \(top.change24h) (24h); BTC at $\(list[1].usd).", movers: Array(movers.prefix(3))),
            feed: Feed(asOf: date, events: movers.map { "\($0.symbol) \($0.change24h) (24h) at $\($0.usd)" }))
    }

    static func format(_ value: Double) -> String {
        value >= 1 ? String(format: "%.2f", value) : String(format: "%.8f", value)
    }
}
