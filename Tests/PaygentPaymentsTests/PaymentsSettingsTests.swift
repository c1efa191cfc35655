import Foundation
import PaygentPaymentsAPI
import PaygentRuntime
import XCTest

/// The payments section of the configuration: defaults, overrides, and a bad value refused with
/// what to change.
final class PaymentsSettingsTests: XCTestCase {
    func testDefaultsOverridesAndChecks() throws {
        let defaults = PaygentConfig.defaults(home: "/tmp/pg-settings")
        XCTAssertEqual(defaults.facilitatorHTTP, "127.0.0.1:7412")
        XCTAssertEqual(defaults.marketURL, "http://127.0.0.1:8402")
        XCTAssertEqual(try defaults.maxPaymentValiditySeconds(), 300)

        var config = defaults
        config.facilitatorHTTP = "127.0.0.1:9412"
        XCTAssertEqual(config.sections["payments"]?["facilitatorHTTP"], "127.0.0.1:9412")
        config.environment = ["PAYGENT_FACILITATOR_HTTP": "127.0.0.1:9999", "PAYGENT_MAX_PAYMENT_VALIDITY": "5"]
        XCTAssertEqual(config.facilitatorHTTP, "127.0.0.1:9999", "the environment wins")
        XCTAssertThrowsError(try config.maxPaymentValiditySeconds()) { error in
            XCTAssertTrue("\(error)".contains("maxPaymentValiditySeconds") && "\(error)".contains("10 to 86400"), "\(error)")
        }
    }
}
