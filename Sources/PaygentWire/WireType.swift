/// The type of an encoded value, as written in the low three bits of a field header or
/// as the single byte before an element or the root value (see `protocol/encoding.md`).
public enum WireType: UInt8, Sendable, CaseIterable {
    /// Unsigned LEB128; signed integers are zigzag-mapped first; Bool is 0 or 1.
    case varint = 0
    /// Eight bytes, little-endian (Double bits).
    case fixed64 = 1
    /// A varint length, then that many bytes: strings, data, and nested containers.
    case bytes = 2
    /// No payload: an explicit nil.
    case null = 3
    /// Four bytes, little-endian (Float bits).
    case fixed32 = 4
    /// Keyed fields only: the header's upper bits hold a name length, then the name's
    /// UTF-8 bytes, then a complete value (type byte and payload). Used for fields opened
    /// as nested containers (enum cases), whose decoders must be able to list their keys.
    case named = 5
}

/// Field tags: how a `CodingKey` becomes the number on the wire.
public enum FieldTag {
    /// Tags from names are the 32-bit FNV-1a hash of the UTF-8 name, folded to 25 bits,
    /// so that `(tag << 3) | type` fits in a four-byte varint.
    public static let mask: UInt32 = 0x01FF_FFFF

    /// The tag for a key: its `intValue` when it has one in range, else the name hash.
    @inlinable
    public static func tag(for key: some CodingKey) -> UInt32 {
        if let int = key.intValue, int >= 0, int <= Int(mask) {
            return UInt32(int)
        }
        return hash(key.stringValue)
    }

    /// FNV-1a (32-bit) of the UTF-8 bytes, masked to 25 bits.
    @inlinable
    public static func hash(_ name: String) -> UInt32 {
        var name = name
        return name.withUTF8 { bytes in
            var h: UInt32 = 0x811C_9DC5
            for byte in bytes {
                h ^= UInt32(byte)
                h = h &* 0x0100_0193
            }
            return h & mask
        }
    }
}

/// Zigzag mapping of signed integers, so that small negative numbers stay short.
@inlinable
func zigzag(_ value: Int64) -> UInt64 {
    UInt64(bitPattern: (value << 1) ^ (value >> 63))
}

@inlinable
func unzigzag(_ value: UInt64) -> Int64 {
    Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
}

/// How a type can tell it is being written to or read from this wire format: our encoders and
/// decoders carry `userInfo[WireCoding.userInfoKey] == true`. The format is not self-describing
/// (a string, an array and a map are all `bytes`), so a type that decodes by trying one shape
/// after another — a JSON value, say — must write which shape it holds instead.
public enum WireCoding {
    public static let userInfoKey = CodingUserInfoKey(rawValue: "paygent.wire")!

    /// True when `userInfo` comes from a Paygent binary encoder or decoder.
    public static func isBinary(_ userInfo: [CodingUserInfoKey: Any]) -> Bool {
        userInfo[userInfoKey] as? Bool == true
    }
}
