import Foundation
import PaygentRuntime
import XCTest

final class ConfigTests: XCTestCase {
    func testDefaultsArePrivateSocketsInTheDataDirectory() throws {
        let home = "/tmp/pg-defaults-\(UUID())"
        let config = try PaygentConfig.load(environment: ["PAYGENT_HOME": home])
        var endpoints = Set<String>()
        for service in ServiceName.allCases {
            let e = config.endpoints(service)
            XCTAssertEqual(e.rpc, "ipc://\(home)/run/sockets/\(service.rawValue).rpc")
            XCTAssertEqual(e.pub, "ipc://\(home)/run/sockets/\(service.rawValue).pub")
            endpoints.insert(e.rpc)
            endpoints.insert(e.pub)
        }
        XCTAssertEqual(endpoints.count, 10)
        XCTAssertEqual(config.logLevel, .info)
    }

    func testFileThenEnvironmentOverride() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-config-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("c.json").path
        try #"{"logLevel": "debug", "services": {"payments": {"rpc": "ipc:///tmp/p.rpc"}}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let config = try PaygentConfig.load(file: file, environment: [
            "PAYGENT_HOME": dir.path, "PAYGENT_PAYMENTS_PUB": "tcp://127.0.0.1:9999", "PAYGENT_LOG_LEVEL": "warning",
        ])
        XCTAssertEqual(config.endpoints(.payments), ServiceEndpoints(rpc: "ipc:///tmp/p.rpc", pub: "tcp://127.0.0.1:9999"))
        XCTAssertEqual(config.logLevel, .warning, "the environment wins over the file")
        XCTAssertEqual(config.dataDirectory, dir.path)
        XCTAssertEqual(config.endpoints(.vvs).rpc, "ipc://\(dir.path)/run/sockets/vvs.rpc", "default sockets follow the data directory")
    }

    func testErrorsSayWhatToChange() throws {
        XCTAssertThrowsError(try PaygentConfig.load(environment: ["PAYGENT_LOG_LEVEL": "loud"])) { error in
            XCTAssertTrue("\(error)".contains("PAYGENT_LOG_LEVEL=loud") && "\(error)".contains("warning"), "\(error)")
        }
        XCTAssertThrowsError(try PaygentConfig.load(environment: ["PAYGENT_VVS_RPC": "http://x"])) { error in
            XCTAssertTrue("\(error)".contains("vvs.rpc") && "\(error)".contains("tcp://"), "\(error)")
        }
        XCTAssertThrowsError(try PaygentConfig.load(environment: [
            "PAYGENT_VVS_RPC": "tcp://127.0.0.1:7410", "PAYGENT_PAYMENTS_RPC": "tcp://127.0.0.1:7410",
        ])) { error in
            XCTAssertTrue("\(error)".contains("both use"), "\(error)")
        }
        XCTAssertThrowsError(try PaygentConfig.load(environment: ["PAYGENT_HOME": "/tmp/" + String(repeating: "d", count: 100)])) { error in
            XCTAssertTrue("\(error)".contains("107 bytes"), "\(error)")
        }
        XCTAssertThrowsError(try PaygentConfig.load(file: "/nonexistent/paygent.json", environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("cannot read config file /nonexistent/paygent.json"), "\(error)")
        }
    }

    /// Settings of one service live in its section; the runtime keeps them as text, the
    /// environment variable a section names wins, and pre-section top-level keys are still read.
    func testSectionsBelongToTheirService() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-config-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("c.json").path
        try #"{"registry": {"cacheSeconds": 30, "name": "r"}, "marketHTTP": "127.0.0.1:9000"}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let config = try PaygentConfig.load(file: file, environment: ["PAYGENT_HOME": dir.path, "PAYGENT_REGISTRY_NAME": "from-env"])
        XCTAssertEqual(config.setting("registry", "cacheSeconds"), "30")
        XCTAssertEqual(config.setting("registry", "name", environment: "PAYGENT_REGISTRY_NAME"), "from-env")
        XCTAssertEqual(config.setting("market", "http"), "127.0.0.1:9000", "a top-level key from before sections")
        let withSecret = try PaygentConfig.load(file: file, environment: ["PAYGENT_HOME": dir.path, "PAYGENT_KEYSTORE_PASSWORD": "hunter2"])
        XCTAssertNil(withSecret.environment["PAYGENT_KEYSTORE_PASSWORD"], "a secret is not kept in the configuration")
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(withSecret), as: UTF8.self).contains("hunter2"))
        var written = config
        written.environment = [:]
        try written.fileJSON().write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try PaygentConfig.load(file: file, environment: ["PAYGENT_HOME": dir.path]).sections, config.sections)
    }

    func testWrittenFileLoadsBack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-config-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var original = PaygentConfig.defaults(home: dir.path)
        original.services[.vvs] = ServiceEndpoints(rpc: "ipc:///tmp/vvs.rpc", pub: "ipc:///tmp/vvs.pub")
        let file = dir.appendingPathComponent("config.json").path
        try original.fileJSON().write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try PaygentConfig.load(file: file, environment: [:]), original)
    }
}
