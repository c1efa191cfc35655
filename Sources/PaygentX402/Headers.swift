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
public enum AnyPaymentPayload: Sendable, Hashable, Codable {
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

    /// As JSON, a payment is the object of its version.
    public init(from decoder: any Decoder) throws {
        struct Version: Decodable { var x402Version: Int }
        switch try Version(from: decoder).x402Version {
        case 1: self = .v1(try PaymentPayloadV1(from: decoder))
        default: self = .v2(try PaymentPayload(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .v1(let payload): try payload.encode(to: encoder)
        case .v2(let payload): try payload.encode(to: encoder)
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

    /// A payment header (`PAYMENT-SIGNATURE` / `X-PAYMENT`), written without `JSONEncoder`: every
    /// paid request sends one. Never throws; `throws` keeps it a drop-in for the generic form.
    public static func encode(_ payment: AnyPaymentPayload) throws -> String {
        Data(JSONWriter.payment(payment)).base64EncodedString()
    }

    /// A settlement header (`PAYMENT-RESPONSE` / `X-PAYMENT-RESPONSE`), written without `JSONEncoder`.
    public static func encode(_ settlement: SettleResponse) throws -> String {
        Data(JSONWriter.settlement(settlement)).base64EncodedString()
    }

    /// Decodes base64 JSON; tolerates surrounding whitespace and missing padding.
    public static func decode<T: Decodable>(_ type: T.Type, from header: String) throws(X402DecodingError) -> T {
        try decode(type, json: try base64JSON(header))
    }

    /// Decodes a payment header (`PAYMENT-SIGNATURE` or `X-PAYMENT`) of either version. Parsed
    /// with `JSONParser` (this is the facilitator's hot path), with the same field rules as the
    /// `Decodable` types; the tests check both agree on every SDK header.
    public static func decodePayment(_ header: String) throws(X402DecodingError) -> AnyPaymentPayload {
        let json = try base64JSON(header)
        let value: JSONValue
        do {
            value = try JSONParser.parse([UInt8](json))
        } catch {
            throw X402DecodingError("not an x402 payment: the header is not valid JSON (\(error.message))")
        }
        return try AnyPaymentPayload(json: value)
    }

    /// A settlement header (`PAYMENT-RESPONSE` / `X-PAYMENT-RESPONSE`), read with `JSONParser`.
    public static func decodeSettlement(_ header: String) throws(X402DecodingError) -> SettleResponse {
        let json = try base64JSON(header)
        do {
            return try SettleResponse(json: try JSONParser.parse([UInt8](json)))
        } catch let error as X402DecodingError {
            throw error
        } catch {
            throw X402DecodingError("not an x402 settlement: the header is not valid JSON")
        }
    }

    /// The JSON bytes inside a base64 header value.
    static func base64JSON(_ header: String) throws(X402DecodingError) -> Data {
        var bytes = Array(header.utf8)
        while let last = bytes.last, last == 0x20 || last == 0x0A || last == 0x0D || last == 0x09 { bytes.removeLast() }
        let start = bytes.firstIndex { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) } ?? bytes.endIndex
        bytes.removeFirst(start)
        while bytes.count % 4 != 0 { bytes.append(0x3D) }
        guard let data = Data(base64Encoded: Data(bytes)) else {
            throw X402DecodingError("the header is not base64")
        }
        return data
    }

    static func decode<T: Decodable>(_ type: T.Type, json: Data) throws(X402DecodingError) -> T {
        do {
            return try JSONDecoder().decode(type, from: json)
        } catch {
            throw X402DecodingError("the header is not a valid \(type) JSON: \(describe(error))")
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
