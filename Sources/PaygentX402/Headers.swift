import Foundation

/// The x402 HTTP header names.
public enum X402Header {
    public static let paymentRequired = "PAYMENT-REQUIRED"
    public static let paymentSignature = "PAYMENT-SIGNATURE"
    public static let paymentResponse = "PAYMENT-RESPONSE"
    public static let paymentV1 = "X-PAYMENT"
    public static let paymentResponseV1 = "X-PAYMENT-RESPONSE"
}

/// A payment header of either protocol version.
public enum AnyPaymentPayload: Sendable, Hashable {
    case v1(PaymentPayloadV1)
    case v2(PaymentPayload)

    public var version: Int {
        switch self {
        case .v1: 1
        case .v2: 2
        }
    }

    public var exact: ExactEVMPayload {
        switch self {
        case .v1(let payload): payload.payload
        case .v2(let payload): payload.payload
        }
    }

    public var scheme: String {
        switch self {
        case .v1(let payload): payload.scheme
        case .v2(let payload): payload.accepted.scheme
        }
    }

    public var network: String {
        switch self {
        case .v1(let payload): payload.network
        case .v2(let payload): payload.accepted.network
        }
    }
}

/// Why an x402 header or message could not be read.
public struct X402DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Base64 (standard alphabet, padded) of compact JSON, as the x402 headers carry messages.
public enum HeaderCodec {
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try encoder.encode(value).base64EncodedString()
    }

    /// Decodes base64 JSON; tolerates surrounding whitespace and missing padding.
    public static func decode<T: Decodable>(_ type: T.Type, from header: String) throws(X402DecodingError) -> T {
        var text = header.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else {
            throw X402DecodingError("the header is not base64")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw X402DecodingError("the header is not a valid \(type) JSON: \(Self.describe(error))")
        }
    }

    /// Decodes a payment header (`PAYMENT-SIGNATURE` or `X-PAYMENT`) of either version.
    public static func decodePayment(_ header: String) throws(X402DecodingError) -> AnyPaymentPayload {
        struct Version: Decodable { var x402Version: Int }
        let version: Int
        do {
            version = try decode(Version.self, from: header).x402Version
        } catch {
            throw X402DecodingError("not x402 JSON (no x402Version): \(error.message.replacingOccurrences(of: "the header is not a valid Version JSON: ", with: ""))")
        }
        switch version {
        case 1: return .v1(try decode(PaymentPayloadV1.self, from: header))
        case 2: return .v2(try decode(PaymentPayload.self, from: header))
        default: throw X402DecodingError("x402Version \(version) is not supported (1 or 2)")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing field \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
            DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
