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
        try decode(type, json: try base64JSON(header))
    }

    /// Decodes a payment header (`PAYMENT-SIGNATURE` or `X-PAYMENT`) of either version, in one
    /// JSON pass: the fields of both versions are read, then the version picks the shape.
    public static func decodePayment(_ header: String) throws(X402DecodingError) -> AnyPaymentPayload {
        struct EitherVersion: Decodable {
            var x402Version: Int
            var payload: ExactEVMPayload?
            var accepted: PaymentRequirements?
            var resource: ResourceInfo?
            var extensions: JSONValue?
            var scheme: String?
            var network: String?

            enum CodingKeys: String, CodingKey {
                case x402Version, payload, accepted, resource, extensions, scheme, network
            }

            /// The version first, so that a payment of an unknown version says so.
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                guard let version = try container.decodeIfPresent(Int.self, forKey: .x402Version) else {
                    throw X402DecodingError("not x402 JSON (no x402Version)")
                }
                guard version == 1 || version == 2 else {
                    throw X402DecodingError("x402Version \(version) is not supported (1 or 2)")
                }
                x402Version = version
                payload = try container.decodeIfPresent(ExactEVMPayload.self, forKey: .payload)
                accepted = try container.decodeIfPresent(PaymentRequirements.self, forKey: .accepted)
                resource = try container.decodeIfPresent(ResourceInfo.self, forKey: .resource)
                extensions = try container.decodeIfPresent(JSONValue.self, forKey: .extensions)
                scheme = try container.decodeIfPresent(String.self, forKey: .scheme)
                network = try container.decodeIfPresent(String.self, forKey: .network)
            }
        }
        let json = try base64JSON(header)
        let either: EitherVersion
        do {
            either = try JSONDecoder().decode(EitherVersion.self, from: json)
        } catch let error as X402DecodingError {
            throw error
        } catch {
            throw X402DecodingError("not an x402 payment: \(describe(error))")
        }
        let version = either.x402Version
        guard let payload = either.payload else {
            throw X402DecodingError("the payment has no payload")
        }
        switch version {
        case 1:
            guard let scheme = either.scheme, let network = either.network else {
                throw X402DecodingError("a v1 payment needs scheme and network")
            }
            return .v1(PaymentPayloadV1(scheme: scheme, network: network, payload: payload))
        case 2:
            guard let accepted = either.accepted else {
                throw X402DecodingError("a v2 payment needs the accepted requirements")
            }
            var v2 = PaymentPayload(payload: payload, accepted: accepted, resource: either.resource)
            v2.extensions = either.extensions
            return .v2(v2)
        default:
            throw X402DecodingError("x402Version \(version) is not supported (1 or 2)")
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
