import Foundation
import PaygentCrypto
import PaygentKeystore
import XCTest

final class KeystoreTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/eth-account-keystores.json")

    func testOpensKeystoresWrittenByEthAccount() throws {
        let all = try XCTUnwrap(try JSONSerialization.jsonObject(with: try Data(contentsOf: Self.fixture)) as? [String: Any])
        let password = try XCTUnwrap(all["password"] as? String)
        let expected = try PrivateKey(hex: try XCTUnwrap(all["private_key"] as? String))
        for kdf in ["scrypt", "pbkdf2"] {
            let data = try JSONSerialization.data(withJSONObject: try XCTUnwrap(all[kdf]))
            let keystore = try JSONDecoder().decode(Keystore.self, from: data)
            let key = try keystore.decrypt(password: password)
            XCTAssertEqual(key.address, expected.address, kdf)
            XCTAssertEqual(key.address.eip55, all["address"] as? String)
            XCTAssertThrowsError(try keystore.decrypt(password: "wrong")) { error in
                XCTAssertEqual((error as? KeystoreError)?.kind, .wrongPassword, kdf)
            }
        }
    }

    func testWriteReadDecryptWithMode0600() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ks-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("wallet.json").path
        let key = try PrivateKey.generate()
        let keystore = try Keystore.encrypt(key, password: "s3cret pass", strength: .light)
        try keystore.write(to: path)

        let mode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
        XCTAssertEqual(mode.intValue & 0o777, 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertFalse(text.contains("s3cret"), "no password in the file")
        XCTAssertThrowsError(try keystore.write(to: path), "an existing keystore is never overwritten")

        let reread = try Keystore.read(from: path)
        XCTAssertEqual(try reread.decrypt(password: "s3cret pass").address, key.address)
        XCTAssertThrowsError(try reread.decrypt(password: "s3cret pas")) { error in
            XCTAssertEqual((error as? KeystoreError)?.kind, .wrongPassword)
            XCTAssertFalse("\(error)".contains("s3cret"))
        }
        XCTAssertThrowsError(try Keystore.read(from: directory.appendingPathComponent("missing.json").path)) { error in
            XCTAssertEqual((error as? KeystoreError)?.kind, .io)
        }
    }
}
