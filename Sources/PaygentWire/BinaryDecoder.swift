import Foundation

/// Decodes Paygent's binary wire format (`protocol/encoding.md`) into any `Decodable` type.
///
/// Input is treated as hostile: every read is bounds-checked, lengths and counts are checked
/// against `limits` before use, and anything malformed is a `WireError`, never a crash.
/// Fields the receiving type does not know are skipped; optional fields that are absent
/// decode as nil.
public struct BinaryDecoder: Sendable {
    public var limits: WireLimits

    public init(limits: WireLimits = .default) {
        self.limits = limits
    }

    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(WireError) -> T {
        guard bytes.count <= limits.maxMessageBytes else {
            throw WireError(.limitExceeded, "message of \(bytes.count) bytes exceeds \(limits.maxMessageBytes)")
        }
        let reader = WireReader(bytes: bytes, limits: limits)
        var position = 0
        let root = try reader.typedValue(at: &position, end: bytes.count, path: "")
        guard position == bytes.count else {
            throw WireError(.trailingBytes, "\(bytes.count - position) bytes after the root value")
        }
        do {
            return try decodeValue(type, ref: root, reader: reader, path: .root, depth: 0)
        } catch let error as WireError {
            throw error
        } catch let error as DecodingError {
            throw WireError(decodingError: error)
        } catch {
            throw WireError(.invalidValue, String(describing: error))
        }
    }

    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(WireError) -> T {
        try decode(type, from: [UInt8](data))
    }
}

extension WireError {
    /// A type's own `init(from:)` rejected the data (e.g. an unknown enum raw value).
    init(decodingError: DecodingError) {
        switch decodingError {
        case .dataCorrupted(let context), .typeMismatch(_, let context),
            .valueNotFound(_, let context), .keyNotFound(_, let context):
            self.init(.invalidValue, path: context.codingPath.dotted, context.debugDescription)
        @unknown default:
            self.init(.invalidValue, String(describing: decodingError))
        }
    }
}

/// Decodes one value, taking the compact forms for types the format knows.
func decodeValue<T: Decodable>(
    _ type: T.Type, ref: ValueRef, reader: WireReader, path: LazyPath, depth: Int
) throws -> T {
    // Each branch has checked that T is the type it builds, so the bit casts are exact.
    if T.self == Data.self {
        return unsafeBitCast(Data(try reader.blob(ref, path: path.dotted)), to: T.self)
    } else if T.self == [UInt8].self {
        return unsafeBitCast([UInt8](try reader.blob(ref, path: path.dotted)), to: T.self)
    } else if T.self == UUID.self {
        let bytes = try reader.blob(ref, path: path.dotted)
        guard bytes.count == 16 else {
            throw WireError(.invalidValue, path: path.dotted, "UUID must be 16 bytes, found \(bytes.count)")
        }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &uuid) { $0.copyBytes(from: bytes) }
        return unsafeBitCast(UUID(uuid: uuid), to: T.self)
    } else if T.self == Date.self {
        let seconds = Double(bitPattern: try reader.fixed64(ref, path: path.dotted))
        guard seconds.isFinite else {
            throw WireError(.invalidValue, path: path.dotted, "date is not a finite number")
        }
        return unsafeBitCast(Date(timeIntervalSince1970: seconds), to: T.self)
    } else if T.self == URL.self {
        let text = try reader.string(ref, path: path.dotted)
        guard let url = URL(string: text) else {
            throw WireError(.invalidValue, path: path.dotted, "not a URL")
        }
        return url as! T
    } else if let map = T.self as? any WireMapDecodable.Type {
        let decoder = WireDecoderImpl(reader: reader, ref: ref, path: path.node, depth: depth)
        return try map.init(wireMap: decoder) as! T
    }
    return try T(from: WireDecoderImpl(reader: reader, ref: ref, path: path.node, depth: depth))
}

/// Dictionaries decode from a map: alternating key and value elements; a repeated key is an error.
protocol WireMapDecodable {
    init(wireMap decoder: WireDecoderImpl) throws
}

extension Dictionary: WireMapDecodable where Key: Decodable, Value: Decodable {
    init(wireMap decoder: WireDecoderImpl) throws {
        self.init()
        var container = try decoder.unkeyed()
        while !container.isAtEnd {
            let key = try container.decode(Key.self)
            guard !container.isAtEnd else {
                throw WireError(.truncated, path: decoder.path.dotted, "map key without a value")
            }
            let value = try container.decode(Value.self)
            guard updateValue(value, forKey: key) == nil else {
                throw WireError(.duplicateField, path: decoder.path.dotted, "map key \(key) repeated")
            }
        }
    }
}

/// The `Decoder` handed to a value's `init(from:)`.
final class WireDecoderImpl: Decoder {
    let reader: WireReader
    let ref: ValueRef
    let path: PathNode
    let depth: Int

    init(reader: WireReader, ref: ValueRef, path: PathNode, depth: Int) {
        self.reader = reader
        self.ref = ref
        self.path = path
        self.depth = depth
    }

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { [WireCoding.userInfoKey: true] }

    private func enterContainer() throws(WireError) {
        guard ref.type == .bytes else {
            throw WireError(.typeMismatch, path: path.dotted, "expected a container, found \(ref.type)")
        }
        guard depth < reader.limits.maxDepth else {
            throw WireError(.depthExceeded, path: path.dotted, "nesting deeper than \(reader.limits.maxDepth)")
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try enterContainer()
        return KeyedDecodingContainer(try KeyedWireDecoder<Key>(decoder: self))
    }

    func unkeyed() throws(WireError) -> UnkeyedWireDecoder {
        try enterContainer()
        return UnkeyedWireDecoder(decoder: self)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try unkeyed()
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueWireDecoder(decoder: self)
    }
}
