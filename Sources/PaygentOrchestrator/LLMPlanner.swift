import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PaygentCommands
import PaygentOrchestratorAPI
import PaygentRuntime
import PaygentWire

/// The optional LLM planner: any OpenAI-compatible chat-completions endpoint with tool calling.
/// It is asked only for a command the grammar does not understand at all (a command refused for
/// what it contains stays refused). Its tools are the intents, each with the arguments the
/// grammar reads; every call it makes is validated as the grammar validates a typed command
/// (`ProposedIntent`), and the plan built from it is the same plan — the same tools, the same
/// spend policy and approvals.
struct LLMPlanner: Sendable {
    let url: String
    let model: String
    /// Sent as `Authorization: Bearer …`; never logged, never in an error.
    let key: String?
    let http: HTTPClient
    static let maxBodyBytes = 1 << 20

    /// The planner the configuration asks for, or nil when it is off (the default).
    static func configured(_ config: PaygentConfig) throws(ConfigError) -> LLMPlanner? {
        guard let url = config.setting("orchestrator", "llmURL", environment: "PAYGENT_LLM_URL"), !url.isEmpty else { return nil }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ConfigError("orchestrator llmURL is '\(url)' (PAYGENT_LLM_URL); it must be an http or https URL, the base of /chat/completions")
        }
        let model = config.setting("orchestrator", "llmModel", environment: "PAYGENT_LLM_MODEL") ?? "gpt-4o-mini"
        let key = config.setting("orchestrator", "llmKey", environment: "PAYGENT_LLM_KEY")
        return LLMPlanner(url: url.hasSuffix("/") ? String(url.dropLast()) : url, model: model, key: key, http: .shared)
    }

    static let instructions = """
        You turn a user's command for a crypto payments agent into calls of the given tools, one call per action, in the order \
        the user wants them. Copy amounts and prices exactly as the user wrote them, as decimal strings. Use token symbols \
        (USDC, CRO, …) and markets BTC, ETH or CRO. Call only the given tools; if the command asks for anything else, call none.
        """

    /// The intents the model proposes for `command`, each validated.
    func intents(for command: String) async throws(PaygentError) -> [ParsedIntent] {
        let body = try requestBody(command)
        var request = HTTPClientRequest(url: "\(url)/chat/completions")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(ByteBuffer(bytes: body))
        let data: Data
        do {
            let response = try await http.execute(request, timeout: .seconds(30))
            guard response.status == .ok else {
                throw PaygentError(.unavailable, "the LLM planner at \(url) answered HTTP \(response.status.code)")
            }
            data = Data(try await response.body.collect(upTo: Self.maxBodyBytes).readableBytesView)
        } catch let error as PaygentError {
            throw error
        } catch {
            throw PaygentError(.unavailable, "the LLM planner at \(url) could not be reached: \(type(of: error))")
        }
        return try parse(data, command: command)
    }

    func requestBody(_ command: String) throws(PaygentError) -> Data {
        let tools: [[String: Any]] = IntentName.allCases.map { name in
            var properties: [String: Any] = [:]
            for argument in ProposedIntent.arguments[name] ?? [] {
                properties[argument] = ["type": argument == "leverage" ? "integer" : "string"]
            }
            return [
                "type": "function",
                "function": [
                    "name": name.rawValue, "description": "the \(name.rawValue.replacingOccurrences(of: "_", with: " ")) intent",
                    "parameters": ["type": "object", "properties": properties, "additionalProperties": false],
                ] as [String: Any],
            ]
        }
        let object: [String: Any] = [
            "model": model,
            "messages": [["role": "system", "content": Self.instructions], ["role": "user", "content": command]],
            "tools": tools,
            "tool_choice": "auto",
        ]
        do {
            return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        } catch {
            throw PaygentError(.internal, "the LLM request could not be written")
        }
    }

    /// Reads `choices[0].message.tool_calls`: every call must name an offered tool and carry
    /// arguments that are a JSON object the grammar's rules accept.
    func parse(_ data: Data, command: String) throws(PaygentError) -> [ParsedIntent] {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let choices = root["choices"] as? [[String: Any]],
            let message = choices.first?["message"] as? [String: Any]
        else {
            throw PaygentError(.unavailable, "the LLM planner's answer is not a chat completion (no choices[0].message)")
        }
        guard let calls = message["tool_calls"] as? [[String: Any]], !calls.isEmpty else {
            throw PaygentError(.badRequest, "the LLM planner found nothing it may do for this command; nothing ran. Commands look like: \(CommandParser.examples.joined(separator: "; "))")
        }
        var intents: [ParsedIntent] = []
        for call in calls {
            guard let function = call["function"] as? [String: Any], let name = function["name"] as? String else {
                throw PaygentError(.unavailable, "the LLM planner's tool call has no function name")
            }
            guard let intent = IntentName(rawValue: name) else {
                throw PaygentError(
                    .permissionDenied,
                    "the LLM planner asked for the tool '\(String(name.prefix(64)))', which it may not call (its tools: \(IntentName.allCases.map(\.rawValue).joined(separator: ", "))); nothing ran")
            }
            let text = function["arguments"] as? String ?? "{}"
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw PaygentError(.unavailable, "the LLM planner's arguments for \(name) are not a JSON object; nothing ran")
            }
            var arguments: [String: String] = [:]
            for (key, value) in object {
                switch value {
                case let text as String: arguments[key] = text
                case let number as NSNumber: arguments[key] = number.stringValue
                default: throw PaygentError(.badRequest, "the LLM planner's argument \(key) of \(name) is neither a string nor a number; nothing ran")
                }
            }
            do {
                intents.append(try ProposedIntent.validate(intent, arguments, text: command))
            } catch {
                throw PaygentError(.badRequest, "the LLM planner proposed \(name) with \(error.message); nothing ran")
            }
        }
        return intents
    }
}
