import Logging
import PaygentVVSAPI
import PaygentRuntime
import PaygentTransport

/// The vvs service (`paygent-vvs`): VVS Finance swaps, routing and liquidity.
///
/// Its domain methods are registered here as they are built; the host adds `health` and
/// `logs.recent`.
public enum VVSService {
    public static let definition = ServiceDefinition(name: .vvs, catalog: VVSCatalog.catalog) { _, environment in
        environment.logger.debug("data directory ready", metadata: ["directory": "\(environment.directory)"])
    }
}
