import Foundation

/// What calling a method does, which decides whether a call may be sent again after a dropped
/// connection (the client does this on its own; call sites never decide it).
public enum MethodEffect: String, Sendable, CaseIterable {
    /// Changes nothing: always safe to send again.
    case read
    /// Changes state, and applying it twice is the same as once (settling one authorization):
    /// safe to send again.
    case idempotentWrite = "idempotent_write"
    /// Changes state: sent again only when the call carries an idempotency key, which the
    /// service remembers (and refuses with `conflict` if reused for another request).
    case write

    /// Safe to send again with no idempotency key.
    public var retrySafe: Bool { self != .write }
    public var changesState: Bool { self != .read }
}

/// A method of a service: its name on the wire, its request and reply types, what it does.
/// Declared once in the service's catalog; the server registers a handler for it, clients call
/// it, and documents and front doors are derived from it.
public struct RPCMethod<Request: Codable & Sendable, Reply: Codable & Sendable>: Sendable {
    /// `<service>.<name>`, lower-case words joined by `_` (`protocol/naming.md`).
    public let name: String
    public let effect: MethodEffect
    /// One line on what it does, for documents, `--help` and tool lists.
    public let summary: String

    public init(_ name: String, _ effect: MethodEffect, _ summary: String) {
        self.name = name
        self.effect = effect
        self.summary = summary
    }
}

/// An event a service publishes: its topic (or a topic pattern) and body type.
public struct EventTopic<Body: Codable & Sendable>: Sendable {
    /// The topic, or a pattern whose `<placeholders>` are filled in when publishing
    /// (`log.<service>.<level>`).
    public let topic: String
    public let summary: String

    public init(_ topic: String, _ summary: String) {
        self.topic = topic
        self.summary = summary
    }

    /// The topic up to its first placeholder: what a subscriber filters on for every event of
    /// this kind.
    public var prefix: String {
        guard let open = topic.firstIndex(of: "<") else { return topic }
        return String(topic[..<open])
    }

    /// True when `topic` is this event's (an exact match, or one that fills the pattern).
    public func matches(_ topic: String) -> Bool {
        guard self.topic.contains("<") else { return topic == self.topic }
        let parts = self.topic.split(separator: ".", omittingEmptySubsequences: false)
        let given = topic.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == given.count else { return false }
        return zip(parts, given).allSatisfy { pattern, value in
            pattern.hasPrefix("<") ? !value.isEmpty : pattern == value
        }
    }
}

/// A method or event as the catalog lists it, without its types.
public protocol CatalogEntry: Sendable {
    var entryName: String { get }
    var summary: String { get }
}

/// A method without its types: what a catalog lists and front doors read.
public protocol AnyRPCMethod: CatalogEntry {
    var name: String { get }
    var effect: MethodEffect { get }
    var requestTypeName: String { get }
    var replyTypeName: String { get }
    func requestSchema() throws -> WireSchema
    func replySchema() throws -> WireSchema
    /// Golden vectors: a request and a reply with every field present (`WireSchemaRecorder.sample`).
    func sampleVectors() throws -> (request: WireSample, reply: WireSample)
    /// Decodes `request` and `reply` as this method's types and encodes them again.
    func reencode(request: [UInt8], reply: [UInt8]) throws -> (request: [UInt8], reply: [UInt8])
}

extension RPCMethod: AnyRPCMethod {
    public var entryName: String { name }
    public var requestTypeName: String { WireSchemaRecorder.typeName(Request.self) }
    public var replyTypeName: String { WireSchemaRecorder.typeName(Reply.self) }
    public func requestSchema() throws -> WireSchema { try WireSchemaRecorder.record(Request.self) }
    public func replySchema() throws -> WireSchema { try WireSchemaRecorder.record(Reply.self) }

    public func sampleVectors() throws -> (request: WireSample, reply: WireSample) {
        (try WireSample(Request.self), try WireSample(Reply.self))
    }

    public func reencode(request: [UInt8], reply: [UInt8]) throws -> (request: [UInt8], reply: [UInt8]) {
        (
            try BinaryEncoder().encode(try BinaryDecoder().decode(Request.self, from: request)),
            try BinaryEncoder().encode(try BinaryDecoder().decode(Reply.self, from: reply))
        )
    }
}

/// A sample value of a message type with its encoding: a golden vector.
public struct WireSample: Sendable {
    public let typeName: String
    public let bytes: [UInt8]
    /// The same value as JSON (Foundation's encoder, keys sorted), for people reading the vectors.
    public let json: String

    public init<T: Codable>(_ type: T.Type) throws {
        let value = try WireSchemaRecorder.sample(type)
        typeName = WireSchemaRecorder.typeName(type)
        bytes = try BinaryEncoder().encode(value)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.dataEncodingStrategy = .base64
        json = String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// An event without its body type.
public protocol AnyEventTopic: CatalogEntry {
    var topic: String { get }
    var bodyTypeName: String { get }
    func bodySchema() throws -> WireSchema
    func sampleVector() throws -> WireSample
    func reencode(body: [UInt8]) throws -> [UInt8]
}

extension EventTopic: AnyEventTopic {
    public var entryName: String { topic }
    public var bodyTypeName: String { WireSchemaRecorder.typeName(Body.self) }
    public func bodySchema() throws -> WireSchema { try WireSchemaRecorder.record(Body.self) }
    public func sampleVector() throws -> WireSample { try WireSample(Body.self) }
    public func reencode(body: [UInt8]) throws -> [UInt8] {
        try BinaryEncoder().encode(try BinaryDecoder().decode(Body.self, from: body))
    }
}

/// Everything a service answers and publishes, declared in one place. Readable at run time,
/// so the REST gateway and the MCP server derive routes and tools from it, and the protocol
/// documents are generated from it.
public struct ServiceCatalog: Sendable {
    /// The service's name (`payments`), the first word of its method names.
    public let service: String
    public let methods: [any AnyRPCMethod]
    public let events: [any AnyEventTopic]

    public init(service: String, methods: [any AnyRPCMethod], events: [any AnyEventTopic] = []) {
        self.service = service
        self.methods = methods
        self.events = events
    }

    public func method(named name: String) -> (any AnyRPCMethod)? {
        methods.first { $0.name == name }
    }

    /// Every message, enumeration and alias the catalog's methods and events use.
    public func schema() throws -> WireSchema {
        var all = WireSchema(root: .scalar(""))
        for method in methods {
            all.merge(try method.requestSchema())
            all.merge(try method.replySchema())
        }
        for event in events { all.merge(try event.bodySchema()) }
        return all
    }
}
