import AsyncHTTPClient
import Foundation
import NIOCore
import PaygentX402

/// A facilitator reached over HTTP, as the x402 SDKs reach one: JSON bodies, and a refused
/// payment answered 200 with `isValid: false` / `success: false`.
public struct HTTPFacilitatorClient: Facilitator {
    public let baseURL: String
    private let client: HTTPClient

    public init(baseURL: String, client: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
    }

    public func verify(_ request: FacilitatorRequest) async -> VerifyResponse {
        do {
            return try await post("verify", request, as: VerifyResponse.self)
        } catch {
            return VerifyResponse(isValid: false, invalidReason: "facilitator_unavailable", invalidMessage: "\(error)")
        }
    }

    public func settle(_ request: FacilitatorRequest) async -> SettleResponse {
        do {
            return try await post("settle", request, as: SettleResponse.self)
        } catch {
            return SettleResponse(
                success: false, errorReason: "facilitator_unavailable", errorMessage: "\(error)", transaction: "",
                network: request.offer.network)
        }
    }

    public func supported() async -> SupportedResponse {
        var request = HTTPClientRequest(url: "\(baseURL)/supported")
        request.method = .GET
        guard let response = try? await client.execute(request, timeout: .seconds(10)),
            let body = try? await response.body.collect(upTo: 1 << 20),
            let decoded = try? JSONDecoder().decode(SupportedResponse.self, from: Data(buffer: body))
        else { return SupportedResponse(kinds: [], extensions: [], signers: [:]) }
        return decoded
    }

    private func post<Reply: Decodable>(_ path: String, _ body: FacilitatorRequest, as: Reply.Type) async throws -> Reply {
        var request = HTTPClientRequest(url: "\(baseURL)/\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        if let key = body.settlementKey { request.headers.add(name: FacilitatorRoutes.idempotencyKeyHeader, value: key) }
        let response = try await client.execute(request, timeout: .seconds(15))
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        guard response.status == .ok else {
            throw X402DecodingError("facilitator answered \(response.status.code) to /\(path)")
        }
        return try JSONDecoder().decode(Reply.self, from: data)
    }
}
