import Foundation
import HTTPTypes
import Hummingbird
import PaygentX402

/// The facilitator's HTTP API on a hummingbird router: `POST /verify`, `POST /settle`,
/// `GET /supported`, with the x402 JSON bodies. A malformed body is 400; a refused payment is
/// 200 with `isValid: false` / `success: false`, as official clients expect.
public enum FacilitatorRoutes {
    /// Names a settle call so that its retry is answered with the first result (`replayed`).
    public static let idempotencyKeyHeader = "Idempotency-Key"
    static let idempotencyKeyField = HTTPField.Name(idempotencyKeyHeader)!

    public static func add<Context: RequestContext>(to router: Router<Context>, facilitator: any Facilitator) {
        router.post("verify") { request, context -> Response in
            guard let body = try await decode(request) else { return badRequest() }
            return json(await facilitator.verify(body))
        }
        router.post("settle") { request, context -> Response in
            guard var body = try await decode(request) else { return badRequest() }
            // A client that may retry its settle names the call; the retry gets the first result.
            body.settlementKey = request.headers[idempotencyKeyField].flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
            return json(await facilitator.settle(body))
        }
        router.get("supported") { _, _ -> Response in
            json(await facilitator.supported())
        }
    }

    static func decode(_ request: Request) async throws -> FacilitatorRequest? {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        return try? JSONDecoder().decode(FacilitatorRequest.self, from: Data(buffer: buffer))
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    static func badRequest() -> Response {
        json(["error": "the body is not an x402 verify/settle request"], status: .badRequest)
    }
}
