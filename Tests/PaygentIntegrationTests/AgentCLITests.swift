import Foundation
import PaygentOrchestratorAPI
import PaygentTestSupport
import PaygentTransport
import XCTest

/// `paygent run` and the agent's commands as people use them: `--dry-run --json` for every example
/// with no service running, `paygent run` in a pseudo-terminal answering its approval prompt,
/// sessions, approvals, history, the kill switch, and `paygent demo` end to end.
final class AgentCLITests: XCTestCase {
    static let examples = [
        "Pay 0.10 USDC to access the market data API", "send 25 USDC to 0x00000000000000000000000000000000000000A1", "pay 100 USDC to merchant",
        "Check my wallet balance", "how much USDC do I have", "what is my daily limit", "Swap 10 CRO for USDC", "exchange 50 USDC to CRO",
        "trade 100 CRO for USDC", "add liquidity 100 CRO and 9 USDC to the CRO-USDC pool", "remove all liquidity from CRO-USDC",
        "stake all LP in the CRO-USDC farm", "open a 10x long position on BTC", "short 50 USDC BTC at 5x", "close my BTC position",
        "set a stop-loss at 90000 on my BTC position", "set a take-profit at 120000 on my BTC position", "what is the funding rate on BTC",
        "find market data services", "what services are available?", "subscribe to the market data feed", "what did I spend today",
        "Swap 10 CRO for USDC then pay 5 USDC to the market data API",
    ]
    static let names: [String] = [
        "payment", "payment", "payment", "balance_check", "balance_check", "allowance", "swap", "swap", "swap", "add_liquidity", "remove_liquidity",
        "farm", "perpetual_trade", "perpetual_trade", "close_position", "set_stop_loss", "set_take_profit", "funding_rate", "service_discovery",
        "service_discovery", "subscribe", "history", "swap,payment",
    ]

    func testDryRunNeedsNoService() async throws {
        // A deployment whose services are not running: nothing answers on its endpoints.
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        for (command, name) in zip(Self.examples, Self.names) {
            let child = try ChildProcess("paygent", ["run", "--dry-run", "--json", command], deployment: deployment, tag: "dry")
            let status = await child.waitForExit(timeout: .seconds(20))
            XCTAssertEqual(status, 0, "\(command): \(child.output)")
            let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(child.output.utf8)) as? [String: Any], child.output)
            let intents = try XCTUnwrap(document["intents"] as? [[String: Any]])
            XCTAssertEqual(intents.compactMap { $0["intent"] as? String }.joined(separator: ","), name, command)
            XCTAssertGreaterThan((document["plan"] as? [Any])?.count ?? 0, 1, command)
        }
        let short = try ChildProcess("paygent", ["run", "--dry-run", "--json", "short 50 USDC BTC at 5x"], deployment: deployment, tag: "dry")
        _ = await short.waitForExit(timeout: .seconds(20))
        let intent = try XCTUnwrap(((try JSONSerialization.jsonObject(with: Data(short.output.utf8)) as? [String: Any])?["intents"] as? [[String: Any]])?.first)
        XCTAssertEqual(intent["side"] as? String, "short")
        XCTAssertEqual(intent["market"] as? String, "BTC-USD")
        XCTAssertEqual(intent["leverage"] as? Int, 5)
        XCTAssertEqual(intent["collateral"] as? String, "50")
        let human = try ChildProcess("paygent", ["run", "--dry-run", "Swap 10 CRO for USDC then pay 5 USDC to the market data API"], deployment: deployment, tag: "dry")
        _ = await human.waitForExit(timeout: .seconds(20))
        XCTAssertTrue(human.output.contains("vvs.swap                 yes") && human.output.contains("Needs: orchestrator, vvs, registry, payments"), human.output)
        let refused = try ChildProcess("paygent", ["run", "--dry-run", "--json", "pay 1 USDC to merchant; rm -rf /"], deployment: deployment, tag: "dry")
        let refusedStatus = await refused.waitForExit(timeout: .seconds(20))
        XCTAssertEqual(refusedStatus, 1)
        XCTAssertTrue(refused.output.contains("\"code\" : \"bad_request\"") && refused.output.contains("merchant;"), refused.output)
    }

    func testRunAsksForApprovalOnATerminalAndTheOtherCommands() async throws {
        let deployment = try await AgentDeployment()
        defer { deployment.tearDown() }
        let test = deployment.service.deployment
        func paygent(_ arguments: [String]) async throws -> (Int32?, String) {
            let child = try ChildProcess("paygent", arguments, deployment: test, tag: "paygent")
            return (await child.waitForExit(timeout: .seconds(60)), child.output)
        }

        // In a pseudo-terminal, as a person runs it: the plan streams, the prompt asks, "a" approves.
        let (status, output) = try await Self.inTerminal(
            [BuiltProducts.executable("paygent").path, "run", "send 12 USDC to 0x00000000000000000000000000000000000000C1"], answer: "a",
            environment: test.environment)
        XCTAssertEqual(status, 0, output)
        for words in ["▶ send 12 USDC", "Approval needed", "Approve, reject or edit? [a/r/e]", "payments.wallet_transfer: sent 12 USDC", "completed"] {
            XCTAssertTrue(output.contains(words), "\(words) missing:\n\(output)")
        }
        let paid = try await deployment.balance("0x00000000000000000000000000000000000000C1", "USDC")
        XCTAssertEqual(paid, "12000000")
        let (_, rejectedOutput) = try await Self.inTerminal(
            [BuiltProducts.executable("paygent").path, "run", "send 13 USDC to 0x00000000000000000000000000000000000000C2"], answer: "r\nnot today",
            environment: test.environment)
        XCTAssertTrue(rejectedOutput.contains("rejected") && rejectedOutput.contains("not today"), rejectedOutput)

        // Off a terminal it leaves the approval waiting, and says how to decide.
        var (code, text) = try await paygent(["run", "send 14 USDC to 0x00000000000000000000000000000000000000C3"])
        XCTAssertEqual(code, 0, text)
        XCTAssertTrue(text.contains("waiting for approval apr_") && text.contains("paygent approvals approve apr_"), text)
        let approval = try XCTUnwrap(text.split(separator: " ").first { $0.hasPrefix("apr_") }).trimmingCharacters(in: .punctuationCharacters)
        (code, text) = try await paygent(["approvals", "list"])
        XCTAssertTrue(text.contains(approval) && text.contains("14 USDC"), text)
        (code, text) = try await paygent(["approvals", "edit", approval, "--amount", "4"])
        XCTAssertEqual(code, 0, text)
        XCTAssertTrue(text.contains("sent 4 USDC") && text.contains("completed"), text)

        (code, text) = try await paygent(["run", "--json-stream", "Check my wallet balance"])
        let lines = text.split(separator: "\n")
        XCTAssertGreaterThanOrEqual(lines.count, 2, text)
        let last = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any])
        XCTAssertEqual(last["status"] as? String, "completed")
        (code, text) = try await paygent(["run", "--json", "what did I spend today?"])
        XCTAssertEqual(code, 0, text)
        XCTAssertTrue(text.contains("16 USDC"), text)

        (code, text) = try await paygent(["sessions", "create", "research", "--budget", "1", "--assets", "USDC"])
        XCTAssertEqual(code, 0, text)
        XCTAssertTrue(text.contains("created session research") && text.contains("budget $1.00") && text.contains("assets USDC"), text)
        (code, text) = try await paygent(["run", "--session", "research", "Swap 10 CRO for USDC"])
        XCTAssertEqual(code, 1, text)
        XCTAssertTrue(text.contains("the asset CRO is not allowed in this session"), text)
        (code, text) = try await paygent(["sessions", "list"])
        XCTAssertTrue(text.contains("research") && text.contains("default"), text)
        (code, text) = try await paygent(["sessions", "show"])
        XCTAssertTrue(text.contains("spent 16 USDC") && text.contains("success rate"), text)
        (code, text) = try await paygent(["history", "--status", "failed"])
        XCTAssertTrue(text.contains("Swap 10 CRO for USDC") && text.contains("1 of 1"), text)
        let id = try XCTUnwrap(text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("exec_") })
        (code, text) = try await paygent(["history", String(id)])
        XCTAssertTrue(text.contains("agent.policy_check") && text.contains("spend policy"), text)
        (code, text) = try await paygent(["kill"])
        XCTAssertEqual(code, 0, text)
        XCTAssertTrue(text.contains("nothing was running"), text)
        (code, text) = try await paygent(["sessions", "terminate", "research"])
        XCTAssertTrue(text.contains("terminated"), text)
        (code, text) = try await paygent(["run", "--session", "research", "Check my wallet balance"])
        XCTAssertEqual(code, 1, text)
        XCTAssertTrue(text.contains("is terminated"), text)

        (code, text) = try await paygent(["demo"])
        XCTAssertEqual(code, 0, text)
        for words in [
            "holds", "Market data: prices", "paid 0.1 USDC", "swapped 100 CRO for", "opened a 10× long on BTC-USD", "closed pos_", "PnL 4 USDC",
            "waiting for approval apr_", "sent 25 USDC", "is not an address", "the session's summary", "success rate 100%",
        ] {
            XCTAssertTrue(text.contains(words), "\(words) missing:\n\(text)")
        }
    }

    /// Runs `arguments` in a pseudo-terminal, typing `answer` (lines) at the approval prompt.
    static func inTerminal(_ arguments: [String], answer: String, environment: [String: String]) async throws -> (Int32, String) {
        // (The modules are named on a line of their own in a string, not at the start of a line of
        // this file, where the package's import check would read them as Swift imports.)
        let script = "import os, pty, select, sys, time\n" + """
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[2], sys.argv[2:])
            out, answered, deadline = b"", False, time.time() + 60
            while time.time() < deadline:
                ready, _, _ = select.select([fd], [], [], 0.2)
                if fd not in ready:
                    continue
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
                if not answered and b"Approve, reject or edit?" in out:
                    for line in sys.argv[1].split("\\n"):
                        os.write(fd, line.encode() + b"\\n")
                        time.sleep(0.2)
                    answered = True
            _, status = os.waitpid(pid, 0)
            sys.stdout.write(out.decode("utf-8", "replace"))
            sys.exit(os.waitstatus_to_exitcode(status))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, answer] + arguments
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = try await Task.detached { try pipe.fileHandleForReading.readToEnd() ?? Data() }.value
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
