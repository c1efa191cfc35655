/// What a message is, from the envelope's kind byte.
public enum MessageKind: UInt8, Sendable, CaseIterable {
    case request = 1
    case reply = 2
    case error = 3
    case event = 4
    case heartbeat = 5
}

/// The first frame of every Paygent message: who it is for and how to treat it.
/// The layout is fixed-width where possible so that any language can read it
/// without our codec (`protocol/envelope.md`).
public struct Envelope: Sendable, Equatable {
    public static let magic: (UInt8, UInt8) = (0x50, 0x47)  // "PG"
    public static let version: UInt8 = 1
    public static let maxMethodBytes = 255
    public static let maxIdempotencyKeyBytes = 128
    public static let maxErrorMessageBytes = 1024
    public static let traceIDBytes = 16

    public var kind: MessageKind
    /// Chosen by the client, unique among its calls in flight; echoed in the reply.
    public var requestID: UInt64
    /// Method name (`payments.fetch`) for requests and their replies; topic for events.
    public var method: String
    /// Milliseconds the caller will still wait, measured when it sent; 0 means no deadline.
    /// Relative rather than absolute so that peers need no synchronized clocks.
    public var deadlineMillis: UInt32
    /// Present on state-changing requests: a retry with the same key gets the first reply.
    public var idempotencyKey: String?
    /// Sixteen bytes that tie together the messages of one user action across services.
    public var traceID: [UInt8]?
    /// For `.error` messages: the code and a human-readable message (never a stack trace).
    public var errorCode: ErrorCode?
    public var errorMessage: String?
    /// On a reply or error: the service answered from its record of an earlier request with the
    /// same idempotency key instead of running this one.
    public var replayed: Bool

    public init(
        kind: MessageKind, requestID: UInt64, method: String, deadlineMillis: UInt32 = 0,
        idempotencyKey: String? = nil, traceID: [UInt8]? = nil,
        errorCode: ErrorCode? = nil, errorMessage: String? = nil, replayed: Bool = false
    ) {
        self.replayed = replayed
        self.kind = kind
        self.requestID = requestID
        self.method = method
        self.deadlineMillis = deadlineMillis
        self.idempotencyKey = idempotencyKey
        self.traceID = traceID
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }

    private enum Flag {
        static let idempotencyKey: UInt8 = 1
        static let traceID: UInt8 = 2
        static let error: UInt8 = 4
        static let replayed: UInt8 = 8
        static let known: UInt8 = 15
    }

    /// The envelope's bytes. Fields over their limits are truncated to fit: a method or key
    /// that long is a programming error caught by `validate`, an error message is cut.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(24 + method.utf8.count)
        out.append(Self.magic.0)
        out.append(Self.magic.1)
        out.append(Self.version)
        out.append(kind.rawValue)
        var flags: UInt8 = 0
        if idempotencyKey != nil { flags |= Flag.idempotencyKey }
        if traceID != nil { flags |= Flag.traceID }
        if kind == .error { flags |= Flag.error }
        if replayed { flags |= Flag.replayed }
        out.append(flags)
        withUnsafeBytes(of: requestID.littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: deadlineMillis.littleEndian) { out.append(contentsOf: $0) }
        let methodBytes = Array(method.utf8.prefix(Self.maxMethodBytes))
        out.append(UInt8(methodBytes.count))
        out.append(contentsOf: methodBytes)
        if let idempotencyKey {
            let key = Array(idempotencyKey.utf8.prefix(Self.maxIdempotencyKeyBytes))
            out.append(UInt8(key.count))
            out.append(contentsOf: key)
        }
        if let traceID {
            var trace = Array(traceID.prefix(Self.traceIDBytes))
            while trace.count < Self.traceIDBytes { trace.append(0) }
            out.append(contentsOf: trace)
        }
        if kind == .error {
            let code = (errorCode ?? .internal).rawValue
            withUnsafeBytes(of: code.littleEndian) { out.append(contentsOf: $0) }
            let message = Array(Self.truncatedUTF8(errorMessage ?? "", max: Self.maxErrorMessageBytes))
            withUnsafeBytes(of: UInt16(message.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: message)
        }
        return out
    }

    /// Parses an envelope frame. The frame must be exactly one envelope: no more, no less.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        var reader = EnvelopeReader(bytes: bytes)
        guard try reader.byte() == Self.magic.0, try reader.byte() == Self.magic.1 else {
            throw WireError(.badMagic, path: "envelope", "not a Paygent message")
        }
        let version = try reader.byte()
        guard version == Self.version else {
            throw WireError(.unsupportedVersion, path: "envelope", "version \(version), this peer speaks \(Self.version)")
        }
        let kindByte = try reader.byte()
        guard let kind = MessageKind(rawValue: kindByte) else {
            throw WireError(.unknownKind, path: "envelope", "kind \(kindByte)")
        }
        let flags = try reader.byte()
        guard flags & ~Flag.known == 0 else {
            throw WireError(.invalidValue, path: "envelope.flags", "unknown flag bits \(flags)")
        }
        guard (flags & Flag.error != 0) == (kind == .error) else {
            throw WireError(.invalidValue, path: "envelope.flags", "error flag does not match the kind")
        }
        self.kind = kind
        replayed = flags & Flag.replayed != 0
        requestID = try reader.uint64()
        deadlineMillis = try reader.uint32()
        method = try reader.string(length: Int(try reader.byte()), path: "envelope.method")
        idempotencyKey = nil
        traceID = nil
        errorCode = nil
        errorMessage = nil
        if flags & Flag.idempotencyKey != 0 {
            let length = Int(try reader.byte())
            guard length > 0, length <= Self.maxIdempotencyKeyBytes else {
                throw WireError(.limitExceeded, path: "envelope.idempotencyKey", "length \(length)")
            }
            idempotencyKey = try reader.string(length: length, path: "envelope.idempotencyKey")
        }
        if flags & Flag.traceID != 0 {
            traceID = try reader.bytes(Self.traceIDBytes)
        }
        if kind == .error {
            errorCode = ErrorCode(rawValue: try reader.uint16())
            let length = Int(try reader.uint16())
            guard length <= Self.maxErrorMessageBytes else {
                throw WireError(.limitExceeded, path: "envelope.errorMessage", "length \(length)")
            }
            errorMessage = try reader.string(length: length, path: "envelope.errorMessage")
        }
        guard reader.position == bytes.count else {
            throw WireError(.trailingBytes, path: "envelope", "\(bytes.count - reader.position) bytes after the envelope")
        }
    }

    /// Cuts a string to at most `max` UTF-8 bytes without splitting a character.
    static func truncatedUTF8(_ text: String, max: Int) -> String.UTF8View.SubSequence {
        let utf8 = text.utf8
        guard utf8.count > max else { return utf8[...] }
        var end = utf8.index(utf8.startIndex, offsetBy: max)
        while end > utf8.startIndex, (utf8[end] & 0xC0) == 0x80 {
            end = utf8.index(before: end)
        }
        return utf8[utf8.startIndex..<end]
    }
}

private struct EnvelopeReader {
    let bytes: [UInt8]
    var position = 0

    mutating func byte() throws(WireError) -> UInt8 {
        guard position < bytes.count else { throw WireError(.truncated, path: "envelope") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func bytes(_ count: Int) throws(WireError) -> [UInt8] {
        guard bytes.count - position >= count else { throw WireError(.truncated, path: "envelope") }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    mutating func uint16() throws(WireError) -> UInt16 {
        let b = try bytes(2)
        return UInt16(b[0]) | UInt16(b[1]) << 8
    }

    mutating func uint32() throws(WireError) -> UInt32 {
        let b = try bytes(4)
        return b.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func uint64() throws(WireError) -> UInt64 {
        let b = try bytes(8)
        return b.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func string(length: Int, path: String) throws(WireError) -> String {
        let raw = try bytes(length)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw WireError(.invalidUTF8, path: path)
        }
        return text
    }
}
