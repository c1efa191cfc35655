import PaygentWire

/// Any JSON value, for the open-ended parts of x402 messages (`extra`, `extensions`,
/// `outputSchema`), kept as received so they round-trip.
public enum JSONValue: Codable, Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        if WireCoding.isBinary(decoder.userInfo) {
            self = try Self.decodeFromText(decoder)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if WireCoding.isBinary(encoder.userInfo) {
            try encodeAsText(encoder)
            return
        }
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// On our binary wire (which is not self-describing) a value travels as its compact JSON text.
    private func encodeAsText(_ encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(jsonText)
    }

    private static func decodeFromText(_ decoder: any Decoder) throws -> JSONValue {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            return try JSONParser.parse(Array(text.utf8))
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not JSON: \(error.message)"))
        }
    }

    /// The string at `key` of an object.
    public subscript(key: String) -> String? {
        if case .object(let members) = self, case .string(let text)? = members[key] { return text }
        return nil
    }
}

extension JSONValue: WireDocumented {
    public static var wireDescription: String {
        "any JSON value as its compact JSON text, object members sorted by name (`protocol/encoding.md`, Arbitrary JSON values)"
    }
}

extension JSONValue {
    /// The x402 `bazaar` extension's `info.input` and `info.output` in a 402's or a payment's
    /// `extensions`, as compact JSON text; nil where absent.
    public static func bazaarInfo(_ extensions: JSONValue?) -> (input: String?, output: String?) {
        guard case .object(let all)? = extensions, case .object(let bazaar)? = all["bazaar"], case .object(let info)? = bazaar["info"] else {
            return (nil, nil)
        }
        return (info["input"]?.jsonText, info["output"]?.jsonText)
    }

    /// What is wrong with a `bazaar` extension against its own `schema` (nil when it passes or
    /// declares no schema). The JSON Schema keywords checked: `type`, `properties`, `required`,
    /// `items` and `enum`; others are not.
    public static func bazaarProblem(_ extensions: JSONValue?) -> String? {
        guard case .object(let all)? = extensions, case .object(let bazaar)? = all["bazaar"] else { return nil }
        guard let info = bazaar["info"] else { return "bazaar: no info" }
        guard let schema = bazaar["schema"] else { return nil }
        return info.problem(against: schema, at: "bazaar.info")
    }

    /// The first way this value breaks `schema` (the keywords above), or nil.
    func problem(against schema: JSONValue, at path: String) -> String? {
        guard case .object(let rules) = schema else { return nil }
        if case .string(let type)? = rules["type"], !matches(type) {
            return "\(path) is not \(type == "array" || type == "object" || type == "integer" ? "an" : "a") \(type)"
        }
        if case .array(let allowed)? = rules["enum"], !allowed.contains(self) {
            return "\(path) is not one of the values its schema allows"
        }
        if case .object(let members) = self {
            if case .array(let required)? = rules["required"] {
                for case .string(let name) in required where members[name] == nil {
                    return "\(path).\(name) is required by its schema"
                }
            }
            if case .object(let properties)? = rules["properties"] {
                for (name, rule) in properties.sorted(by: { $0.key < $1.key }) {
                    if let member = members[name], let problem = member.problem(against: rule, at: "\(path).\(name)") { return problem }
                }
            }
        }
        if case .array(let elements) = self, let rule = rules["items"] {
            for (index, element) in elements.enumerated() {
                if let problem = element.problem(against: rule, at: "\(path)[\(index)]") { return problem }
            }
        }
        return nil
    }

    private func matches(_ type: String) -> Bool {
        switch (type, self) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): true
        case ("integer", .number(let value)): value.rounded() == value
        default: false
        }
    }
}
