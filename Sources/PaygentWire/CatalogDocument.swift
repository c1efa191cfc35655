import Foundation

/// The parts of `protocol/` that are made from a service's catalog: the method, event and message
/// tables of `protocol/services/<service>.md`, and the golden vectors of
/// `protocol/vectors/<service>.json`. Tests compare the committed files with these, so the
/// documents cannot drift from the code; `PAYGENT_WRITE_VECTORS=1` makes the tests write them.
public enum CatalogDocument {
    public static let beginMarker = "<!-- BEGIN GENERATED from the catalog: PAYGENT_WRITE_VECTORS=1 scripts/test rewrites this section; do not edit by hand -->"
    public static let endMarker = "<!-- END GENERATED -->"

    /// The generated section, markers included. Types in `known` (the common messages, told in
    /// `common.md`) are named but not tabled again.
    public static func markdown(_ catalog: ServiceCatalog, known: Set<String> = []) throws -> String {
        var out = beginMarker + "\n\n"
        if !catalog.methods.isEmpty {
            out += "### Methods\n\n| method | effect | request → reply | what it does |\n|---|---|---|---|\n"
            for method in catalog.methods {
                out += "| `\(method.name)` | \(method.effect.rawValue) | `\(method.requestTypeName)` → `\(method.replyTypeName)` | \(method.summary) |\n"
            }
            out += "\n"
            out += "Effects: `read` changes nothing and is sent again after a dropped connection; "
            out += "`idempotent_write` changes state, and applying it twice is the same as once, so it is sent again too; "
            out += "`write` changes state and is sent again only with an idempotency key, which the service remembers "
            out += "(the same key with another request is refused with `conflict`).\n\n"
        } else {
            out += "No methods of its own yet: only the common ones ([common.md](common.md)).\n\n"
        }
        if !catalog.events.isEmpty {
            out += "### Events\n\n| topic | body | when |\n|---|---|---|\n"
            for event in catalog.events {
                out += "| `\(event.topic)` | `\(event.bodyTypeName)` | \(event.summary) |\n"
            }
            out += "\n"
        }
        let schema = try catalog.schema()
        let tables = schema.markdownTables(omitting: known)
        if !tables.isEmpty {
            out += "### Messages\n\n"
            out += "Every field with its type, wire type and tag (`protocol/encoding.md`); a reader treats a missing "
            out += "optional field as absent and a missing required one as `missing_field`.\n\n"
            out += tables
        }
        return out + endMarker + "\n"
    }

    /// `document` with its generated section replaced by `section` (appended when it has none).
    public static func replacingSection(in document: String, with section: String) -> String {
        guard let begin = document.range(of: beginMarker), let end = document.range(of: endMarker, range: begin.upperBound..<document.endIndex) else {
            return document.hasSuffix("\n\n") ? document + section : document + "\n" + section
        }
        var tail = document[end.upperBound...]
        if tail.hasPrefix("\n") { tail = tail.dropFirst() }
        return String(document[..<begin.lowerBound]) + section + tail
    }

    /// The golden vectors file: a request and a reply for every method, a body for every event,
    /// each with its hex bytes and the same value as JSON.
    public static func vectors(_ catalog: ServiceCatalog) throws -> String {
        func entry(_ sample: WireSample) throws -> [String: Any] {
            ["type": sample.typeName, "hex": Hex.encode(sample.bytes), "value": try JSONSerialization.jsonObject(with: Data(sample.json.utf8), options: [.fragmentsAllowed])]
        }
        var methods: [[String: Any]] = []
        for method in catalog.methods {
            let (request, reply) = try method.sampleVectors()
            methods.append(["method": method.name, "request": try entry(request), "reply": try entry(reply)])
        }
        var events: [[String: Any]] = []
        for event in catalog.events {
            events.append(["topic": event.topic, "body": try entry(try event.sampleVector())])
        }
        let document: [String: Any] = [
            "format": "paygent body encoding, version 1",
            "service": catalog.service,
            "about": "each value is WireSchemaRecorder.sample of its type: every field present; hex is its body encoding",
            "methods": methods, "events": events,
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
