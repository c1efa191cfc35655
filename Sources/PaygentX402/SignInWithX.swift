import Foundation
import PaygentCrypto

/// The x402 `sign-in-with-x` extension (CAIP-122 with an EIP-4361 message, signed with EIP-191):
/// a client proves it controls a wallet instead of paying, and the server serves it when that
/// wallet already holds what it needs (here: an active subscription to the route).
///
/// Supported: EVM chains (`eip155:*`) with `eip191` signatures from ordinary keys. Not supported:
/// Solana, and EIP-1271 / EIP-6492 smart-wallet signatures (they need a chain call).
public enum SignInWithX {
    /// The key in a 402's `extensions`.
    public static let extensionKey = "sign-in-with-x"
    /// The request header carrying a proof (base64 of its JSON).
    public static let header = "SIGN-IN-WITH-X"
    /// How old a proof's `issuedAt` may be.
    public static let maxAge: TimeInterval = 300

    /// The extension a 402 declares: the challenge's fields, the chains it accepts, and the
    /// JSON Schema of a proof.
    public static func declaration(_ challenge: SignInChallenge, chainId: String) -> JSONValue {
        let info = (try? JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(challenge))) ?? .object([:])
        let text: JSONValue = .object(["type": .string("string")])
        let fields = [
            "domain", "address", "statement", "uri", "version", "chainId", "type", "nonce", "issuedAt", "expirationTime",
            "notBefore", "requestId", "signature",
        ]
        var properties = Dictionary(uniqueKeysWithValues: fields.map { ($0, text) })
        properties["resources"] = .object(["type": .string("array"), "items": text])
        let required = ["domain", "address", "uri", "version", "chainId", "type", "nonce", "issuedAt", "signature"]
        return .object([
            "info": info,
            "supportedChains": .array([.object(["chainId": .string(chainId), "type": .string("eip191")])]),
            "schema": .object([
                "$schema": .string("https://json-schema.org/draft/2020-12/schema"), "type": .string("object"),
                "properties": .object(properties), "required": .array(required.map(JSONValue.string)),
            ]),
        ])
    }

    /// The challenge a 402's `extensions` declares, and the first of its chains that is `chainId`
    /// with `eip191` signatures; nil when it declares none this signer can answer.
    public static func challenge(in extensions: JSONValue?, chainId: String) -> SignInChallenge? {
        guard case .object(let all)? = extensions, case .object(let declared)? = all[extensionKey], let info = declared["info"],
            case .array(let chains)? = declared["supportedChains"],
            chains.contains(where: { $0["chainId"] == chainId && $0["type"] == "eip191" }),
            let data = try? JSONEncoder().encode(info)
        else { return nil }
        return try? JSONDecoder().decode(SignInChallenge.self, from: data)
    }

    /// `2026-12-02T12:00:00.000Z`: how times are written in a challenge.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// An ISO 8601 time, with or without fractional seconds.
    public static func date(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}

/// What a server asks a wallet to sign (the extension's `info`).
public struct SignInChallenge: Codable, Sendable, Equatable {
    /// The server's host (and port, when not the default), as a browser shows it.
    public var domain: String
    /// The resource.
    public var uri: String
    public var version: String
    public var nonce: String
    public var issuedAt: String
    public var expirationTime: String?
    public var notBefore: String?
    public var statement: String?
    public var requestId: String?
    public var resources: [String]?

    public init(
        domain: String, uri: String, nonce: String, issuedAt: Date, expirationTime: Date? = nil, statement: String? = nil,
        resources: [String]? = nil
    ) {
        self.domain = domain
        self.uri = uri
        version = "1"
        self.nonce = nonce
        self.issuedAt = SignInWithX.timestamp(issuedAt)
        self.expirationTime = expirationTime.map(SignInWithX.timestamp)
        self.statement = statement
        self.resources = resources
    }

    /// A challenge for `url` made by the client itself (its own nonce and time), as a server that
    /// tracks used nonces accepts: it saves the 402 round trip when the client knows the route.
    public init?(url: URL, nonce: String, now: Date, statement: String?) {
        guard url.scheme != nil, let host = url.host else { return nil }
        let authority = url.port.map { "\(host):\($0)" } ?? host
        self.init(domain: authority, uri: url.absoluteString, nonce: nonce, issuedAt: now, statement: statement)
    }
}

/// A signed answer to a challenge: the `SIGN-IN-WITH-X` header's content.
public struct SignInProof: Codable, Sendable, Equatable {
    public var domain: String
    public var address: String
    public var statement: String?
    public var uri: String
    public var version: String
    public var chainId: String
    public var type: String
    public var nonce: String
    public var issuedAt: String
    public var expirationTime: String?
    public var notBefore: String?
    public var requestId: String?
    public var resources: [String]?
    public var signatureScheme: String?
    public var signature: String

    /// Signs `challenge` for `chainId` (`eip155:<n>`) with `key`.
    public static func sign(_ challenge: SignInChallenge, chainId: String, with key: PrivateKey) throws(CryptoError) -> SignInProof {
        var proof = SignInProof(
            domain: challenge.domain, address: key.address.eip55, statement: challenge.statement, uri: challenge.uri,
            version: challenge.version, chainId: chainId, type: "eip191", nonce: challenge.nonce, issuedAt: challenge.issuedAt,
            expirationTime: challenge.expirationTime, notBefore: challenge.notBefore, requestId: challenge.requestId,
            resources: challenge.resources, signatureScheme: "eip191", signature: "")
        proof.signature = try key.sign(digest: PersonalMessage.digest(Array(proof.message().utf8))).hex
        return proof
    }

    /// The EIP-4361 message the signature is over.
    public func message() -> String {
        let chain = chainId.hasPrefix("eip155:") ? String(chainId.dropFirst("eip155:".count)) : chainId
        var lines = ["\(domain) wants you to sign in with your Ethereum account:", address, ""]
        if let statement { lines.append(statement) }
        lines += ["", "URI: \(uri)", "Version: \(version)", "Chain ID: \(chain)", "Nonce: \(nonce)", "Issued At: \(issuedAt)"]
        if let expirationTime { lines.append("Expiration Time: \(expirationTime)") }
        if let notBefore { lines.append("Not Before: \(notBefore)") }
        if let requestId { lines.append("Request ID: \(requestId)") }
        if let resources, !resources.isEmpty {
            lines.append("Resources:")
            lines += resources.map { "- \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    /// The header value: base64 of the proof's JSON.
    public func header() throws -> String {
        try HeaderCodec.encode(self)
    }

    /// Reads a `SIGN-IN-WITH-X` header (at most 8 KiB).
    public static func parse(header: String) throws(X402DecodingError) -> SignInProof {
        guard header.utf8.count <= 8192 else { throw X402DecodingError("the sign-in header is longer than 8 KiB") }
        let data: Data
        do {
            data = try HeaderCodec.base64JSON(header)
        } catch {
            throw X402DecodingError("the sign-in header is not base64 JSON")
        }
        do {
            return try JSONDecoder().decode(SignInProof.self, from: data)
        } catch {
            throw X402DecodingError("the sign-in header is not a sign-in-with-x proof (\(Self.missing(error)))")
        }
    }

    private static func missing(_ error: any Error) -> String {
        if case DecodingError.keyNotFound(let key, _) = error { return "no \(key.stringValue)" }
        if case DecodingError.typeMismatch(_, let context) = error { return "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type" }
        return "malformed"
    }

    /// Checks the proof as a server whose public origin is `origin` (`http://127.0.0.1:8402`) and
    /// whose chain is `chainId`, at `now`: the fields, then the signature. Returns the signer, or
    /// why the proof is refused. The nonce's uniqueness is the caller's to check.
    public func verify(origin: URL, chainId: String, now: Date) -> Result<Address, SignInRefusal> {
        guard let host = origin.host, let scheme = origin.scheme else { return .failure(.init("the server's origin is not a URL")) }
        let authority = origin.port.map { "\(host):\($0)" } ?? host
        guard domain == authority else { return .failure(.init("the proof is for \(domain), this server is \(authority)")) }
        guard let proofURI = URL(string: uri), proofURI.scheme == scheme, proofURI.host == host, proofURI.port == origin.port else {
            return .failure(.init("the proof's uri \(uri) is not on \(scheme)://\(authority)"))
        }
        guard version == "1" else { return .failure(.init("version \(version) is not 1")) }
        guard self.chainId == chainId, type == "eip191" else {
            return .failure(.init("the proof is for \(self.chainId) (\(type)); this server accepts \(chainId) (eip191)"))
        }
        guard nonce.utf8.count >= 8, nonce.utf8.count <= 64, nonce.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return .failure(.init("the nonce is 8 to 64 letters and digits"))
        }
        guard let issued = SignInWithX.date(issuedAt) else { return .failure(.init("issuedAt \(issuedAt) is not an ISO 8601 time")) }
        guard issued <= now else { return .failure(.init("issuedAt is in the future")) }
        guard now.timeIntervalSince(issued) <= SignInWithX.maxAge else {
            return .failure(.init("the proof was issued more than \(Int(SignInWithX.maxAge)) seconds ago; sign a new one"))
        }
        if let expirationTime {
            guard let expires = SignInWithX.date(expirationTime) else { return .failure(.init("expirationTime is not an ISO 8601 time")) }
            guard expires > now else { return .failure(.init("the proof expired at \(expirationTime)")) }
        }
        if let notBefore {
            guard let start = SignInWithX.date(notBefore) else { return .failure(.init("notBefore is not an ISO 8601 time")) }
            guard start <= now else { return .failure(.init("the proof is not valid before \(notBefore)")) }
        }
        let claimed: Address
        let recovered: Address
        do {
            claimed = try Address(address)
            recovered = try Signature(hex: signature).recoverSigner(digest: PersonalMessage.digest(Array(message().utf8)))
        } catch {
            return .failure(.init("the signature or address cannot be read: \(error.message)"))
        }
        guard recovered == claimed else { return .failure(.init("the signature is not by \(address)")) }
        return .success(claimed)
    }
}

/// Why a sign-in proof is refused, in words for the caller.
public struct SignInRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
