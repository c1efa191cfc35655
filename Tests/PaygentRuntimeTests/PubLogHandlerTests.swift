import Foundation
import Logging
import PaygentRuntime
import XCTest

final class PubLogHandlerTests: XCTestCase {
    func testSecretsNeverReachARecord() throws {
        let recent = RecentLogs(capacity: 10)
        let logger = Logger(label: "t") { _ in
            PubLogHandler(service: "payments", level: .debug, publisher: nil, recent: recent, writesStderr: false)
        }
        let key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
        logger.info("wallet imported", metadata: [
            "privateKey": "\(key)", "wallet.password": "hunter2", "signature": "0xdead", "wallet.address": "0xabc",
        ])
        let record = try XCTUnwrap(recent.latest(1, minimumLevel: nil).first)
        XCTAssertEqual(record.metadata["privateKey"], "[redacted]")
        XCTAssertEqual(record.metadata["wallet.password"], "[redacted]")
        XCTAssertEqual(record.metadata["signature"], "[redacted]")
        XCTAssertEqual(record.metadata["wallet.address"], "0xabc")
        XCTAssertFalse(LogLine.plain(record).contains(key))
        XCTAssertFalse(LogLine.plain(record).contains("hunter2"))
    }

    func testRecentLogsKeepTheNewestInOrderAndFilterByLevel() throws {
        let recent = RecentLogs(capacity: 5)
        let logger = Logger(label: "t") { _ in
            PubLogHandler(service: "vvs", level: .trace, publisher: nil, recent: recent, writesStderr: false)
        }
        for i in 0..<12 {
            if i.isMultiple(of: 3) { logger.warning("w\(i)") } else { logger.info("i\(i)") }
        }
        let all = recent.latest(100, minimumLevel: nil)
        XCTAssertEqual(all.map(\.message), ["i7", "i8", "w9", "i10", "i11"])
        XCTAssertEqual(all.map(\.sequence), [8, 9, 10, 11, 12])
        XCTAssertEqual(recent.latest(100, minimumLevel: .warning).map(\.message), ["w9"])
        XCTAssertEqual(recent.latest(2, minimumLevel: nil).map(\.message), ["i10", "i11"])
    }
}
