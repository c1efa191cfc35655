import Foundation
import PaygentTestSupport
import XCTest

/// The CLI as a person meets it: help, errors that say what to do, status when nothing runs,
/// and `up --detach` / `status --json` / `down` end to end.
final class CLITests: XCTestCase {
    func paygent(_ arguments: [String], deployment: TestDeployment) async throws -> (Int32?, String) {
        let child = try ChildProcess("paygent", arguments, deployment: deployment, tag: "paygent")
        let status = await child.waitForExit(timeout: .seconds(60))
        return (status, child.output)
    }

    /// Each running service's pid, from `paygent status --json`.
    func statusPids(_ deployment: TestDeployment) async throws -> [String: Int32] {
        let (_, json) = try await paygent(["status", "--json"], deployment: deployment)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]], json)
        var pids: [String: Int32] = [:]
        for row in rows {
            if let service = row["service"] as? String, let pid = row["pid"] as? Int { pids[service] = Int32(pid) }
        }
        return pids
    }

    func testHelpNamesEveryCommand() async throws {
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let (status, output) = try await paygent(["--help"], deployment: deployment)
        XCTAssertEqual(status, 0)
        for command in ["up", "down", "restart", "status", "logs"] {
            XCTAssertTrue(output.contains("  \(command) "), output)
        }
        let (logsStatus, logsHelp) = try await paygent(["logs", "--help"], deployment: deployment)
        XCTAssertEqual(logsStatus, 0)
        XCTAssertTrue(logsHelp.contains("--follow") && logsHelp.contains("--grep") && logsHelp.contains("--level"), logsHelp)
    }

    func testBadInputIsExplained() async throws {
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let (status, output) = try await paygent(["logs", "--level", "loud"], deployment: deployment)
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(output.contains("unknown level 'loud'") && output.contains("warning"), output)
        let (serviceStatus, serviceOutput) = try await paygent(["logs", "--service", "bank"], deployment: deployment)
        XCTAssertNotEqual(serviceStatus, 0)
        XCTAssertTrue(serviceOutput.contains("unknown service 'bank'"), serviceOutput)
    }

    /// A command that cannot reach its service says so within a second, with the documented exit
    /// status; with `--json` the error is JSON on standard output, code included.
    func testCannotConnectIsPromptAndTyped() async throws {
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let started = ContinuousClock.now
        let child = try ChildProcess("paygent", ["wallet", "list", "--json"], deployment: deployment, tag: "paygent")
        let status = await child.waitForExit(timeout: .seconds(10))
        let took = ContinuousClock.now - started
        XCTAssertEqual(status, 69, child.output)
        XCTAssertLessThan(took, .milliseconds(1500), "cannot connect is said at once (took \(took))")
        let start = try XCTUnwrap(child.output.firstIndex(of: "{"))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(child.output[start...].utf8)) as? [String: Any], child.output)
        let error = try XCTUnwrap(object["error"] as? [String: Any])
        XCTAssertEqual(error["code"] as? String, "unavailable")
        XCTAssertTrue((error["message"] as? String)?.contains("cannot connect to payments") ?? false, child.output)

        let (plainStatus, plain) = try await paygent(["wallet", "balance", "agent"], deployment: deployment)
        XCTAssertEqual(plainStatus, 69)
        XCTAssertTrue(plain.contains("Error: cannot connect to payments") && plain.contains("paygent up"), plain)
    }

    func testStatusWhenNothingRuns() async throws {
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let (status, output) = try await paygent(["status", "--json"], deployment: deployment)
        XCTAssertEqual(status, 1)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 7, "five services, the facilitator's HTTP API and the sample API")
        XCTAssertTrue(rows.allSatisfy { $0["state"] as? String == "down" })
    }

    func testUpDetachStatusDown() async throws {
        let deployment = try TestDeployment()
        defer {
            // Whatever happened, leave no service behind.
            if let pids = try? FileManager.default.contentsOfDirectory(atPath: deployment.config.runDirectory) {
                for file in pids {
                    if let text = try? String(contentsOfFile: deployment.config.runDirectory + "/" + file, encoding: .utf8),
                        let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                        kill(pid, SIGKILL)
                    }
                }
            }
            deployment.remove()
        }
        let (upStatus, upOutput) = try await paygent(["up", "--detach"], deployment: deployment)
        XCTAssertEqual(upStatus, 0, upOutput)
        XCTAssertTrue(upOutput.contains("all services up"), upOutput)

        let (again, againOutput) = try await paygent(["up", "--detach"], deployment: deployment)
        XCTAssertEqual(again, 0, "a second `up` starts nothing and succeeds: \(againOutput)")
        XCTAssertTrue(againOutput.contains("already running"), againOutput)

        // Recovery: one service killed; `up` brings back that one and leaves the others alone.
        let before = try await statusPids(deployment)
        kill(try XCTUnwrap(before["registry"]), SIGKILL)
        try await Task.sleep(for: .milliseconds(300))
        let (recovered, recoveredOutput) = try await paygent(["up", "--detach"], deployment: deployment)
        XCTAssertEqual(recovered, 0, recoveredOutput)
        XCTAssertTrue(recoveredOutput.contains("left as they are"), recoveredOutput)
        let recoveredPids = try await statusPids(deployment)
        XCTAssertNotEqual(recoveredPids["registry"], before["registry"], "registry was started again")
        XCTAssertEqual(recoveredPids["payments"], before["payments"], "payments was left alone")

        // `paygent restart SERVICE` replaces one service.
        let (restarted, restartOutput) = try await paygent(["restart", "vvs"], deployment: deployment)
        XCTAssertEqual(restarted, 0, restartOutput)
        let afterRestart = try await statusPids(deployment)
        XCTAssertNotEqual(afterRestart["vvs"], recoveredPids["vvs"])
        XCTAssertNotNil(afterRestart["vvs"])
        let (badRestart, badRestartOutput) = try await paygent(["restart", "bank"], deployment: deployment)
        XCTAssertNotEqual(badRestart, 0)
        XCTAssertTrue(badRestartOutput.contains("no service 'bank'"), badRestartOutput)

        let (status, json) = try await paygent(["status", "--json"], deployment: deployment)
        XCTAssertEqual(status, 0, json)
        let all = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        let rows = all.filter { $0["url"] == nil }
        XCTAssertEqual(Set(rows.compactMap { $0["service"] as? String }), ["orchestrator", "payments", "registry", "vvs", "moonlander"])
        let http = all.filter { $0["url"] != nil }
        XCTAssertEqual(http.compactMap { $0["service"] as? String }, ["facilitator", "market"])
        XCTAssertEqual(http.first { $0["service"] as? String == "market" }?["url"] as? String, deployment.config.marketURL)
        XCTAssertTrue(http.allSatisfy { $0["state"] as? String == "up" }, "\(http)")
        for row in rows {
            XCTAssertEqual(row["state"] as? String, "up")
            for field in ["rpcEndpoint", "pubEndpoint", "pid", "version", "uptimeSeconds", "requests", "errors"] {
                XCTAssertNotNil(row[field], "\(field) missing in \(row)")
            }
        }

        let (downStatus, downOutput) = try await paygent(["down"], deployment: deployment)
        XCTAssertEqual(downStatus, 0, downOutput)
        XCTAssertTrue(downOutput.contains("all stopped"), downOutput)
        let (after, _) = try await paygent(["status"], deployment: deployment)
        XCTAssertEqual(after, 1, "everything is down again")
    }

    /// Finding 7: after a crash the only way back was to stop everything. In the foreground,
    /// `paygent up` now restarts a service that dies, says so, and still stops all on SIGTERM.
    func testForegroundUpRestartsACrashedService() async throws {
        let deployment = try TestDeployment()
        let up = try ChildProcess("paygent", ["up"], deployment: deployment, tag: "up")
        defer {
            up.signal(SIGKILL)
            deployment.remove()
        }
        let ready = ContinuousClock.now + .seconds(60)
        while !up.output.contains("all services up") && ContinuousClock.now < ready && up.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertTrue(up.output.contains("all services up"), up.output)
        let before = try await statusPids(deployment)
        let payments = try XCTUnwrap(before["payments"])
        kill(payments, SIGKILL)
        var after = before
        let restarted = ContinuousClock.now + .seconds(30)
        while (after["payments"] == nil || after["payments"] == payments) && ContinuousClock.now < restarted {
            try await Task.sleep(for: .milliseconds(300))
            after = try await statusPids(deployment)
        }
        XCTAssertNotNil(after["payments"], "payments answers again: \(up.output)")
        XCTAssertNotEqual(after["payments"], payments)
        XCTAssertEqual(after["registry"], before["registry"], "the others were left running")
        // The supervisor says so once the new process answers, which `status` may see first.
        let said = ContinuousClock.now + .seconds(10)
        while !up.output.contains("payments restarted") && ContinuousClock.now < said {
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertTrue(up.output.contains("payments exited unexpectedly") && up.output.contains("restarting in"), up.output)
        XCTAssertTrue(up.output.contains("payments restarted"), up.output)

        up.signal(SIGTERM)
        let status = await up.waitForExit(timeout: .seconds(40))
        XCTAssertEqual(status, 0, up.output)
        for pid in after.values where pid > 0 {
            XCTAssertFalse(kill(pid, 0) == 0 && (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?.contains("paygent-") == true,
                "pid \(pid) still runs after `up` stopped")
        }
    }
}
