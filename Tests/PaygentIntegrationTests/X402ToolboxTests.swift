import Foundation
import PaygentTestSupport
import XCTest

/// `paygent x402 decode|verify|sign` and `paygent wallet address`, run as a person would, on
/// every header the official SDK produced (`../shared/x402/vectors.json`).
final class X402ToolboxTests: XCTestCase {
    static let vectors = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/x402/vectors.json")

    func paygent(_ arguments: [String], deployment: TestDeployment) async throws -> (Int32?, String) {
        let child = try ChildProcess("paygent", arguments, deployment: deployment, tag: "paygent")
        let status = await child.waitForExit(timeout: .seconds(60))
        return (status, child.output)
    }

    func json(_ text: String) throws -> [String: Any] {
        let start = try XCTUnwrap(text.firstIndex(of: "{"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text[start...].utf8)) as? [String: Any])
    }

    func testEverySDKHeaderDecodesVerifiesAndRecovers() async throws {
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let all = try XCTUnwrap(try JSONSerialization.jsonObject(with: try Data(contentsOf: Self.vectors)) as? [String: Any])
        let headers = try XCTUnwrap(all["x402_headers"] as? [String: Any])
        let payer = try XCTUnwrap(headers["payer"] as? String)
        let now = "\(try XCTUnwrap(headers["header_now"] as? Int))"
        var checked = 0
        for version in ["v1", "v2"] {
            for (network, vector) in try XCTUnwrap(headers[version] as? [String: [String: Any]]) {
                let header = try XCTUnwrap((vector["payment_signature_header"] ?? vector["x_payment_header"]) as? String)
                let requirements: Any = try XCTUnwrap(
                    version == "v2" ? vector["payment_required_decoded"] : (vector["payment_required_http"] as? [String: Any])?["body_json"])
                let file = deployment.directory + "/\(version)-\(network).json"
                try JSONSerialization.data(withJSONObject: requirements).write(to: URL(fileURLWithPath: file))

                let (decodeStatus, decodeOutput) = try await paygent(["x402", "decode", header, "--json"], deployment: deployment)
                XCTAssertEqual(decodeStatus, 0, decodeOutput)
                let decoded = try json(decodeOutput)
                XCTAssertEqual(decoded["signer"] as? String, payer, "\(version) \(network)")
                XCTAssertEqual(decoded["signerMatchesFrom"] as? Bool, true)
                XCTAssertEqual(decoded["version"] as? Int, version == "v1" ? 1 : 2)

                let (verifyStatus, verifyOutput) = try await paygent(
                    ["x402", "verify", "--requirements", file, "--header", header, "--now", now, "--json"], deployment: deployment)
                XCTAssertEqual(verifyStatus, 0, verifyOutput)
                XCTAssertEqual(try json(verifyOutput)["isValid"] as? Bool, true)

                // An hour later the same header has expired: exit 1 with the official reason.
                let (lateStatus, lateOutput) = try await paygent(
                    ["x402", "verify", "--requirements", file, "--header", header, "--now", "\(Int(now)! + 3600)"], deployment: deployment)
                XCTAssertEqual(lateStatus, 1)
                XCTAssertTrue(lateOutput.contains("invalid_exact_evm_payload_authorization_valid_before"), lateOutput)
                checked += 1
            }
        }
        XCTAssertEqual(checked, 4)
    }

    func testSignThenVerifyWithAKeystore() async throws {
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let all = try XCTUnwrap(try JSONSerialization.jsonObject(with: try Data(contentsOf: Self.vectors)) as? [String: Any])
        let headers = try XCTUnwrap(all["x402_headers"] as? [String: Any])
        let requirements = try XCTUnwrap((headers["v2"] as? [String: [String: Any]])?["eip155:338"]?["payment_required_header"] as? String)
        let keyFile = deployment.directory + "/key.hex"
        try (try XCTUnwrap(headers["payer_private_key"] as? String)).write(toFile: keyFile, atomically: true, encoding: .utf8)

        let (addressStatus, address) = try await paygent(["wallet", "address", "--key-file", keyFile], deployment: deployment)
        XCTAssertEqual(addressStatus, 0)
        XCTAssertEqual(address.trimmingCharacters(in: .whitespacesAndNewlines), headers["payer"] as? String)
        XCTAssertFalse(address.contains("4c0883a6"), "the key is never printed")

        let (signStatus, signed) = try await paygent(["x402", "sign", "--key-file", keyFile, "--requirements", requirements], deployment: deployment)
        XCTAssertEqual(signStatus, 0, signed)
        let header = signed.trimmingCharacters(in: .whitespacesAndNewlines)
        let (verifyStatus, verified) = try await paygent(["x402", "verify", "--requirements", requirements, "--header", header], deployment: deployment)
        XCTAssertEqual(verifyStatus, 0, verified)
        XCTAssertTrue(verified.contains("valid"), verified)

        let (badStatus, bad) = try await paygent(["x402", "decode", "bm90IGpzb24="], deployment: deployment)
        XCTAssertEqual(badStatus, 1)
        XCTAssertTrue(bad.contains("not an x402 payment header"), bad)
    }
}
