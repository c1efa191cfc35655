import Logging
import PaygentMoonlanderAPI
import PaygentRuntime
import PaygentTransport

/// The moonlander service (`paygent-moonlander`): Moonlander perpetuals: markets, positions and risk.
///
/// Its domain methods are registered here as they are built; the host adds `health` and
/// `logs.recent`.
public enum MoonlanderService {
    public static let definition = ServiceDefinition(name: .moonlander, catalog: MoonlanderCatalog.catalog) { _, environment in
        environment.logger.debug("data directory ready", metadata: ["directory": "\(environment.directory)"])
    }
}
