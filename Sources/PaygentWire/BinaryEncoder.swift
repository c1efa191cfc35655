import Foundation

/// Encodes any `Encodable` value into Paygent's binary wire format (`protocol/encoding.md`).
///
/// Keyed fields are written as numeric tags, never as names, so messages stay small, and a
/// field the reader does not know is skipped by its wire type, so peers of adjacent versions
/// interoperate. Output is deterministic: map entries are sorted by their encoded keys.
public struct BinaryEncoder: Sendable {
    public var limits: WireLimits

    public init(limits: WireLimits = .default) {
        self.limits = limits
    }

    public func encode<T: Encodable>(_ value: T) throws(WireError) -> [UInt8] {
        let writer = WireWriter(maxDepth: limits.maxDepth, capacity: 512)
        do {
            try encodeValue(value, slot: .root, writer: writer, parentSerial: 0, path: .root)
        } catch let error as WireError {
            throw error
        } catch {
            throw WireError(.invalidValue, String(describing: error))
        }
        if let failure = writer.failure { throw failure }
        writer.finish()
        guard writer.bytes.count <= limits.maxMessageBytes else {
            throw WireError(.limitExceeded, "message of \(writer.bytes.count) bytes exceeds \(limits.maxMessageBytes)")
        }
        return writer.bytes
    }
}

/// Coding paths are built only when an error needs one.
final class PathNode: @unchecked Sendable {
    let parent: PathNode?
    let key: (any CodingKey)?
    static let root = PathNode(parent: nil, key: nil)

    init(parent: PathNode?, key: (any CodingKey)?) {
        self.parent = parent
        self.key = key
    }

    var keys: [any CodingKey] {
        var out: [any CodingKey] = []
        var node: PathNode? = self
        while let n = node, let key = n.key {
            out.append(key)
            node = n.parent
        }
        return out.reversed()
    }

    var dotted: String { keys.dotted }
}

/// A path not yet built: the parent node and the last key. Most values never need their path
/// (only errors and nested containers do), so building it is deferred to save an allocation.
struct LazyPath {
    let parent: PathNode
    let key: (any CodingKey)?

    static let root = LazyPath(parent: .root, key: nil)

    var node: PathNode { key.map { PathNode(parent: parent, key: $0) } ?? parent }
    var dotted: String { node.dotted }
}

/// Encodes one value into a slot, taking the compact forms for types the format knows.
func encodeValue<T: Encodable>(
    _ value: T, slot: Slot, writer: WireWriter, parentSerial: Int, path: LazyPath
) throws {
    try writer.focus(parentSerial, path: path.dotted)
    if let special = try encodeSpecial(value, slot: slot, writer: writer, path: path) , special {
        return
    }
    let encoder = WireEncoderImpl(writer: writer, slot: slot, parentSerial: parentSerial, path: path.node)
    try value.encode(to: encoder)
    if !encoder.wrote {
        // A value that wrote nothing is an empty container, so that its decoder finds one.
        try writer.focus(parentSerial, path: path.dotted)
        writer.blob(slot, EmptyCollection<UInt8>())
    }
}

/// Data, byte arrays, UUID and Date get fixed compact forms; dictionaries become sorted maps.
private func encodeSpecial<T: Encodable>(
    _ value: T, slot: Slot, writer: WireWriter, path: LazyPath
) throws -> Bool? {
    // Each branch has checked that T is the type it casts to, so the casts cannot fail; a bit
    // cast avoids the runtime's dynamic cast on this hot path.
    if T.self == Data.self {
        let data = unsafeBitCast(value, to: Data.self)
        data.withUnsafeBytes { writer.blob(slot, $0) }
    } else if T.self == [UInt8].self {
        writer.blob(slot, unsafeBitCast(value, to: [UInt8].self))
    } else if T.self == UUID.self {
        let uuid = unsafeBitCast(value, to: UUID.self).uuid
        withUnsafeBytes(of: uuid) { writer.blob(slot, $0) }
    } else if T.self == Date.self {
        writer.header(slot, .fixed64)
        writer.fixed64(unsafeBitCast(value, to: Date.self).timeIntervalSince1970.bitPattern)
    } else if T.self == URL.self {
        writer.string(slot, (value as! URL).absoluteString)
    } else if let map = value as? any WireMapEncodable {
        let entries = try map.wireEntries(limits: writer.maxDepth - writer.depth)
        _ = try writer.openContainer(slot, path: path.dotted)
        for entry in entries {
            writer.bytes.append(contentsOf: entry.key)
            writer.bytes.append(contentsOf: entry.value)
        }
        return true
    } else {
        return nil
    }
    return true
}

/// Dictionaries encode as a map: alternating key and value elements, sorted by key bytes.
protocol WireMapEncodable {
    func wireEntries(limits depth: Int) throws -> [(key: [UInt8], value: [UInt8])]
}

extension Dictionary: WireMapEncodable where Key: Encodable, Value: Encodable {
    func wireEntries(limits depth: Int) throws -> [(key: [UInt8], value: [UInt8])] {
        let encoder = BinaryEncoder(limits: WireLimits(maxDepth: Swift.max(depth - 1, 0)))
        var entries: [(key: [UInt8], value: [UInt8])] = []
        entries.reserveCapacity(count)
        for (key, value) in self {
            entries.append((try encoder.encode(key), try encoder.encode(value)))
        }
        entries.sort { $0.key.lexicographicallyPrecedes($1.key) }
        return entries
    }
}

/// The `Encoder` handed to a value's `encode(to:)`.
///
/// Containers are opened eagerly, because `container(keyedBy:)` and friends cannot throw and an
/// empty container (an enum case without values) must still reach the wire; an error while
/// opening is kept in the writer and thrown by the next write or at the end.
final class WireEncoderImpl: Encoder {
    let writer: WireWriter
    let slot: Slot
    let parentSerial: Int
    let path: PathNode
    /// The serial of the container this encoder opened, once it has opened one.
    var serial: Int?
    var wrote = false

    init(writer: WireWriter, slot: Slot, parentSerial: Int, path: PathNode) {
        self.writer = writer
        self.slot = slot
        self.parentSerial = parentSerial
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { [WireCoding.userInfoKey: true] }

    /// Opens this encoder's container once; later calls return the same serial.
    func open() -> Int {
        if let serial { return serial }
        wrote = true
        do {
            try writer.focus(parentSerial, path: path.dotted)
            let opened = try writer.openContainer(slot, path: path.dotted)
            serial = opened
            return opened
        } catch {
            writer.defer(error)
            serial = -1
            return -1
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedWireEncoder<Key>(writer: writer, serial: open(), path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedWireEncoder(writer: writer, serial: open(), path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueWireEncoder(encoder: self)
    }
}
