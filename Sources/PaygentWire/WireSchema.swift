/// What a message type looks like on the wire: its fields with their tags and wire types, the
/// messages it holds, and the enumerations it uses. Made by `WireSchemaRecorder` from the Swift
/// type itself, so documents and front doors that are built from it cannot drift from the code.
public struct WireSchema: Sendable, Equatable {
    /// The shape of the value a body holds.
    public var root: WireShape
    /// Every keyed message reachable from the root, by type name.
    public var messages: [String: WireMessageSchema]
    /// Every enumeration (raw-value enum) reachable from the root, by type name.
    public var enumerations: [String: WireEnumerationSchema]
    /// Every single-value wrapper type (a type that travels as one value: `Amount` as a string),
    /// by type name, with the shape it travels as.
    public var aliases: [String: WireShape]
    /// What a value of a type means, for the types that say (`WireDocumented`).
    public var notes: [String: String]

    public init(
        root: WireShape, messages: [String: WireMessageSchema] = [:], enumerations: [String: WireEnumerationSchema] = [:],
        aliases: [String: WireShape] = [:], notes: [String: String] = [:]
    ) {
        self.root = root
        self.messages = messages
        self.enumerations = enumerations
        self.aliases = aliases
        self.notes = notes
    }
}

/// The shape of one value.
public indirect enum WireShape: Sendable, Hashable, CustomStringConvertible {
    /// A value the format knows directly: `Bool`, `Int`…`UInt64`, `Double`, `Float`, `String`,
    /// `Data`, `UUID`, `Date`, `URL`.
    case scalar(String)
    /// A keyed message (a struct), described in its own table.
    case message(String)
    /// A raw-value enumeration: its raw value travels.
    case enumeration(String, raw: WireShape)
    /// A type that travels as one other value.
    case alias(String, WireShape)
    case optional(WireShape)
    case list(WireShape)
    case map(key: WireShape, value: WireShape)

    public var description: String {
        switch self {
        case .scalar(let name), .message(let name), .enumeration(let name, _), .alias(let name, _): name
        case .optional(let wrapped): "\(wrapped)?"
        case .list(let element): "[\(element)]"
        case .map(let key, let value): "[\(key): \(value)]"
        }
    }

    /// The wire type a value of this shape is written with (`protocol/encoding.md`).
    public var wireType: WireType {
        switch self {
        case .scalar(let name):
            switch name {
            case "Bool", "Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32", "UInt64": .varint
            case "Double", "Date": .fixed64
            case "Float": .fixed32
            default: .bytes
            }
        case .enumeration(_, let raw), .alias(_, let raw), .optional(let raw): raw.wireType
        case .message, .list, .map: .bytes
        }
    }
}

/// One field of a keyed message.
public struct WireFieldSchema: Sendable, Hashable {
    /// The Swift property (coding key) name.
    public var name: String
    /// The number on the wire (`FieldTag`).
    public var tag: UInt32
    public var shape: WireShape
    /// False for an optional field: a reader treats it as absent when it is missing.
    public var required: Bool
}

public struct WireMessageSchema: Sendable, Hashable {
    public var name: String
    /// In the order the type decodes them.
    public var fields: [WireFieldSchema]
}

public struct WireEnumerationSchema: Sendable, Hashable {
    public var name: String
    /// The raw values, in declaration order, as text.
    public var cases: [String]
}

/// A type that travels as one other value and says what that value means (an amount as a
/// decimal string of base units), for the documents.
public protocol WireDocumented {
    static var wireDescription: String { get }
}

/// A type whose decoding cannot be walked (an enum with associated values, say) describes
/// itself: its shape, the messages that shape names, and a value to stand for it.
public protocol WireSchemaDescribed {
    static func wireSchema(into recorder: inout WireSchema) -> WireShape
    static var wireSchemaSample: Self { get }
}

extension WireSchema {
    /// The message tables, in Markdown: the root's shape first, then each message, enumeration
    /// and alias it reaches, sorted by name.
    public func markdownTables(omitting known: Set<String> = []) -> String {
        var out = ""
        for name in messages.keys.sorted() where !known.contains(name) {
            let message = messages[name]!
            out += "#### `\(name)`\n\n"
            if message.fields.isEmpty {
                out += "No fields (an empty container, `02 00`).\n\n"
                continue
            }
            out += "| field | type | wire type | tag | |\n|---|---|---|---|---|\n"
            for field in message.fields {
                out += "| `\(field.name)` | `\(field.shape)` | \(field.shape.wireType.name) | \(field.tag) | \(field.required ? "required" : "optional") |\n"
            }
            out += "\n"
        }
        for name in enumerations.keys.sorted() where !known.contains(name) {
            let cases = enumerations[name]!.cases.map { "`\($0)`" }.joined(separator: ", ")
            out += "#### `\(name)`\n\nOne of \(cases).\n\n"
        }
        for name in aliases.keys.sorted() where !known.contains(name) {
            out += "#### `\(name)`\n\nTravels as `\(aliases[name]!)`\(notes[name].map { ": \($0)" } ?? "").\n\n"
        }
        return out
    }

    /// Every type name this schema describes.
    public var typeNames: Set<String> {
        Set(messages.keys).union(enumerations.keys).union(aliases.keys)
    }

    /// Adds what `other` describes.
    public mutating func merge(_ other: WireSchema) {
        messages.merge(other.messages) { first, _ in first }
        enumerations.merge(other.enumerations) { first, _ in first }
        aliases.merge(other.aliases) { first, _ in first }
        notes.merge(other.notes) { first, _ in first }
    }
}

extension WireType {
    /// The name `protocol/encoding.md` gives this wire type.
    public var name: String {
        switch self {
        case .varint: "varint"
        case .fixed64: "fixed64"
        case .bytes: "bytes"
        case .null: "null"
        case .fixed32: "fixed32"
        case .named: "named"
        }
    }
}
