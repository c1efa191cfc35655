import Foundation

public struct X402SupportedRequest: Codable, Sendable, Equatable {
    public init() {}
}
