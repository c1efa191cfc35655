import PaygentCommands
import PaygentOrchestratorAPI
import XCTest

/// The built-in grammar: every example command of the issue, read into the intent it names with
/// the values as written; compound commands in order; and refusals that point at the part not
/// understood, so nothing is ever guessed.
final class CommandGrammarTests: XCTestCase {
    private func one(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> ParsedIntent {
        let intents = try CommandParser.parse(command)
        XCTAssertEqual(intents.count, 1, "\(command): \(intents)", file: file, line: line)
        return try XCTUnwrap(intents.first, file: file, line: line)
    }

    private func refused(_ command: String, file: StaticString = #filePath, line: UInt = #line) -> CommandError? {
        do {
            let intents = try CommandParser.parse(command)
            XCTFail("\(command) was understood as \(intents)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testPayments() throws {
        var intent = try one("Pay 0.10 USDC to access the market data API")
        XCTAssertEqual(intent.intent, .payment)
        XCTAssertEqual([intent.amount, intent.token, intent.service], ["0.10", "USDC", "market data"])
        intent = try one("send 25 USDC to 0x00000000000000000000000000000000000000A1")
        XCTAssertEqual([intent.amount, intent.recipient], ["25", "0x00000000000000000000000000000000000000A1"])
        intent = try one("pay 100 USDC to merchant")
        XCTAssertEqual([intent.amount, intent.service], ["100", "merchant"])
        intent = try one("PAY   0.5   usdc  to http://127.0.0.1:8402/prices?symbol=BTC")
        XCTAssertEqual([intent.token, intent.url], ["USDC", "http://127.0.0.1:8402/prices?symbol=BTC"])
        intent = try one("pay the same service again")
        XCTAssertEqual(intent.fromMemory, "last_service")
    }

    func testBalancesAllowanceHistoryAndDiscovery() throws {
        XCTAssertEqual(try one("Check my wallet balance").intent, .balanceCheck)
        let usdc = try one("how much USDC do I have?")
        XCTAssertEqual([usdc.intent.rawValue, usdc.token], ["balance_check", "USDC"])
        XCTAssertEqual(try one("what's my daily limit?").intent, .allowance)
        XCTAssertEqual(try one("how much can I spend today").intent, .allowance)
        let history = try one("What did I spend today?")
        XCTAssertEqual([history.intent.rawValue, history.period], ["history", "today"])
        let find = try one("find market data services")
        XCTAssertEqual([find.intent.rawValue, find.query], ["service_discovery", "market data"])
        XCTAssertEqual(try one("what services are available?").intent, .serviceDiscovery)
        let subscribe = try one("subscribe to the market data feed")
        XCTAssertEqual([subscribe.intent.rawValue, subscribe.service], ["subscribe", "market data"])
    }

    func testTrading() throws {
        for command in ["Swap 10 CRO for USDC", "exchange 50 USDC to CRO", "trade 100 CRO for USDC"] {
            let swap = try one(command)
            XCTAssertEqual(swap.intent, .swap)
            XCTAssertNotNil(swap.amount)
            XCTAssertNotEqual(swap.token, swap.toToken)
        }
        XCTAssertEqual(try one("swap it back").fromMemory, "last_swap")
        let add = try one("add liquidity 100 CRO and 9 USDC to the CRO-USDC pool")
        XCTAssertEqual([add.intent.rawValue, add.amount, add.token, add.toAmount, add.toToken, add.pool], ["add_liquidity", "100", "CRO", "9", "USDC", "CRO-USDC"])
        let remove = try one("remove all liquidity from CRO-USDC")
        XCTAssertEqual([remove.intent.rawValue, remove.amount, remove.pool], ["remove_liquidity", "all", "CRO-USDC"])
        let stake = try one("stake 5 LP in the CRO-USDC farm")
        XCTAssertEqual([stake.intent.rawValue, stake.action, stake.amount], ["farm", "stake", "5"])
        XCTAssertEqual(try one("harvest my CRO-USDC farm").action, "harvest")

        let long = try one("open a 10x long position on BTC")
        XCTAssertEqual(long.intent, .perpetualTrade)
        XCTAssertEqual([long.side, long.market, long.collateral], ["long", "BTC-USD", nil])
        XCTAssertEqual(long.leverage, 10)
        let short = try one("short 50 USDC BTC at 5x")
        XCTAssertEqual([short.side, short.market, short.collateral], ["short", "BTC-USD", "50"])
        XCTAssertEqual(short.leverage, 5)
        XCTAssertEqual(try one("Open a 5x long on BTC with 100 USDC").collateral, "100")
        XCTAssertEqual(try one("close my BTC position").market, "BTC-USD")
        XCTAssertEqual(try one("close pos_0a1b2c").position, "pos_0a1b2c")
        let stop = try one("set a stop-loss at 90000 on my BTC position")
        XCTAssertEqual([stop.intent.rawValue, stop.price, stop.market], ["set_stop_loss", "90000", "BTC-USD"])
        let take = try one("set take profit to 120000.5")
        XCTAssertEqual([take.intent.rawValue, take.price], ["set_take_profit", "120000.5"])
        XCTAssertEqual(try one("what is the funding rate on ETH?").market, "ETH-USD")
    }

    func testCompoundCommandsKeepTheirOrder() throws {
        let intents = try CommandParser.parse("Swap 10 CRO for USDC then pay 5 USDC to the market data API")
        XCTAssertEqual(intents.map(\.intent), [.swap, .payment])
        let three = try CommandParser.parse("check my balance, swap 10 CRO for USDC and then open a 2x short on ETH with 20 USDC")
        XCTAssertEqual(three.map(\.intent), [.balanceCheck, .swap, .perpetualTrade])
        let plan = try Planner.plan("Swap 10 CRO for USDC then pay 5 USDC to the market data API")
        XCTAssertEqual(plan.todos.map(\.tool), [
            "agent.parse", "agent.plan_check", "vvs.quote", "agent.policy_check", "vvs.swap", "agent.verify_settlement",
            "registry.discover", "agent.policy_check", "payments.fetch", "agent.verify_settlement",
        ])
        XCTAssertEqual(plan.todos.map(\.step), Array(1...10))
        XCTAssertEqual(plan.todos.filter(\.costBearing).map(\.tool), ["vvs.swap", "payments.fetch"])
        XCTAssertEqual(plan.services, ["vvs", "registry", "payments"])
    }

    func testWhatIsNotUnderstoodIsRefusedAndPointedAt() throws {
        var error = refused("Check my wallet balance please now")
        XCTAssertEqual(error?.part, "please now")
        error = refused("Pay 0.10 USDC to access the market data API; rm -rf /")
        XCTAssertEqual(error?.part, "API;")
        error = refused("pay 1 USDC to 'market' OR 1=1 --")
        XCTAssertEqual(error?.part, "'market'")
        error = refused("send 5 USDC to 0x12345")
        XCTAssertEqual(error?.part, "0x12345")
        XCTAssertTrue(error?.message.contains("40 hex digits") == true)
        error = refused("swap 10 DOGE for USDC")
        XCTAssertEqual(error?.part, "DOGE")
        error = refused("swap 10 CRO for CRO")
        XCTAssertTrue(error?.message.contains("two different tokens") == true)
        error = refused("make me rich")
        XCTAssertTrue(error?.message.contains("Check my wallet balance") == true)
        error = refused("pay 0 USDC to merchant")
        XCTAssertEqual(error?.part, "0")
        error = refused("swap 10 CRO for USDC then")
        XCTAssertNotNil(error)
        error = refused("pay 1 USDC to `whoami`")
        XCTAssertEqual(error?.part, "`whoami`")
        error = refused("pay 1 USDC to $(id)")
        XCTAssertEqual(error?.part, "$(id)")
        error = refused("check my balance? then pay 1 USDC to merchant")
        XCTAssertEqual(error?.part, "balance?")
        XCTAssertNotNil(refused(""))
        XCTAssertNotNil(refused(String(repeating: "pay ", count: 200)))
    }
}
