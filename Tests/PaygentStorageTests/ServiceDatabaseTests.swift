import Foundation
import GRDB
import PaygentStorage
import XCTest

/// Every service's database opens the same way, and a shipped migration cannot change under it.
final class ServiceDatabaseTests: XCTestCase {
    var directory = ""

    override func setUp() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgs-\(UUID().uuidString.prefix(8))").path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    let v1 = Migration("v1 notes", "CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL);")
    let v2 = Migration("v2 note time", "ALTER TABLE note ADD COLUMN time REAL;")

    func testOpensInWALAndAppliesStepsInOrderOnce() throws {
        let path = directory + "/a.sqlite"
        let first = try ServiceDatabase.open(path: path, migrations: [v1])
        try first.write { try $0.execute(sql: "INSERT INTO note (text) VALUES ('kept')") }
        let mode = try first.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
        try first.close()
        // Reopened with a new step: the old one is not run again (the row survives), the new one is.
        let second = try ServiceDatabase.open(path: path, migrations: [v1, v2])
        let row = try second.read { try Row.fetchOne($0, sql: "SELECT text, time FROM note") }
        XCTAssertEqual(row?["text"] as String?, "kept")
        try second.close()
    }

    func testAnEditedShippedStepIsRefused() throws {
        let path = directory + "/b.sqlite"
        try ServiceDatabase.open(path: path, migrations: [v1]).close()
        // Re-indenting is not an edit.
        try ServiceDatabase.open(path: path, migrations: [Migration("v1 notes", "  CREATE TABLE note (id INTEGER PRIMARY KEY,\n        text TEXT NOT NULL);\n")]).close()
        let edited = Migration("v1 notes", "CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT);")
        XCTAssertThrowsError(try ServiceDatabase.open(path: path, migrations: [edited])) { error in
            XCTAssertTrue("\(error)".contains("must never be edited"), "\(error)")
        }
    }

    func testADatabaseFromANewerVersionIsRefused() throws {
        let path = directory + "/c.sqlite"
        try ServiceDatabase.open(path: path, migrations: [v1, v2]).close()
        XCTAssertThrowsError(try ServiceDatabase.open(path: path, migrations: [v1])) { error in
            XCTAssertTrue("\(error)".contains("newer Paygent") && "\(error)".contains("v2 note time"), "\(error)")
        }
    }
}
