import Foundation
import PaygentRuntime
import PaygentWire

/// Checks that a service's committed protocol files say what its catalog says: the generated
/// section of `protocol/services/<service>.md` and `protocol/vectors/<service>.json`, whose every
/// golden body decodes as its type, encodes to the same bytes, and passes `WireVerifier`'s
/// hostile-input checks. With `PAYGENT_WRITE_VECTORS=1`
/// it writes them instead (then commit them with the code).
public enum CatalogConformance {
    /// The repository, found from this file's path.
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var writing: Bool { ProcessInfo.processInfo.environment["PAYGENT_WRITE_VECTORS"] == "1" }

    /// The problems found (empty when the files agree with the catalog); files rewritten when
    /// `writing`.
    public static func problems(_ catalog: ServiceCatalog, known: Set<String> = commonTypes) throws -> [String] {
        var problems: [String] = []
        let documentURL = repository.appendingPathComponent("protocol/services/\(catalog.service).md")
        let vectorsURL = repository.appendingPathComponent("protocol/vectors/\(catalog.service).json")
        let committed = (try? String(contentsOf: documentURL, encoding: .utf8)) ?? "# \(catalog.service)\n\n"
        let document = CatalogDocument.replacingSection(in: committed, with: try CatalogDocument.markdown(catalog, known: known))
        let vectors = try CatalogDocument.vectors(catalog)
        let committedVectors = (try? String(contentsOf: vectorsURL, encoding: .utf8)) ?? ""
        if writing {
            try document.write(to: documentURL, atomically: true, encoding: .utf8)
            try vectors.write(to: vectorsURL, atomically: true, encoding: .utf8)
        } else {
            let fix = "; run `PAYGENT_WRITE_VECTORS=1 scripts/test` and commit the result"
            if document != committed { problems.append("\(documentURL.path) does not match the catalog\(fix)") }
            if vectors != committedVectors { problems.append("\(vectorsURL.path) does not match the catalog\(fix)") }
        }
        problems += try reencodingProblems(catalog, vectors: writing ? vectors : committedVectors)
        return problems
    }

    /// Every golden body in `vectors` decodes as its method's or event's type and encodes again
    /// to the same bytes.
    static func reencodingProblems(_ catalog: ServiceCatalog, vectors: String) throws -> [String] {
        guard let root = try? JSONSerialization.jsonObject(with: Data(vectors.utf8)) as? [String: Any] else {
            return ["the vectors of \(catalog.service) are not a JSON object"]
        }
        var problems: [String] = []
        for entry in root["methods"] as? [[String: Any]] ?? [] {
            guard let name = entry["method"] as? String, let method = catalog.method(named: name),
                let request = (entry["request"] as? [String: Any])?["hex"] as? String, let requestBytes = Hex.decode(request),
                let reply = (entry["reply"] as? [String: Any])?["hex"] as? String, let replyBytes = Hex.decode(reply)
            else {
                problems.append("a method vector of \(catalog.service) is unreadable or names no method of the catalog")
                continue
            }
            problems += WireVerifier.problems(name: "\(name) request", bytes: requestBytes) { try method.reencode(request: $0, reply: replyBytes).request }
            problems += WireVerifier.problems(name: "\(name) reply", bytes: replyBytes) { try method.reencode(request: requestBytes, reply: $0).reply }
            do {
                let again = try method.reencode(request: requestBytes, reply: replyBytes)
                if again.request != requestBytes || again.reply != replyBytes {
                    problems.append("\(name): a golden body does not encode again to the same bytes")
                }
            } catch {
                problems.append("\(name): a golden body does not decode: \(error)")
            }
        }
        for entry in root["events"] as? [[String: Any]] ?? [] {
            guard let topic = entry["topic"] as? String, let event = catalog.events.first(where: { $0.topic == topic }),
                let body = (entry["body"] as? [String: Any])?["hex"] as? String, let bytes = Hex.decode(body)
            else {
                problems.append("an event vector of \(catalog.service) is unreadable or names no event of the catalog")
                continue
            }
            problems += WireVerifier.problems(name: "\(topic) body", bytes: bytes) { try event.reencode(body: $0) }
            do {
                if try event.reencode(body: bytes) != bytes { problems.append("\(topic): the golden body does not encode again to the same bytes") }
            } catch {
                problems.append("\(topic): the golden body does not decode: \(error)")
            }
        }
        return problems
    }

    /// The messages every service shares, tabled in `common.md` only.
    public static var commonTypes: Set<String> {
        (try? CommonCatalog.catalog.schema().typeNames) ?? []
    }
}
