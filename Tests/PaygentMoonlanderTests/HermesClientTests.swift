import BigInt
import Foundation
import Hummingbird
import Logging
import PaygentMoonlander
import PaygentRuntime
import PaygentTestSupport
import PaygentWire
import ServiceLifecycle
import Synchronization
import XCTest

/// The Hermes client against a local server answering `/v2/updates/price/latest` in Hermes's
/// shape: prices scaled to 8 decimals from any exponent, and every malformed, partial, failing or
/// stale answer refused.
final class HermesClientTests: XCTestCase {
    static let btc = "e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43"
    static let eth = "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace"
    let now = Date(timeIntervalSince1970: 1_796_000_000)

    /// A local Hermes: answers each request with the current `answer` (status, body) and keeps
    /// the query strings it was asked.
    final class LocalHermes: Sendable {
        let port = freePort()
        let answer = Mutex<(status: Int, body: String)>((200, "{}"))
        let queries = Mutex<[String]>([])
        private let group = Mutex<ServiceGroup?>(nil)
        var url: String { "http://127.0.0.1:\(port)" }

        func start() async throws {
            let router = Router()
            router.get("/v2/updates/price/latest") { [self] request, _ -> Response in
                queries.withLock { $0.append(request.uri.query ?? "") }
                let (status, body) = answer.withLock { $0 }
                return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
            }
            let quiet = Logger(label: "hermes") { _ in SwiftLogNoOpLogHandler() }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: quiet)
            let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: quiet))
            self.group.withLock { $0 = group }
            Task { try? await group.run() }
            let deadline = ContinuousClock.now + .seconds(10)
            while !LoopbackTCP.reachable("127.0.0.1:\(port)") {
                guard ContinuousClock.now < deadline else { throw TestFailure("the local Hermes did not start") }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        func stop() async {
            await group.withLock { $0 }?.triggerGracefulShutdown()
        }
    }

    static func update(_ id: String, price: String, conf: String = "5000000", expo: Int = -8, published: Int64) -> String {
        #"{"id":"\#(id)","price":{"price":"\#(price)","conf":"\#(conf)","expo":\#(expo),"publish_time":\#(published)},"ema_price":{"price":"\#(price)","conf":"\#(conf)","expo":\#(expo),"publish_time":\#(published)},"metadata":{"slot":1}}"#
    }

    static func body(_ updates: [String]) -> String {
        #"{"binary":{"encoding":"hex","data":["504e4155"]},"parsed":[\#(updates.joined(separator: ","))]}"#
    }

    func testPricesAreReadScaledAndEveryBadAnswerIsRefused() async throws {
        let hermes = LocalHermes()
        try await hermes.start()
        let fixed = now
        let client = HermesClient(baseURL: hermes.url, maxAge: 30, now: { fixed })
        let published = Int64(now.timeIntervalSince1970) - 5
        hermes.answer.withLock {
            $0 = (200, Self.body([
                Self.update(Self.btc, price: "9621012345678", published: published),
                Self.update("0x" + Self.eth, price: "351204", conf: "12", expo: -2, published: published),
            ]))
        }
        let prices = try await client.latest([Self.btc, "0x" + Self.eth.uppercased()])
        XCTAssertEqual(prices[Self.btc], OraclePrice(price: 9_621_012_345_678, confidence: 5_000_000, publishTime: Date(timeIntervalSince1970: TimeInterval(published))))
        XCTAssertEqual(prices["0x" + Self.eth.uppercased()]?.price, 351_204_000_000, "$3,512.04 at 8 decimals from exponent −2")
        XCTAssertEqual(prices["0x" + Self.eth.uppercased()]?.confidence, 12_000_000)
        let query = try XCTUnwrap(hermes.queries.withLock { $0.last }?.removingPercentEncoding)
        XCTAssertTrue(query.contains("ids[]=\(Self.btc)") && query.contains("parsed=true"), query)

        let refusals: [(String, Int, String, String)] = [
            ("stale", 200, Self.body([Self.update(Self.btc, price: "9621012345678", published: published - 60)]), "stale"),
            ("missing feed", 200, Self.body([Self.update(Self.eth, price: "351204", published: published)]), "no price for feed"),
            ("negative price", 200, Self.body([Self.update(Self.btc, price: "-5", published: published)]), "not a positive integer"),
            ("zero price", 200, Self.body([Self.update(Self.btc, price: "0", published: published)]), "not a positive integer"),
            ("exponent out of range", 200, Self.body([Self.update(Self.btc, price: "1", expo: 3, published: published)]), "exponent"),
            ("not JSON", 200, "<html>rate limited</html>", "other than a price update"),
            ("wrong shape", 200, #"{"parsed":[{"id":1}]}"#, "other than a price update"),
            ("server error", 500, "{}", "HTTP 500"),
            ("too many requests", 429, "{}", "HTTP 429"),
            ("huge body", 200, String(repeating: " ", count: (1 << 20) + 10), "could not be read"),
        ]
        for (name, status, body, words) in refusals {
            hermes.answer.withLock { $0 = (status, body) }
            do {
                _ = try await client.latest([Self.btc])
                XCTFail("\(name): accepted")
            } catch {
                XCTAssertEqual(error.code, .unavailable, "\(name): \(error.message)")
                XCTAssertTrue(error.message.contains(words), "\(name): \(error.message)")
            }
        }
        await hermes.stop()
        do {
            _ = try await HermesClient(baseURL: "http://127.0.0.1:1", now: { fixed }).latest([Self.btc], timeout: .seconds(2))
            XCTFail("nothing listens on port 1")
        } catch {
            XCTAssertEqual(error.code, .unavailable, error.message)
        }
    }
}
