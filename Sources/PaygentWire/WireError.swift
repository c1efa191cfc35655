/// A typed failure to encode or decode a message body or envelope.
///
/// `kind` says what went wrong in terms a peer implementer can act on; `path` names the field
/// (dotted coding path) and `detail` adds specifics. Decoding hostile bytes yields one of these,
/// never a crash.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The bytes ended before a value, length or header was complete.
        case truncated
        /// Bytes remained after the root value.
        case trailingBytes
        /// A varint ran past ten bytes or overflowed 64 bits.
        case malformedVarint
        /// A wire type number that the format does not define, or not allowed here.
        case unknownWireType
        /// The encoded wire type does not match what the receiving type expects.
        case typeMismatch
        /// A required field is absent.
        case missingField
        /// A string is not valid UTF-8.
        case invalidUTF8
        /// A number does not fit the receiving type, or a Bool is not 0 or 1.
        case valueOutOfRange
        /// The same field or map key appears twice.
        case duplicateField
        /// Nesting deeper than `WireLimits.maxDepth`.
        case depthExceeded
        /// A length, count or message size above its `WireLimits` bound.
        case limitExceeded
        /// The value itself rejected the data (a type's own validation failed).
        case invalidValue
        /// Envelope: wrong magic bytes.
        case badMagic
        /// Envelope: a protocol version this peer does not speak.
        case unsupportedVersion
        /// Envelope: an unknown message kind.
        case unknownKind
        /// The encoder was used against the Codable contract (e.g. interleaved containers).
        case invalidEncoding
    }

    public var kind: Kind
    public var path: String
    public var detail: String

    public init(_ kind: Kind, path: String = "", _ detail: String = "") {
        self.kind = kind
        self.path = path
        self.detail = detail
    }

    public var description: String {
        var text = "wire \(kind.rawValue)"
        if !path.isEmpty { text += " at \(path)" }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }
}

extension Array where Element == any CodingKey {
    /// A coding path as a dotted string, array indices in brackets: `plan.steps[2].tool`.
    var dotted: String {
        var out = ""
        for key in self {
            if let index = key.intValue, key.stringValue == "Index \(index)" {
                out += "[\(index)]"
            } else {
                if !out.isEmpty { out += "." }
                out += key.stringValue
            }
        }
        return out
    }
}

/// A coding key for array positions in coding paths.
struct IndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(_ index: Int) {
        intValue = index
        stringValue = "Index \(index)"
    }
    init?(intValue: Int) { self.init(intValue) }
    init?(stringValue: String) { return nil }
}

/// A coding key made from a name read off the wire (named fields).
struct NameKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}
