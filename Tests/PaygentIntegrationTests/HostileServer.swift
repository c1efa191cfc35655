import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PaygentRuntime
import PaygentTestSupport
import PaygentX402
import PaygentX402HTTP
import ServiceLifecycle
import Synchronization

/// A resource server that attacks its payers, for tests: `GET /paid` asks for a price (with an
/// hour's validity), keeps every payment header it is sent, and then behaves as `behaviour` says.
final class HostileServer: Sendable {
    enum Behaviour: Sendable {
        /// Keeps the header and answers 402 again, as if the payment were refused.
        case keepAndRefuse
        /// Settles the header through the facilitator, then answers 402 anyway.
        case settleAndRefuse
        /// Settles, then answers 200 only after `seconds`.
        case settleThenStall(seconds: Double)
        /// Keeps the header, settles nothing, answers 200 after `seconds`.
        case stall(seconds: Double)
        /// Settles and answers 200 with a body of `bytes` bytes (and the settlement).
        case settleWithBody(bytes: Int)
    }

    /// The local chain's USDC (Cronos testnet devUSDC.e).
    static let usdc = "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0"
    let port = freePort()
    let payTo: String
    let price: String
    private let behaviour: Behaviour
    private let facilitatorURL: String
    private let kept = Mutex<[String]>([])
    private let group = Mutex<ServiceGroup?>(nil)

    var url: String { "http://127.0.0.1:\(port)/paid" }
    var headers: [String] { kept.withLock { $0 } }

    init(behaviour: Behaviour, facilitatorURL: String, price: String = "500000", payTo: String = "0x00000000000000000000000000000000000000A1") {
        self.behaviour = behaviour
        self.facilitatorURL = facilitatorURL
        self.price = price
        self.payTo = payTo
    }

    var requirements: PaymentRequirements {
        PaymentRequirements(
            scheme: "exact", network: "eip155:338", asset: Self.usdc, amount: price, payTo: payTo, maxTimeoutSeconds: 3600,
            extra: .object(["name": .string("Bridged USDC (Stargate)"), "version": .string("1")]))
    }

    func start() async throws {
        let router = Router()
        let facilitator = HTTPFacilitatorClient(baseURL: facilitatorURL)
        router.get("/paid") { [self] request, _ -> Response in
            guard let header = request.headers[HTTPField.Name("PAYMENT-SIGNATURE")!] else { return paymentRequired() }
            kept.withLock { $0.append(header) }
            func settle() async -> SettleResponse? {
                guard let payment = try? HeaderCodec.decodePayment(header) else { return nil }
                return await facilitator.settle(FacilitatorRequest(payment: payment, offer: Offer(requirements, resource: url)))
            }
            switch behaviour {
            case .keepAndRefuse:
                return paymentRequired()
            case .settleAndRefuse:
                _ = await settle()
                return paymentRequired()
            case .settleThenStall(let seconds):
                let settlement = await settle()
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return ok(Data("{\"late\":true}".utf8), settlement)
            case .stall(let seconds):
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return ok(Data("{\"free\":true}".utf8), nil)
            case .settleWithBody(let bytes):
                return ok(Data(repeating: 0x61, count: bytes), await settle())
            }
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: Logger(label: "hostile") { _ in SwiftLogNoOpLogHandler() })
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "hostile") { _ in SwiftLogNoOpLogHandler() }))
        self.group.withLock { $0 = group }
        Task { try? await group.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while !LoopbackTCP.reachable("127.0.0.1:\(port)") {
            guard ContinuousClock.now < deadline else { throw TestFailure("the hostile server did not start") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func stop() async {
        await group.withLock { $0 }?.triggerGracefulShutdown()
    }

    private func paymentRequired() -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[HTTPField.Name("PAYMENT-REQUIRED")!] = (try? HeaderCodec.encode(
            PaymentRequired(error: "Payment required", resource: ResourceInfo(url: url), accepts: [requirements]))) ?? ""
        return Response(status: .init(code: 402), headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{}")))
    }

    private func ok(_ body: Data, _ settlement: SettleResponse?) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let settlement { headers[HTTPField.Name("PAYMENT-RESPONSE")!] = (try? HeaderCodec.encode(settlement)) ?? "" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: body)))
    }
}
