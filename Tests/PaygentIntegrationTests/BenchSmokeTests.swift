import Foundation
import PaygentTestSupport
import XCTest

/// Every `paygent-bench` subcommand runs with tiny counts, so none of them rots. The figures of
/// a debug build mean nothing; only the shape of the output is checked.
final class BenchSmokeTests: XCTestCase {
    func run(_ arguments: [String]) async throws -> String {
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let bench = try ChildProcess("paygent-bench", arguments, deployment: deployment, tag: "bench")
        let status = await bench.waitForExit(timeout: .seconds(120))
        XCTAssertNotNil(status, "bench did not finish")
        XCTAssertTrue(status == 0 || status == 1, "exit \(String(describing: status)):\n\(bench.output)")
        return bench.output
    }

    func testWire() async throws {
        let output = try await run(["wire", "--iterations", "200", "--rounds", "1"])
        XCTAssertTrue(output.contains("binary (paygent)"), output)
        XCTAssertTrue(output.contains("JSON (Foundation)"), output)
        XCTAssertNotNil(output.range(of: #"target wire-vs-json: .* \(goal .*\) (PASS|FAIL)"#, options: .regularExpression), output)
    }

    func testCrypto() async throws {
        let output = try await run(["crypto", "--iterations", "50", "--rounds", "1", "--breakdown"])
        for row in ["bare libsecp256k1 recover", "sign (ours)", "recover signer (ours)", "x402 payment verification", "EIP-712 digest"] {
            XCTAssertTrue(output.contains(row), output)
        }
        XCTAssertNotNil(output.range(of: #"target crypto-verify-vs-recover: .* \(goal .*\) (PASS|FAIL)"#, options: .regularExpression), output)
    }

    func testPayments() async throws {
        let output = try await run(["payments", "--settlements", "20", "--requests", "5"])
        XCTAssertTrue(output.contains("facilitator verify+settle"), output)
        XCTAssertTrue(output.contains(", 0 failed"), output)
        XCTAssertNotNil(output.range(of: "target payments-settle-rate: .* (PASS|FAIL)", options: .regularExpression), output)
        XCTAssertNotNil(output.range(of: "target payments-paid-vs-unpaid-p50: .* (PASS|FAIL)", options: .regularExpression), output)
    }

    func testRegistry() async throws {
        let output = try await run(["registry", "--entries", "300", "--requests", "20", "--inflight", "2"])
        for row in ["bare RPC round trip (echo)", "discovery, cached", "discovery, uncached free text"] {
            XCTAssertTrue(output.contains(row), output)
        }
        XCTAssertNotNil(output.range(of: "target registry-cached-discovery-p50: .* (PASS|FAIL)", options: .regularExpression), output)
        XCTAssertNotNil(output.range(of: "target registry-uncached-discovery-p50: .* over 300 entries .* (PASS|FAIL)", options: .regularExpression), output)
    }

    func testVVS() async throws {
        let output = try await run(["vvs", "--quotes", "20", "--swaps", "16", "--inflight", "2"])
        for row in ["bare RPC round trip", "quote over RPC, direct", "quote over RPC, 3 hops", "router alone", "swap over RPC, settled", "ledger: two-transfer batches"] {
            XCTAssertTrue(output.contains(row), output)
        }
        XCTAssertNotNil(output.range(of: "target vvs-direct-quote-p50: .* (PASS|FAIL)", options: .regularExpression), output)
        XCTAssertNotNil(output.range(of: "target vvs-swap-throughput: .* (PASS|FAIL)", options: .regularExpression), output)
    }

    func testMoonlander() async throws {
        let output = try await run(["moonlander", "--positions", "24", "--ticks", "10", "--inflight", "2"])
        for row in ["wallet authorization over RPC", "open over RPC, collateral settled", "price tick over RPC", "keeper's evaluation of a tick", "ledger: one-transfer batches", "opens settled in"] {
            XCTAssertTrue(output.contains(row), output)
        }
        XCTAssertTrue(output.contains("24 positions opened"), output)
        XCTAssertNotNil(output.range(of: "target moonlander-keeper-tick-p99: .* over 24 positions .* (PASS|FAIL)", options: .regularExpression), output)
        XCTAssertNotNil(output.range(of: "target moonlander-open-throughput: .* (PASS|FAIL)", options: .regularExpression), output)
    }

    func testAgent() async throws {
        let output = try await run(["agent", "--requests", "5", "--breakdown"])
        for row in ["\"Pay 0.10 USDC to access the market data API\"", "\"Check my wallet balance\"", "bare RPC round trip", "bare HTTP round trip", "payments.fetch", "bare sums"] {
            XCTAssertTrue(output.contains(row), output)
        }
        XCTAssertNotNil(output.range(of: "target agent-payment-p50: .* (PASS|FAIL)", options: .regularExpression), output)
        XCTAssertNotNil(output.range(of: "target agent-payment-vs-round-trips: .* (PASS|FAIL)", options: .regularExpression), output)
        XCTAssertNotNil(output.range(of: "target agent-balance-p50: .* (PASS|FAIL)", options: .regularExpression), output)
    }

    func testRPC() async throws {
        let output = try await run(["rpc", "--calls", "200", "--warmup", "20", "--inflight", "4"])
        for transport in ["tcp", "ipc"] {
            for callers in ["pool", "client"] {
                XCTAssertNotNil(output.range(of: "\(transport) +\(callers) +1 ", options: .regularExpression), output)
                XCTAssertNotNil(output.range(of: "\(transport) +\(callers) +4 ", options: .regularExpression), output)
            }
            XCTAssertNotNil(output.range(of: "target rpc-\(transport)-p50: .* (PASS|FAIL)", options: .regularExpression), output)
            XCTAssertNotNil(output.range(of: "target rpc-\(transport)-throughput-4: .* (PASS|FAIL)", options: .regularExpression), output)
        }
    }
}
