/// A stable error code carried on the wire (`protocol/errors.md`).
///
/// A struct over a number rather than a closed enum, so that a newer peer can send a code this
/// peer does not know yet; it still prints and compares.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// The request was malformed or failed validation; the message says what was wrong.
    public static let badRequest = ErrorCode(rawValue: 1)
    /// The service has no such method.
    public static let unknownMethod = ErrorCode(rawValue: 2)
    /// The call's deadline passed before a reply.
    public static let deadlineExceeded = ErrorCode(rawValue: 3)
    /// The service could not be reached or is shutting down; safe to retry later.
    public static let unavailable = ErrorCode(rawValue: 4)
    /// The service failed; details are in its log, not on the wire.
    public static let `internal` = ErrorCode(rawValue: 5)
    /// The frames were not a valid Paygent message (envelope or body).
    public static let malformedMessage = ErrorCode(rawValue: 6)
    /// The thing asked for does not exist.
    public static let notFound = ErrorCode(rawValue: 7)
    /// It exists already, or conflicts with current state.
    public static let conflict = ErrorCode(rawValue: 8)
    /// The caller may not do this.
    public static let permissionDenied = ErrorCode(rawValue: 9)
    /// A limit or budget would be exceeded.
    public static let resourceExhausted = ErrorCode(rawValue: 10)
    /// The system is not in a state that allows this now.
    public static let failedPrecondition = ErrorCode(rawValue: 11)
    /// The call was cancelled by its caller or an operator (kill switch).
    public static let cancelled = ErrorCode(rawValue: 12)

    public static let known: [ErrorCode] = [
        .badRequest, .unknownMethod, .deadlineExceeded, .unavailable, .internal, .malformedMessage,
        .notFound, .conflict, .permissionDenied, .resourceExhausted, .failedPrecondition, .cancelled,
    ]

    /// The snake_case name used in documentation, logs and JSON output.
    public var name: String {
        switch self {
        case .badRequest: "bad_request"
        case .unknownMethod: "unknown_method"
        case .deadlineExceeded: "deadline_exceeded"
        case .unavailable: "unavailable"
        case .internal: "internal"
        case .malformedMessage: "malformed_message"
        case .notFound: "not_found"
        case .conflict: "conflict"
        case .permissionDenied: "permission_denied"
        case .resourceExhausted: "resource_exhausted"
        case .failedPrecondition: "failed_precondition"
        case .cancelled: "cancelled"
        default: "code_\(rawValue)"
        }
    }

    public var description: String { name }
}

/// The error type of every Paygent operation: a code that maps to the wire, a message that
/// tells the user what to do, and an optional local cause that never crosses the wire.
public struct PaygentError: Error, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var cause: (any Error & Sendable)?

    public init(_ code: ErrorCode, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        "\(code.name): \(message)"
    }
}

/// A domain error (a ledger refusal, a keystore failure) that knows its wire code and the message
/// a caller needs. The RPC server converts it on the way out, so handlers throw domain errors as
/// they are instead of mapping them one by one.
public protocol PaygentErrorConvertible: Error {
    var paygentError: PaygentError { get }
}
