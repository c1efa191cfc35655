import Foundation

/// One field of a keyed container as found on the wire.
struct WireField {
    var tag: UInt64
    /// The name's byte range for a named field; empty for a tagged one.
    var name: Range<Int>
    var value: ValueRef
}

struct KeyedWireDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: WireDecoderImpl
    let fields: [WireField]

    /// Scans the container once, recording each field's tag and value range. Unknown fields
    /// are kept here and simply never asked for.
    init(decoder: WireDecoderImpl) throws(WireError) {
        self.decoder = decoder
        let reader = decoder.reader
        let end = decoder.ref.end
        var position = decoder.ref.start
        var fields: [WireField] = []
        fields.reserveCapacity(16)
        // Duplicates are found by a scan while the container is small (the usual case, and no
        // hashing), by a set once it grows, so a hostile container cannot make this quadratic.
        var seenTags = Set<UInt64>()
        var seenNames = Set<ArraySlice<UInt8>>()
        let scanLimit = 16
        while position < end {
            guard fields.count < reader.limits.maxCollectionCount else {
                throw WireError(.limitExceeded, path: decoder.path.dotted, "more than \(reader.limits.maxCollectionCount) fields")
            }
            let header = try reader.varint(at: &position, end: end, path: decoder.path.dotted)
            guard let type = WireType(rawValue: UInt8(header & 7)) else {
                throw WireError(.unknownWireType, path: decoder.path.dotted, "wire type \(header & 7)")
            }
            let upper = header >> 3
            if type == .named {
                guard upper <= UInt64(min(end - position, 1024)) else {
                    throw WireError(.truncated, path: decoder.path.dotted, "field name of \(upper) bytes")
                }
                let name = position..<(position + Int(upper))
                position = name.upperBound
                let value = try reader.typedValue(at: &position, end: end, path: decoder.path.dotted)
                let repeated = fields.count < scanLimit
                    ? fields.contains { !$0.name.isEmpty && reader.bytes[$0.name] == reader.bytes[name] }
                    : !seenNames.insert(reader.bytes[name]).inserted
                if fields.count + 1 == scanLimit {
                    for field in fields where !field.name.isEmpty { seenNames.insert(reader.bytes[field.name]) }
                    seenNames.insert(reader.bytes[name])
                }
                guard !repeated else {
                    throw WireError(.duplicateField, path: decoder.path.dotted, "field named twice")
                }
                fields.append(WireField(tag: 0, name: name, value: value))
            } else {
                let value = try reader.value(type, at: &position, end: end, path: decoder.path.dotted)
                let repeated = fields.count < scanLimit
                    ? fields.contains { $0.name.isEmpty && $0.tag == upper }
                    : !seenTags.insert(upper).inserted
                if fields.count + 1 == scanLimit {
                    for field in fields where field.name.isEmpty { seenTags.insert(field.tag) }
                    seenTags.insert(upper)
                }
                guard !repeated else {
                    throw WireError(.duplicateField, path: decoder.path.dotted, "tag \(upper) appears twice")
                }
                fields.append(WireField(tag: upper, name: 0..<0, value: value))
            }
        }
        self.fields = fields
    }

    var codingPath: [any CodingKey] { decoder.codingPath }

    /// The keys present: named fields by name, tagged fields whose key type has integer values.
    var allKeys: [Key] {
        fields.compactMap { field in
            if field.name.isEmpty {
                return Key(intValue: Int(field.tag))
            }
            guard let name = String(validating: decoder.reader.bytes[field.name], as: UTF8.self) else {
                return nil
            }
            return Key(stringValue: name)
        }
    }

    @inline(__always)
    private func find(_ key: Key) -> ValueRef? {
        let tag = UInt64(FieldTag.tag(for: key))
        for field in fields where field.name.isEmpty && field.tag == tag {
            return field.value
        }
        for field in fields where !field.name.isEmpty {
            if decoder.reader.bytes[field.name].elementsEqual(key.stringValue.utf8) {
                return field.value
            }
        }
        return nil
    }

    private func path(_ key: Key) -> PathNode { PathNode(parent: decoder.path, key: key) }

    @inline(__always)
    private func require(_ key: Key) throws(WireError) -> ValueRef {
        guard let ref = find(key) else {
            throw WireError(.missingField, path: path(key).dotted)
        }
        return ref
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let ref = find(key) else { return true }
        return ref.type == .null
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try decoder.reader.bool(try require(key), path: path(key).dotted)
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try decoder.reader.string(try require(key), path: path(key).dotted)
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        Double(bitPattern: try decoder.reader.fixed64(try require(key), path: path(key).dotted))
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        Float(bitPattern: try decoder.reader.fixed32(try require(key), path: path(key).dotted))
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try signed(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try signed(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try signed(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try signed(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try signed(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try unsigned(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try unsigned(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try unsigned(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try unsigned(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try unsigned(key) }

    @inline(__always)
    private func signed<T: FixedWidthInteger & SignedInteger>(_ key: Key) throws -> T {
        try decoder.reader.fitSigned(try require(key), path: path(key).dotted)
    }

    @inline(__always)
    private func unsigned<T: FixedWidthInteger & UnsignedInteger>(_ key: Key) throws -> T {
        try decoder.reader.fitUnsigned(try require(key), path: path(key).dotted)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeValue(
            type, ref: try require(key), reader: decoder.reader, path: LazyPath(parent: decoder.path, key: key),
            depth: decoder.depth + 1)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = NameKey("super")
        for field in fields where !field.name.isEmpty
            && decoder.reader.bytes[field.name].elementsEqual("super".utf8) {
            return WireDecoderImpl(
                reader: decoder.reader, ref: field.value,
                path: PathNode(parent: decoder.path, key: key), depth: decoder.depth + 1)
        }
        throw WireError(.missingField, path: PathNode(parent: decoder.path, key: key).dotted)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try child(key)
    }

    private func child(_ key: Key) throws(WireError) -> WireDecoderImpl {
        WireDecoderImpl(reader: decoder.reader, ref: try require(key), path: path(key), depth: decoder.depth + 1)
    }
}

struct UnkeyedWireDecoder: UnkeyedDecodingContainer {
    let decoder: WireDecoderImpl
    private var position: Int
    private(set) var currentIndex = 0

    init(decoder: WireDecoderImpl) {
        self.decoder = decoder
        position = decoder.ref.start
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var isAtEnd: Bool { position >= decoder.ref.end }

    /// The number of elements, found by a scan that skips each one; nil if the scan fails
    /// (the failure is then reported by the decode that reaches it).
    var count: Int? {
        var cursor = decoder.ref.start
        var n = 0
        while cursor < decoder.ref.end {
            guard (try? decoder.reader.typedValue(at: &cursor, end: decoder.ref.end, path: "")) != nil else {
                return nil
            }
            n += 1
        }
        return n
    }

    private var elementPath: PathNode { PathNode(parent: decoder.path, key: IndexKey(currentIndex)) }

    @inline(__always)
    private mutating func next() throws(WireError) -> ValueRef {
        guard currentIndex < decoder.reader.limits.maxCollectionCount else {
            throw WireError(.limitExceeded, path: decoder.path.dotted, "more than \(decoder.reader.limits.maxCollectionCount) elements")
        }
        guard !isAtEnd else {
            throw WireError(.missingField, path: elementPath.dotted, "no more elements")
        }
        var cursor = position
        let ref = try decoder.reader.typedValue(at: &cursor, end: decoder.ref.end, path: elementPath.dotted)
        position = cursor
        currentIndex += 1
        return ref
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw WireError(.missingField, path: elementPath.dotted, "no more elements") }
        guard decoder.reader.bytes[position] == WireType.null.rawValue else { return false }
        position += 1
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let p = elementPath
        return try decoder.reader.bool(try next(), path: p.dotted)
    }
    mutating func decode(_ type: String.Type) throws -> String {
        let p = elementPath
        return try decoder.reader.string(try next(), path: p.dotted)
    }
    mutating func decode(_ type: Double.Type) throws -> Double {
        let p = elementPath
        return Double(bitPattern: try decoder.reader.fixed64(try next(), path: p.dotted))
    }
    mutating func decode(_ type: Float.Type) throws -> Float {
        let p = elementPath
        return Float(bitPattern: try decoder.reader.fixed32(try next(), path: p.dotted))
    }
    mutating func decode(_ type: Int.Type) throws -> Int { try signed() }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try signed() }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try signed() }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try signed() }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try signed() }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try unsigned() }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try unsigned() }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try unsigned() }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try unsigned() }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try unsigned() }

    private mutating func signed<T: FixedWidthInteger & SignedInteger>() throws -> T {
        let p = elementPath
        return try decoder.reader.fitSigned(try next(), path: p.dotted)
    }

    private mutating func unsigned<T: FixedWidthInteger & UnsignedInteger>() throws -> T {
        let p = elementPath
        return try decoder.reader.fitUnsigned(try next(), path: p.dotted)
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let p = LazyPath(parent: decoder.path, key: IndexKey(currentIndex))
        return try decodeValue(type, ref: try next(), reader: decoder.reader, path: p, depth: decoder.depth + 1)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try nestedDecoder().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try nestedDecoder().unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        try nestedDecoder()
    }

    private mutating func nestedDecoder() throws(WireError) -> WireDecoderImpl {
        let p = elementPath
        let ref = try next()
        return WireDecoderImpl(reader: decoder.reader, ref: ref, path: p, depth: decoder.depth + 1)
    }
}

struct SingleValueWireDecoder: SingleValueDecodingContainer {
    let decoder: WireDecoderImpl

    var codingPath: [any CodingKey] { decoder.codingPath }
    private var ref: ValueRef { decoder.ref }
    private var reader: WireReader { decoder.reader }
    private var path: String { decoder.path.dotted }

    func decodeNil() -> Bool { ref.type == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try reader.bool(ref, path: path) }
    func decode(_ type: String.Type) throws -> String { try reader.string(ref, path: path) }
    func decode(_ type: Double.Type) throws -> Double { Double(bitPattern: try reader.fixed64(ref, path: path)) }
    func decode(_ type: Float.Type) throws -> Float { Float(bitPattern: try reader.fixed32(ref, path: path)) }
    func decode(_ type: Int.Type) throws -> Int { try reader.fitSigned(ref, path: path) }
    func decode(_ type: Int8.Type) throws -> Int8 { try reader.fitSigned(ref, path: path) }
    func decode(_ type: Int16.Type) throws -> Int16 { try reader.fitSigned(ref, path: path) }
    func decode(_ type: Int32.Type) throws -> Int32 { try reader.fitSigned(ref, path: path) }
    func decode(_ type: Int64.Type) throws -> Int64 { try reader.fitSigned(ref, path: path) }
    func decode(_ type: UInt.Type) throws -> UInt { try reader.fitUnsigned(ref, path: path) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try reader.fitUnsigned(ref, path: path) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try reader.fitUnsigned(ref, path: path) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try reader.fitUnsigned(ref, path: path) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try reader.fitUnsigned(ref, path: path) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decodeValue(type, ref: ref, reader: reader, path: LazyPath(parent: decoder.path, key: nil), depth: decoder.depth)
    }
}

extension WireReader {
    @inline(__always)
    func bool(_ ref: ValueRef, path: @autoclosure () -> String) throws(WireError) -> Bool {
        switch try unsigned(ref, path: path()) {
        case 0: return false
        case 1: return true
        case let other: throw WireError(.valueOutOfRange, path: path(), "Bool must be 0 or 1, found \(other)")
        }
    }

    @inline(__always)
    func fitSigned<T: FixedWidthInteger & SignedInteger>(_ ref: ValueRef, path: @autoclosure () -> String) throws(WireError) -> T {
        let value = try signed(ref, path: path())
        guard let fitted = T(exactly: value) else {
            throw WireError(.valueOutOfRange, path: path(), "\(value) does not fit \(T.self)")
        }
        return fitted
    }

    @inline(__always)
    func fitUnsigned<T: FixedWidthInteger & UnsignedInteger>(_ ref: ValueRef, path: @autoclosure () -> String) throws(WireError) -> T {
        let value = try unsigned(ref, path: path())
        guard let fitted = T(exactly: value) else {
            throw WireError(.valueOutOfRange, path: path(), "\(value) does not fit \(T.self)")
        }
        return fitted
    }
}
