import Foundation
import PaygentWire

/// The registry's admin credential until the operations work brings CURVE keys: a random token in
/// `<data>/registry/admin.token` (mode 0600), made on first start. Register, update and remove
/// require it; only someone who can read the file (its owner) can present it.
struct AdminCredential: Sendable {
    private let token: [UInt8]
    let path: String

    init(directory: String, random: @Sendable (Int) -> [UInt8]) throws {
        path = (directory as NSString).appendingPathComponent("admin.token")
        if let existing = FileManager.default.contents(atPath: path), !existing.isEmpty {
            token = Array(String(decoding: existing, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            return
        }
        let text = Hex.encode(random(32))
        guard FileManager.default.createFile(atPath: path, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw PaygentError(.internal, "cannot write the admin token at \(path)")
        }
        token = Array(text.utf8)
    }

    /// Refuses unless `presented` is the token (compared in constant time).
    func check(_ presented: String) throws(PaygentError) {
        let given = Array(presented.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        var difference = UInt8(given.count == token.count ? 0 : 1)
        for index in 0..<token.count {
            difference |= token[index] ^ (index < given.count ? given[index] : 0)
        }
        guard difference == 0 else {
            throw PaygentError(.permissionDenied, "registry admin methods need the admin token from \(path) (readable by the deployment's owner only)")
        }
    }
}
