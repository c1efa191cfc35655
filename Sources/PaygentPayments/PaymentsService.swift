import Logging
import PaygentAPI
import PaygentRuntime
import PaygentTransport

/// The payments service (`paygent-payments`): wallets, the ledger, the x402 client and facilitator.
///
/// Its domain methods are registered here as they are built; the host adds `health` and
/// `logs.recent`.
public enum PaymentsService {
    public static let definition = ServiceDefinition(name: .payments) { _, environment in
        environment.logger.debug("data directory ready", metadata: ["directory": "\(environment.directory)"])
    }
}
