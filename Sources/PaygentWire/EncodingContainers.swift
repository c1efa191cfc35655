import Foundation

struct KeyedWireEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: WireWriter
    let serial: Int
    let path: PathNode

    var codingPath: [any CodingKey] { path.keys }

    @inline(__always)
    private func field(_ key: Key) throws -> Slot {
        try writer.focus(serial, path: PathNode(parent: path, key: key).dotted)
        return .field(FieldTag.tag(for: key))
    }

    mutating func encodeNil(forKey key: Key) throws {
        writer.header(try field(key), .null)
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        writer.header(try field(key), .varint)
        writer.bytes.append(value ? 1 : 0)
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        writer.string(try field(key), value)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        writer.header(try field(key), .fixed64)
        writer.fixed64(value.bitPattern)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        writer.header(try field(key), .fixed32)
        writer.fixed32(value.bitPattern)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { try signed(Int64(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try signed(Int64(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try signed(Int64(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try signed(Int64(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try signed(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try unsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try unsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try unsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try unsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try unsigned(value, key) }

    @inline(__always)
    private func signed(_ value: Int64, _ key: Key) throws {
        writer.header(try field(key), .varint)
        writer.varint(zigzag(value))
    }

    @inline(__always)
    private func unsigned(_ value: UInt64, _ key: Key) throws {
        writer.header(try field(key), .varint)
        writer.varint(value)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encodeValue(
            value, slot: .field(FieldTag.tag(for: key)), writer: writer, parentSerial: serial,
            path: LazyPath(parent: path, key: key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        nestedEncoder(key.stringValue, key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        nestedEncoder(key.stringValue, key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        WireEncoderImpl(
            writer: writer, slot: .named("super"), parentSerial: serial,
            path: PathNode(parent: path, key: NameKey("super")))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        WireEncoderImpl(
            writer: writer, slot: .named(key.stringValue), parentSerial: serial,
            path: PathNode(parent: path, key: key))
    }

    /// Fields opened as nested containers carry their names, so that a decoder can list them
    /// (`allKeys`); Swift's synthesized enum coding depends on that.
    private func nestedEncoder(_ name: String, _ key: Key) -> WireEncoderImpl {
        WireEncoderImpl(
            writer: writer, slot: .named(name), parentSerial: serial,
            path: PathNode(parent: path, key: key))
    }
}

struct UnkeyedWireEncoder: UnkeyedEncodingContainer, PrimitiveSlotEncoder {
    let writer: WireWriter
    let serial: Int
    let path: PathNode
    private(set) var count = 0

    init(writer: WireWriter, serial: Int, path: PathNode) {
        self.writer = writer
        self.serial = serial
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }

    @inline(__always)
    mutating func nextSlot() throws -> Slot {
        try writer.focus(serial, path: PathNode(parent: path, key: IndexKey(count)).dotted)
        count += 1
        return .element
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = count
        _ = try nextSlot()
        try encodeValue(
            value, slot: .element, writer: writer, parentSerial: serial,
            path: LazyPath(parent: path, key: IndexKey(index)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        nestedEncoder().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        nestedEncoder().unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { nestedEncoder() }

    private mutating func nestedEncoder() -> WireEncoderImpl {
        let index = count
        count += 1
        return WireEncoderImpl(
            writer: writer, slot: .element, parentSerial: serial,
            path: PathNode(parent: path, key: IndexKey(index)))
    }
}

struct SingleValueWireEncoder: SingleValueEncodingContainer, PrimitiveSlotEncoder {
    let encoder: WireEncoderImpl

    var codingPath: [any CodingKey] { encoder.codingPath }

    @inline(__always)
    mutating func nextSlot() throws -> Slot {
        guard !encoder.wrote else {
            throw WireError(.invalidEncoding, path: encoder.path.dotted, "single value encoded twice")
        }
        try encoder.writer.focus(encoder.parentSerial, path: encoder.path.dotted)
        encoder.wrote = true
        return encoder.slot
    }

    var writer: WireWriter { encoder.writer }

    mutating func encode<T: Encodable>(_ value: T) throws {
        guard !encoder.wrote else {
            throw WireError(.invalidEncoding, path: encoder.path.dotted, "single value encoded twice")
        }
        encoder.wrote = true
        try encodeValue(
            value, slot: encoder.slot, writer: writer, parentSerial: encoder.parentSerial,
            path: LazyPath(parent: encoder.path, key: nil))
    }
}

/// The primitive writes shared by unkeyed and single-value containers: each takes the next slot
/// (an element, or the single value) and writes one value into it.
protocol PrimitiveSlotEncoder {
    var writer: WireWriter { get }
    mutating func nextSlot() throws -> Slot
}

extension PrimitiveSlotEncoder {
    mutating func encodeNil() throws { writer.header(try nextSlot(), .null) }
    mutating func encode(_ value: Bool) throws {
        writer.header(try nextSlot(), .varint)
        writer.bytes.append(value ? 1 : 0)
    }
    mutating func encode(_ value: String) throws { writer.string(try nextSlot(), value) }
    mutating func encode(_ value: Double) throws {
        writer.header(try nextSlot(), .fixed64)
        writer.fixed64(value.bitPattern)
    }
    mutating func encode(_ value: Float) throws {
        writer.header(try nextSlot(), .fixed32)
        writer.fixed32(value.bitPattern)
    }
    mutating func encode(_ value: Int) throws { try signed(Int64(value)) }
    mutating func encode(_ value: Int8) throws { try signed(Int64(value)) }
    mutating func encode(_ value: Int16) throws { try signed(Int64(value)) }
    mutating func encode(_ value: Int32) throws { try signed(Int64(value)) }
    mutating func encode(_ value: Int64) throws { try signed(value) }
    mutating func encode(_ value: UInt) throws { try unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { try unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { try unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { try unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { try unsigned(value) }

    @inline(__always)
    private mutating func signed(_ value: Int64) throws {
        writer.header(try nextSlot(), .varint)
        writer.varint(zigzag(value))
    }

    @inline(__always)
    private mutating func unsigned(_ value: UInt64) throws {
        writer.header(try nextSlot(), .varint)
        writer.varint(value)
    }
}
