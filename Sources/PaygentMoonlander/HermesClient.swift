import AsyncHTTPClient
import BigInt
import Foundation
import NIOCore
import PaygentWire

/// An oracle price in `PerpMath.priceDecimals` (USD with 8 decimals), with its confidence and
/// when it was published.
public struct OraclePrice: Sendable, Equatable {
    public var price: BigUInt
    public var confidence: BigUInt
    public var publishTime: Date

    public init(price: BigUInt, confidence: BigUInt, publishTime: Date) {
        (self.price, self.confidence, self.publishTime) = (price, confidence, publishTime)
    }
}

/// A client of Pyth's Hermes price service: `GET /v2/updates/price/latest?ids[]=…&parsed=true`,
/// whose `parsed` entries carry each feed's `price` as `{price, conf, expo, publish_time}`
/// (`price·10^expo` USD). No Hermes is reachable from this machine; the client is tested against
/// a local server answering in that shape.
///
/// An answer is refused rather than half used: a status other than 200, a body over 1 MiB, JSON
/// not in the shape, a feed asked for and missing, a price not positive, an exponent outside
/// −18…0, or a price published more than `maxAge` before now (stale).
public struct HermesClient: Sendable {
    public let baseURL: String
    public let maxAge: TimeInterval
    let http: HTTPClient
    let now: @Sendable () -> Date
    static let maxBodyBytes = 1 << 20

    public init(baseURL: String, maxAge: TimeInterval = 60, http: HTTPClient = .shared, now: @escaping @Sendable () -> Date) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.maxAge = maxAge
        self.http = http
        self.now = now
    }

    /// The latest price of each feed (ids as hex, with or without `0x`), by id as asked.
    public func latest(_ feeds: [String], timeout: TimeAmount = .seconds(5)) async throws(PaygentError) -> [String: OraclePrice] {
        let query = feeds.map { "ids[]=\($0)" }.joined(separator: "&")
        let url = "\(baseURL)/v2/updates/price/latest?\(query)&parsed=true"
        let body: ByteBuffer
        do {
            let response = try await http.execute(HTTPClientRequest(url: url), timeout: timeout)
            guard response.status == .ok else {
                throw PaygentError(.unavailable, "Hermes at \(baseURL) answered HTTP \(response.status.code)")
            }
            body = try await response.body.collect(upTo: Self.maxBodyBytes)
        } catch let error as PaygentError {
            throw error
        } catch {
            throw PaygentError(.unavailable, "Hermes at \(baseURL) could not be read: \(error)")
        }
        return try parse(Data(body.readableBytesView), feeds: feeds)
    }

    struct Latest: Decodable {
        struct Update: Decodable {
            var id: String
            var price: Price
        }

        struct Price: Decodable {
            var price: String
            var conf: String
            var expo: Int
            var publish_time: Int64
        }

        var parsed: [Update]
    }

    func parse(_ data: Data, feeds: [String]) throws(PaygentError) -> [String: OraclePrice] {
        let latest: Latest
        do {
            latest = try JSONDecoder().decode(Latest.self, from: data)
        } catch {
            throw PaygentError(.unavailable, "Hermes answered something other than a price update: \(error)")
        }
        let byID = Dictionary(latest.parsed.map { (Self.normalized($0.id), $0.price) }, uniquingKeysWith: { first, _ in first })
        var prices: [String: OraclePrice] = [:]
        for feed in feeds {
            guard let quote = byID[Self.normalized(feed)] else { throw PaygentError(.unavailable, "Hermes has no price for feed \(feed)") }
            guard (-18...0).contains(quote.expo) else { throw PaygentError(.unavailable, "feed \(feed): exponent \(quote.expo) is outside −18…0") }
            guard let price = Self.scaled(quote.price, expo: quote.expo), price > 0, let confidence = Self.scaled(quote.conf, expo: quote.expo) else {
                throw PaygentError(.unavailable, "feed \(feed): price '\(quote.price)' (conf '\(quote.conf)') is not a positive integer")
            }
            let published = Date(timeIntervalSince1970: TimeInterval(quote.publish_time))
            let age = now().timeIntervalSince(published)
            guard age <= maxAge else {
                throw PaygentError(.unavailable, "feed \(feed): the price is stale, published \(Int(age)) s ago (at most \(Int(maxAge)) s)")
            }
            prices[feed] = OraclePrice(price: price, confidence: confidence, publishTime: published)
        }
        return prices
    }

    /// Lower-case hex without `0x`.
    static func normalized(_ id: String) -> String {
        let lower = id.lowercased()
        return lower.hasPrefix("0x") ? String(lower.dropFirst(2)) : lower
    }

    /// `digits·10^expo` in units of 10^−8, rounded down; nil for anything but decimal digits.
    static func scaled(_ digits: String, expo: Int) -> BigUInt? {
        guard !digits.isEmpty, digits.utf8.count <= 40, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = BigUInt(digits, radix: 10) else {
            return nil
        }
        let shift = expo + PerpMath.priceDecimals
        return shift >= 0 ? value * BigUInt(10).power(shift) : value / BigUInt(10).power(-shift)
    }
}
