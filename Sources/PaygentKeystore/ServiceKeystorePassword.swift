import Foundation

/// The password a service encrypts the keystores of its own keys with (wallets, pool accounts):
/// `$PAYGENT_KEYSTORE_PASSWORD` when set, else one generated on first start into
/// `<directory>/keystore.password` (mode 0600, created exclusively) and read from there after.
/// Also the keystores' strength: `$PAYGENT_KEYSTORE_STRENGTH=light` for tests, else standard.
public struct ServiceKeystorePassword: Sendable {
    public let password: String
    public let strength: Keystore.Strength

    public init(directory: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(KeystoreError) {
        strength = environment["PAYGENT_KEYSTORE_STRENGTH"] == "light" ? .light : .standard
        if let configured = environment["PAYGENT_KEYSTORE_PASSWORD"], !configured.isEmpty {
            password = configured
        } else {
            password = try Self.generated(at: (directory as NSString).appendingPathComponent("keystore.password"))
        }
    }

    static func generated(at path: String) throws(KeystoreError) -> String {
        if let existing = try? String(contentsOfFile: path, encoding: .utf8), !existing.isEmpty {
            return existing.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var generator = SystemRandomNumberGenerator()
        let password = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw KeystoreError(.io, "cannot create \(path)") }
        defer { close(fd) }
        _ = password.withCString { Foundation.write(fd, $0, strlen($0)) }
        return password
    }
}
