import Foundation
import PaygentPaymentsAPI
import PaygentPaymentsTesting
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// `paygent perp …` as a person runs it, against the built payments and moonlander services: a
/// wallet funded by name, the markets, a 10× long with a stop-loss, the positions table, the price set by an admin, a
/// take-profit, a close, the funding table, `--json`, and refused input explained.
final class PerpCLITests: XCTestCase {
    func testPerpetualsFromTheCommandLine() async throws {
        let service = try await PaymentsTestService(settings: [("moonlander", "oracle", "fixed"), ("moonlander", "tickMillis", "200")])
        defer { service.tearDown() }
        let moonlander = try await startService(.moonlander, deployment: service.deployment, context: service.context)
        defer { moonlander.signal(SIGKILL) }
        func paygent(_ arguments: [String]) async throws -> (Int32?, String) {
            let child = try ChildProcess("paygent", ["perp"] + arguments, deployment: service.deployment, tag: "paygent")
            return (await child.waitForExit(timeout: .seconds(30)), child.output)
        }
        let wallet = try await service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "trader"))
        // The faucet takes a wallet's name as well as an address.
        func faucet(_ to: String) async throws -> (Int32?, String) {
            let child = try ChildProcess("paygent", ["faucet", to, "1000", "USDC"], deployment: service.deployment, tag: "paygent")
            return (await child.waitForExit(timeout: .seconds(30)), child.output)
        }
        let (funded, fundOutput) = try await faucet("trader")
        XCTAssertEqual(funded, 0, fundOutput)
        XCTAssertTrue(fundOutput.contains("minted 1000 USDC to \(wallet.address)"), fundOutput)
        let (unknown, unknownOutput) = try await faucet("nobody")
        XCTAssertEqual(unknown, 1, unknownOutput)
        XCTAssertTrue(unknownOutput.contains("no wallet named 'nobody'"), unknownOutput)
        var (status, markets) = try await paygent(["markets"])
        let deadline = ContinuousClock.now + .seconds(30)
        while status != 0 || !markets.contains("BTC-USD"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            (status, markets) = try await paygent(["markets"])
        }
        XCTAssertEqual(status, 0, markets)
        XCTAssertTrue(markets.contains("96210") && markets.contains("100×") && markets.contains("0.05%/0.05% + 0.3") && markets.contains("10000000 USDC"), markets)

        let (set, setOutput) = try await paygent(["price", "set", "BTC-USD", "100000"])
        XCTAssertEqual(set, 0, setOutput)
        XCTAssertTrue(setOutput.contains("BTC-USD set to 100000"), setOutput)
        let (opened, openOutput) = try await paygent(["open", "long", "BTC-USD", "100", "--leverage", "10", "--wallet", "trader", "--stop-loss", "95000"])
        XCTAssertEqual(opened, 0, openOutput)
        XCTAssertTrue(openOutput.contains("opened long BTC-USD pos_") && openOutput.contains("size 1000 USDC at 100000"), openOutput)
        XCTAssertTrue(openOutput.contains("collateral 99.2 USDC after 0.8 USDC of fees"), openOutput)
        let id = try XCTUnwrap(openOutput.split(separator: " ").first { $0.hasPrefix("pos_") }).trimmingCharacters(in: .punctuationCharacters)

        let (tp, tpOutput) = try await paygent(["tp", id, "120000", "--wallet", "trader"])
        XCTAssertEqual(tp, 0, tpOutput)
        XCTAssertTrue(tpOutput.contains("stop-loss 95000, take-profit 120000"), tpOutput)
        let (wrongSide, wrongSideOutput) = try await paygent(["sl", id, "101000", "--wallet", "trader"])
        XCTAssertEqual(wrongSide, 1, wrongSideOutput)
        XCTAssertTrue(wrongSideOutput.contains("a long's stop-loss must be below the price"), wrongSideOutput)

        _ = try await paygent(["price", "set", "BTC-USD", "105000"])
        let (_, table) = try await paygent(["positions", "trader"])
        for cell in ["BTC-USD", "long", "1000", "99.2", "100000", "105000", "50", "95000 / 120000", "open"] {
            XCTAssertTrue(table.contains(cell), "\(cell) missing: \(table)")
        }
        let (_, json) = try await paygent(["positions", "trader", "--json"])
        let reply = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let position = try XCTUnwrap((reply["positions"] as? [[String: Any]])?.first)
        XCTAssertEqual(position["pnl"] as? String, "50000000")

        let (closed, closeOutput) = try await paygent(["close", id, "--wallet", "trader"])
        XCTAssertEqual(closed, 0, closeOutput)
        XCTAssertTrue(closeOutput.contains("closed \(id) at 105000: PnL 50 USDC, fees 0.8 USDC, paid 148.4 USDC"), closeOutput)
        let balance = try await service.usdc(wallet.address)
        XCTAssertEqual(balance, "1048400000")
        let (again, againOutput) = try await paygent(["close", id, "--wallet", "trader"])
        XCTAssertEqual(again, 1, againOutput)
        XCTAssertTrue(againOutput.contains("already closed"), againOutput)

        let (_, funding) = try await paygent(["funding"])
        XCTAssertTrue(funding.contains("BTC-USD") && funding.contains("1h") && funding.contains("0.01%"), funding)
        let (bad, badOutput) = try await paygent(["open", "long", "BTC-USD", "100", "--leverage", "500", "--wallet", "trader"])
        XCTAssertEqual(bad, 1, badOutput)
        XCTAssertTrue(badOutput.contains("leverage 500× is outside 1–100× for BTC-USD"), badOutput)
        await service.stop()
    }
}
