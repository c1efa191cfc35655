import PaygentWire

/// Methods of the registry service (`protocol/services/registry.md`).
public enum RegistryMethod {
    public static let discover = RPCMethod<DiscoverRequest, DiscoverReply>(
        "registry.discover", .read, "finds services by words, category, price, reputation, pricing model and network, a page at a time")
    public static let show = RPCMethod<ServiceShowRequest, ServiceEntry>(
        "registry.show", .read, "one service by id")
    public static let pricing = RPCMethod<PricingRequest, PricingReply>(
        "registry.pricing", .read, "a service's current price, and for a metered one what a number of units costs")
    public static let register = RPCMethod<RegisterServiceRequest, ServiceEntry>(
        "registry.register", .write, "admin: adds a service, every field checked")
    public static let add = RPCMethod<AddServiceRequest, ServiceEntry>(
        "registry.add", .write, "admin: registers a service from its own 402 answer (price, token, network, pay-to, Bazaar description)")
    public static let catalogue = RPCMethod<CatalogueRequest, ServiceEntry>(
        "registry.catalogue", .idempotentWrite,
        "catalogues (or refreshes) a resource whose payment, settled through Paygent's facilitator, declared the bazaar extension")
    public static let update = RPCMethod<UpdateServiceRequest, ServiceEntry>(
        "registry.update", .write, "admin: replaces a service's fields, keeping its id, reputation and counts")
    public static let remove = RPCMethod<RemoveServiceRequest, RemoveServiceReply>(
        "registry.remove", .write, "admin: removes a service")
    public static let subscribe = RPCMethod<SubscribeRequest, Subscription>(
        "registry.subscribe", .write,
        "subscribes a wallet to a subscription-priced service, paying one period by a transfer to its pay-to (or renews an ended one)")
    public static let subscriptions = RPCMethod<SubscriptionListRequest, SubscriptionListReply>(
        "registry.subscriptions", .read, "subscriptions, newest first, with their payments")
    public static let cancelSubscription = RPCMethod<CancelSubscriptionRequest, Subscription>(
        "registry.cancel_subscription", .idempotentWrite, "stops a subscription renewing; it is served until its paid period ends")
    public static let subscriptionAccess = RPCMethod<SubscriptionAccessRequest, SubscriptionAccessReply>(
        "registry.subscription_access", .read, "whether an address holds an active subscription to a resource URL")
}

/// The registry service's methods and events: the service catalog, discovery, pricing and subscriptions.
public enum RegistryCatalog {
    public static let catalog = ServiceCatalog(
        service: "registry",
        methods: [
            RegistryMethod.discover, RegistryMethod.show, RegistryMethod.pricing, RegistryMethod.register, RegistryMethod.add, RegistryMethod.catalogue, RegistryMethod.update,
            RegistryMethod.remove, RegistryMethod.subscribe, RegistryMethod.subscriptions, RegistryMethod.cancelSubscription,
            RegistryMethod.subscriptionAccess,
        ],
        events: [])
}
