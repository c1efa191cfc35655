import Logging
import PaygentRegistryAPI
import PaygentRuntime
import PaygentTransport

/// The registry service (`paygent-registry`): the service catalog, discovery, pricing and reputation.
///
/// Its domain methods are registered here as they are built; the host adds `health` and
/// `logs.recent`.
public enum RegistryService {
    public static let definition = ServiceDefinition(name: .registry, catalog: RegistryCatalog.catalog) { _, environment in
        environment.logger.debug("data directory ready", metadata: ["directory": "\(environment.directory)"])
    }
}
