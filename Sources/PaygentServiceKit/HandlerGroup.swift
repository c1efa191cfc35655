import PaygentTransport

/// A set of a service's handlers that share what they work on (a store, a ledger): the one shape
/// every handler group takes. The service's set-up makes each group and registers it; the host
/// checks that together they serve exactly the service's catalog.
public protocol HandlerGroup: Sendable {
    func register(on server: RPCServer)
}
