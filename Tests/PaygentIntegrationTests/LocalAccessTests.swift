import Foundation
import PaygentPaymentsAPI
import PaygentCrypto
import PaygentRuntime
import PaygentPaymentsTesting
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// Findings 4 and 6 of the payments hardening: a default deployment answers only the user who
/// started it; `payments.fetch` requests only http(s) URLs that are not the deployment's own; and
/// errors say what happened.
final class LocalAccessTests: XCTestCase {
    /// Runs the built `paygent` as user `nobody`, with the deployment's data directory.
    func asNobody(_ arguments: [String], deployment: TestDeployment) async throws -> (Int32?, String) {
        let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard getuid() == 0, let runuser else { throw XCTSkip("needs root and runuser to act as another local user") }
        let output = (deployment.directory as NSString).appendingPathComponent("nobody-\(UUID().uuidString.prefix(4)).out")
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        chmod(output, 0o666)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: runuser)
        process.arguments = ["-u", "nobody", "--", "/usr/bin/env", "PAYGENT_HOME=\(deployment.directory)", "NO_COLOR=1",
            BuiltProducts.executable("paygent").path] + arguments
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: output)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { process.terminate() }
        return (process.isRunning ? nil : process.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    /// Finding 4: a bare client with no credential minted a billion USDC, moved funds, read logs.
    /// With the default endpoints another local user cannot connect at all.
    func testAnotherLocalUserCannotDriveADefaultDeployment() async throws {
        let service = try await PaymentsTestService(defaultEndpoints: true)
        defer { service.tearDown() }
        // nobody may enter the data directory (the test's temporary one is world-readable) but not the sockets.
        chmod(service.deployment.directory, 0o755)
        let sockets = PaygentConfig.socketDirectory(home: service.deployment.directory)
        let mode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: sockets)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o777, 0o700, "the socket directory is its owner's only")
        let (runs, runsOutput) = try await asNobody(["--version"], deployment: service.deployment)
        guard runs == 0 else { throw XCTSkip("user nobody cannot run the built paygent here: \(runsOutput)") }
        let victim = try PrivateKey.generate().address.eip55
        let _: WalletInfo = try await service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "owner"))

        let (mint, mintOutput) = try await asNobody(["faucet", victim, "1000000000", "USDC"], deployment: service.deployment)
        XCTAssertNotEqual(mint, 0, mintOutput)
        XCTAssertTrue(mintOutput.contains("cannot connect to payments"), mintOutput)
        let (limit, limitOutput) = try await asNobody(["wallet", "limit", "owner", "USDC", "none"], deployment: service.deployment)
        XCTAssertNotEqual(limit, 0, limitOutput)
        let (logs, logsOutput) = try await asNobody(["logs", "--service", "payments"], deployment: service.deployment)
        XCTAssertFalse(logsOutput.contains("wallet created"), "nobody read the logs: \(logsOutput) (\(String(describing: logs)))")
        let balance = try await service.usdc(victim)
        XCTAssertEqual(balance, "0", "nothing was minted")
        // The owner still can.
        try await service.fund(victim, "1")
        await service.stop()
    }

    /// Finding 4 (fetch): `file://`, `gopher://` and the deployment's own facilitator were fetched
    /// for any caller. Finding 6: those errors said "payments is not running".
    func testFetchRequestsOnlyOutsideHTTPURLsAndSaysWhy() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let _: WalletInfo = try await service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        let port = service.deployment.config.facilitatorHTTP.split(separator: ":").last!
        let refused: [(String, ErrorCode, String)] = [
            ("file:///etc/passwd", .badRequest, "only http:// and https://"),
            ("gopher://x", .badRequest, "only http:// and https://"),
            ("not a url", .badRequest, "http://"),
            ("http://user:pw@example.test/", .badRequest, "user name or password"),
            (service.deployment.config.facilitatorURL + "/settle", .permissionDenied, "facilitator"),
            ("http://localhost:\(port)/supported", .permissionDenied, "facilitator"),
            ("http://127.1:\(port)/supported", .permissionDenied, "facilitator"),
            ("http://2130706433:\(port)/supported", .permissionDenied, "facilitator"),
            ("http://0.0.0.0:\(port)/supported", .permissionDenied, "facilitator"),
            ("http://[::ffff:127.0.0.1]:\(port)/supported", .permissionDenied, "facilitator"),
            ("http://[::1]:\(port)/supported", .permissionDenied, "facilitator"),
            ("HTTP://LOCALHOST:\(port)/supported", .permissionDenied, "facilitator"),
        ]
        for (url, code, words) in refused {
            do {
                let _: FetchReply = try await service.client.call(PaymentsMethod.fetch, FetchRequest(url: url, wallet: "agent", maxAmount: "1"))
                XCTFail("\(url) must be refused")
            } catch {
                XCTAssertEqual(error.code, code, "\(url): \(error.message)")
                XCTAssertTrue(error.message.contains(words), "\(url): \(error.message)")
            }
        }

        // Through the CLI: the reason, not "not running"; a refused port fails within a second.
        func cli(_ arguments: [String]) async throws -> (Int32?, String, Duration) {
            let started = ContinuousClock.now
            let child = try ChildProcess("paygent", arguments, deployment: service.deployment, tag: "paygent")
            let status = await child.waitForExit(timeout: .seconds(30))
            return (status, child.output, ContinuousClock.now - started)
        }
        for url in ["file:///etc/passwd", "gopher://x", "not a url"] {
            let (status, output, _) = try await cli(["fetch", url, "--wallet", "agent"])
            XCTAssertEqual(status, 1, output)
            XCTAssertFalse(output.contains("not running"), output)
            XCTAssertTrue(output.contains("http://"), output)
        }
        let (status, output, took) = try await cli(["fetch", "http://127.0.0.1:1/", "--wallet", "agent"])
        XCTAssertEqual(status, 1)
        XCTAssertTrue(output.contains("connection refused"), output)
        XCTAssertFalse(output.contains("not running"), output)
        XCTAssertLessThan(took, .seconds(2), "a refused port fails at once (took \(took))")

        // And when payments really is down, the CLI says it cannot connect, and where.
        await service.stop()
        let (downStatus, downOutput, _) = try await cli(["fetch", "http://127.0.0.1:1/", "--wallet", "agent"])
        XCTAssertEqual(downStatus, 69, "exit status 69: a service could not be reached")
        XCTAssertTrue(downOutput.contains("cannot connect to payments at ipc://"), downOutput)
    }
}
