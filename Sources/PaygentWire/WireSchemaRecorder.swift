import Foundation

/// Walks a `Decodable` type and records its `WireSchema`: a `Decoder` that answers every request
/// with a stand-in value and notes what was asked for (each field's key, type and whether it was
/// read with `decodeIfPresent`). Synthesized conformances are walked as they are; a type that
/// validates its input gets stand-ins that pass common checks (`"0"` for strings, zero for
/// numbers); a type whose decoding cannot be walked conforms to `WireSchemaDescribed`.
public enum WireSchemaRecorder {
    public static func record<T: Decodable>(_ type: T.Type) throws -> WireSchema {
        let state = RecorderState(filled: false)
        let (root, _) = try state.shape(of: type)
        return state.schema(root: root)
    }

    /// A value of `T` with every field present: optionals set, one element in each array and
    /// map, strings `"100000"` (which reads as an amount and as JSON), integers 7, `true`,
    /// 1.5, the first case of each enumeration. Deterministic, so its encoding is a golden
    /// vector that covers every field of the message.
    public static func sample<T: Decodable>(_ type: T.Type) throws -> T {
        try RecorderState(filled: true).shape(of: type).1
    }

    /// A type's name as documents give it: nested types with their outer type
    /// (`SupportedResponse.Kind`), generic ones with their arguments, no module.
    public static func typeName(_ type: Any.Type) -> String {
        let full = String(reflecting: type)
        guard !full.contains("<") else { return String(describing: type) }
        let parts = full.split(separator: ".")
        return parts.count > 1 ? parts.dropFirst().joined(separator: ".") : full
    }
}

/// Raised when a type cannot be walked; says which and what to do.
public struct WireSchemaError: Error, CustomStringConvertible {
    public let description: String
}

final class RecorderState {
    /// Stand-ins with every field present (`sample`) rather than the smallest (`record`).
    let filled: Bool
    var messages: [String: WireMessageSchema] = [:]
    var enumerations: [String: WireEnumerationSchema] = [:]
    var aliases: [String: WireShape] = [:]
    var notes: [String: String] = [:]
    /// Types already walked: their shape and stand-in.
    var walked: [String: (WireShape, Any)] = [:]
    var inProgress: Set<String> = []

    init(filled: Bool) {
        self.filled = filled
    }

    func schema(root: WireShape) -> WireSchema {
        WireSchema(root: root, messages: messages, enumerations: enumerations, aliases: aliases, notes: notes)
    }

    /// The shape of `T` and a stand-in value of it.
    func shape<T: Decodable>(of type: T.Type) throws -> (WireShape, T) {
        if let scalar = Self.scalar(type, filled: filled) { return scalar }
        if let described = T.self as? any WireSchemaDescribed.Type {
            var schema = self.schema(root: .scalar(""))
            let shape = described.wireSchema(into: &schema)
            messages = schema.messages
            enumerations = schema.enumerations
            aliases = schema.aliases
            notes = schema.notes
            return (shape, described.wireSchemaSample as! T)
        }
        if let container = T.self as? any SchemaContainer.Type {
            return try container.schemaShape(self) as! (WireShape, T)
        }
        let name = WireSchemaRecorder.typeName(T.self)
        if let enumeration = T.self as? any (CaseIterable & RawRepresentable).Type {
            return try Self.enumerationShape(enumeration, name: name, state: self) as! (WireShape, T)
        }
        if let (shape, sample) = walked[name], let sample = sample as? T {
            return (shape, sample)
        }
        guard !inProgress.contains(name) else {
            throw WireSchemaError(description: "\(name) contains itself; give it a WireSchemaDescribed conformance")
        }
        inProgress.insert(name)
        defer { inProgress.remove(name) }
        let decoder = RecordingDecoder(state: self, codingPath: [])
        let value: T
        do {
            value = try T(from: decoder)
        } catch {
            throw WireSchemaError(description: "cannot walk \(name): \(error); give it a WireSchemaDescribed conformance")
        }
        let shape: WireShape
        switch decoder.recorded {
        case .keyed(let fields):
            messages[name] = WireMessageSchema(name: name, fields: fields.fields)
            shape = .message(name)
        case .single(let inner):
            aliases[name] = inner
            if let documented = T.self as? any WireDocumented.Type { notes[name] = documented.wireDescription }
            shape = .alias(name, inner)
        case .unkeyed(let element):
            aliases[name] = .list(element ?? .scalar("?"))
            shape = .alias(name, .list(element ?? .scalar("?")))
        case .nothing:
            messages[name] = WireMessageSchema(name: name, fields: [])
            shape = .message(name)
        }
        walked[name] = (shape, value)
        return (shape, value)
    }

    private static func enumerationShape<E: CaseIterable & RawRepresentable>(
        _ type: E.Type, name: String, state: RecorderState
    ) throws -> (WireShape, E) {
        guard let first = E.allCases.first else { throw WireSchemaError(description: "\(name) has no cases") }
        let raw: WireShape = first.rawValue is String ? .scalar("String") : .scalar(String(describing: E.RawValue.self))
        state.enumerations[name] = WireEnumerationSchema(name: name, cases: E.allCases.map { "\($0.rawValue)" })
        return (.enumeration(name, raw: raw), first)
    }

    /// Values the format knows directly, with their stand-ins: the smallest for `record`, one
    /// with every bit of content for `sample`.
    static func scalar<T>(_ type: T.Type, filled: Bool) -> (WireShape, T)? {
        let sample: Any
        switch type {
        case is Bool.Type: sample = filled
        case is String.Type: sample = filled ? "100000" : "0"
        case is Int.Type: sample = (filled ? 7 : 0) as Int
        case is Int8.Type: sample = (filled ? 7 : 0) as Int8
        case is Int16.Type: sample = (filled ? 7 : 0) as Int16
        case is Int32.Type: sample = (filled ? 7 : 0) as Int32
        case is Int64.Type: sample = (filled ? 7 : 0) as Int64
        case is UInt.Type: sample = (filled ? 7 : 0) as UInt
        case is UInt8.Type: sample = (filled ? 7 : 0) as UInt8
        case is UInt16.Type: sample = (filled ? 7 : 0) as UInt16
        case is UInt32.Type: sample = (filled ? 7 : 0) as UInt32
        case is UInt64.Type: sample = (filled ? 7 : 0) as UInt64
        case is Double.Type: sample = (filled ? 1.5 : 0) as Double
        case is Float.Type: sample = (filled ? 1.5 : 0) as Float
        case is Data.Type: sample = filled ? Data([0x01, 0x02]) : Data()
        case is [UInt8].Type: return (.scalar("[UInt8]"), (filled ? [0x01, 0x02] : []) as [UInt8] as! T)
        case is UUID.Type: sample = filled ? UUID(uuid: (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)) : UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        case is Date.Type: sample = Date(timeIntervalSince1970: filled ? 1_764_633_600 : 0)
        case is URL.Type: sample = URL(string: filled ? "http://127.0.0.1:8402/prices" : "http://localhost")!
        default: return nil
        }
        return (.scalar(String(describing: T.self)), sample as! T)
    }
}

/// Optionals, arrays, sets and dictionaries: their shapes come from their element types.
protocol SchemaContainer {
    static func schemaShape(_ state: RecorderState) throws -> Any
}

extension Optional: SchemaContainer where Wrapped: Decodable {
    static func schemaShape(_ state: RecorderState) throws -> Any {
        let (inner, sample) = try state.shape(of: Wrapped.self)
        return (WireShape.optional(inner), state.filled ? Self.some(sample) : Self.none)
    }
}

extension Array: SchemaContainer where Element: Decodable {
    static func schemaShape(_ state: RecorderState) throws -> Any {
        let (inner, sample) = try state.shape(of: Element.self)
        return (WireShape.list(inner), state.filled ? [sample] : Self())
    }
}

extension Set: SchemaContainer where Element: Decodable {
    static func schemaShape(_ state: RecorderState) throws -> Any {
        let (inner, sample) = try state.shape(of: Element.self)
        return (WireShape.list(inner), state.filled ? [sample] : Self())
    }
}

extension Dictionary: SchemaContainer where Key: Decodable, Value: Decodable {
    static func schemaShape(_ state: RecorderState) throws -> Any {
        let (key, keySample) = try state.shape(of: Key.self)
        let (value, valueSample) = try state.shape(of: Value.self)
        return (WireShape.map(key: key, value: value), state.filled ? [keySample: valueSample] : Self())
    }
}

/// What a type's `init(from:)` asked its decoder for.
enum Recorded {
    case nothing
    case keyed(FieldList)
    case single(WireShape)
    case unkeyed(WireShape?)
}

final class FieldList {
    var fields: [WireFieldSchema] = []

    func add(_ key: some CodingKey, _ shape: WireShape, required: Bool) {
        guard !fields.contains(where: { $0.name == key.stringValue }) else { return }
        fields.append(WireFieldSchema(name: key.stringValue, tag: FieldTag.tag(for: key), shape: shape, required: required))
    }
}

final class RecordingDecoder: Decoder {
    let state: RecorderState
    let codingPath: [any CodingKey]
    var recorded = Recorded.nothing
    var userInfo: [CodingUserInfoKey: Any] { [WireCoding.userInfoKey: true] }

    init(state: RecorderState, codingPath: [any CodingKey]) {
        self.state = state
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let fields: FieldList
        if case .keyed(let existing) = recorded {
            fields = existing
        } else {
            fields = FieldList()
            recorded = .keyed(fields)
        }
        return KeyedDecodingContainer(RecordingKeyedContainer<Key>(state: state, fields: fields, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        recorded = .unkeyed(nil)
        return RecordingUnkeyedContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        RecordingSingleValueContainer(decoder: self)
    }
}

struct RecordingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let state: RecorderState
    let fields: FieldList
    let codingPath: [any CodingKey]
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let (shape, sample) = try state.shape(of: type)
        fields.add(key, shape, required: true)
        return sample
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try optional(type, key)
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try optional(type, key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try optional(type, key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optional(type, key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try optional(type, key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optional(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try optional(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try optional(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try optional(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try optional(type, key) }

    private func optional<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        let (shape, sample) = try state.shape(of: type)
        fields.add(key, shape, required: false)
        return state.filled ? sample : nil
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw WireSchemaError(description: "a nested container at '\(key.stringValue)' (an enum with associated values?)")
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw WireSchemaError(description: "a nested unkeyed container at '\(key.stringValue)'")
    }

    func superDecoder() throws -> any Decoder { throw WireSchemaError(description: "superDecoder") }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw WireSchemaError(description: "superDecoder(forKey:)") }
}

struct RecordingSingleValueContainer: SingleValueDecodingContainer {
    let decoder: RecordingDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (shape, sample) = try decoder.state.shape(of: type)
        decoder.recorded = .single(shape)
        return sample
    }
}

/// A hand-written unkeyed decoding: its first element's type is recorded; it reads as empty.
struct RecordingUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: RecordingDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { 0 }
    var isAtEnd: Bool { true }
    var currentIndex: Int { 0 }

    mutating func decodeNil() throws -> Bool { false }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (shape, sample) = try decoder.state.shape(of: type)
        decoder.recorded = .unkeyed(shape)
        return sample
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        throw WireSchemaError(description: "a nested container inside an unkeyed one")
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw WireSchemaError(description: "a nested unkeyed container inside an unkeyed one")
    }

    mutating func superDecoder() throws -> any Decoder { throw WireSchemaError(description: "superDecoder") }
}
