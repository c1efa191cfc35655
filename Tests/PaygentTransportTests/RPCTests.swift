import Foundation
import Logging
import PaygentTransport
import PaygentWire
import XCTest

struct Echo: Codable, Equatable, Sendable {
    var text: String
    var delayMillis: Int = 0
}

struct Counter: Codable, Sendable {
    var value: Int
}

final class RPCTests: XCTestCase {
    let context = ZMQContext()
    let logger = Logger(label: "test")

    func makeServer(_ endpoint: String = "tcp://127.0.0.1:*") throws -> RPCServer {
        let server = RPCServer(endpoint: endpoint, serviceName: "echo", context: context, logger: logger)
        server.register("echo") { (request: Echo, _) in
            if request.delayMillis > 0 { try await Task.sleep(for: .milliseconds(request.delayMillis)) }
            return request
        }
        server.register("fail") { (request: Echo, _) -> Echo in
            throw PaygentError(.notFound, "no such thing: \(request.text)")
        }
        let hits = CounterBox()
        server.register("count") { (_: Echo, _) -> Counter in
            Counter(value: hits.increment())
        }
        try server.start()
        return server
    }

    func testRoundTripManyInFlight() async throws {
        let server = try makeServer()
        let client = try RPCClient(endpoint: server.endpoint!, serviceName: "echo", context: context)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 {
                group.addTask {
                    let reply: Echo = try await client.call("echo", Echo(text: "hi \(i)"))
                    XCTAssertEqual(reply.text, "hi \(i)")
                }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(server.stats.requestsServed, 200)
        client.close()
        await server.shutdown()
    }

    /// `.loopWhenIdle` runs a lone request on the server's thread (where `.loop` handlers run) and
    /// one that arrives while another is in flight on the shared pool.
    func testLoopWhenIdleRunsOnTheServersThreadOnlyWhenAlone() async throws {
        let server = RPCServer(endpoint: "tcp://127.0.0.1:*", serviceName: "where", context: context, logger: logger)
        let thread: @Sendable () -> Counter = { Counter(value: Int(bitPattern: UInt(pthread_self()))) }
        server.register("loop") { (_: Echo, _) in thread() }
        server.register("adaptive", placement: .loopWhenIdle) { (_: Echo, _) in thread() }
        server.register("hold", placement: .parallel) { (request: Echo, _) -> Echo in
            try await Task.sleep(for: .milliseconds(request.delayMillis))
            return request
        }
        try server.start()
        let client = try RPCClient(endpoint: server.endpoint!, serviceName: "where", context: context)
        let serverThread: Counter = try await client.call("loop", Echo(text: ""))
        let alone: Counter = try await client.call("adaptive", Echo(text: ""))
        XCTAssertEqual(alone.value, serverThread.value, "alone: on the server's thread")
        async let held: Echo = client.call("hold", Echo(text: "", delayMillis: 300))
        try await Task.sleep(for: .milliseconds(100))
        let busy: Counter = try await client.call("adaptive", Echo(text: ""))
        XCTAssertNotEqual(busy.value, serverThread.value, "with another in flight: on the pool")
        _ = try await held
        client.close()
        await server.shutdown()
    }

    func testCallsFromTheClientsOwnThread() async throws {
        let server = try makeServer()
        let client = try RPCClient(endpoint: server.endpoint!, serviceName: "echo", context: context)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask(executorPreference: client.executor) {
                    var count = 0
                    for i in 0..<50 {
                        let reply: Echo = try await client.call("echo", Echo(text: "\(worker)-\(i)"))
                        XCTAssertEqual(reply.text, "\(worker)-\(i)")
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        XCTAssertEqual(total, 400)
        // Errors and deadlines behave the same there.
        let code = await Task(executorPreference: client.executor) { () async -> ErrorCode? in
            do throws(PaygentError) {
                let _: Echo = try await client.call("echo", Echo(text: "slow", delayMillis: 1000), deadline: .milliseconds(100))
                return nil
            } catch {
                return error.code
            }
        }.value
        XCTAssertEqual(code, .deadlineExceeded)
        client.close()
        await server.shutdown()
    }

    func testTypedErrors() async throws {
        let server = try makeServer()
        let client = try RPCClient(endpoint: server.endpoint!, serviceName: "echo", context: context)
        do {
            let _: Echo = try await client.call("fail", Echo(text: "x"))
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.code, .notFound)
            XCTAssertEqual(error.message, "no such thing: x")
        }
        do {
            let _: Echo = try await client.call("nope", Echo(text: "x"))
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.code, .unknownMethod)
        }
        do {
            let _: Echo = try await client.call("echo", Counter(value: 1))
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.code, .badRequest)
            XCTAssertTrue(error.message.contains("text"), error.message)
        }
        do {
            let _: Echo = try await client.call("echo", Echo(text: "slow", delayMillis: 2000), deadline: .milliseconds(200))
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.code, .deadlineExceeded)
        }
        client.close()
        await server.shutdown()
    }

    func testUnavailableWhenNobodyListens() async throws {
        var options = RPCClientOptions()
        options.connectWait = .milliseconds(300)
        let client = try RPCClient(endpoint: "tcp://127.0.0.1:1", serviceName: "ghost", context: context, options: options)
        let start = ContinuousClock.now
        do {
            let _: Echo = try await client.call("echo", Echo(text: "x"), deadline: .seconds(5))
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.code, .unavailable)
            XCTAssertTrue(error.message.contains("ghost"))
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(2))
        client.close()
    }

    func testIdempotencyKeyAppliesOnce() async throws {
        let server = try makeServer()
        let client = try RPCClient(endpoint: server.endpoint!, serviceName: "echo", context: context)
        let first: Counter = try await client.call("count", Echo(text: "a"), idempotencyKey: "k-1")
        let again: Counter = try await client.call("count", Echo(text: "a"), idempotencyKey: "k-1")
        let other: Counter = try await client.call("count", Echo(text: "a"), idempotencyKey: "k-2")
        XCTAssertEqual(first.value, 1)
        XCTAssertEqual(again.value, 1)
        XCTAssertEqual(other.value, 2)
        client.close()
        await server.shutdown()
    }

    /// A reply answered from the idempotency record says so (the envelope's replayed flag), and
    /// every reply echoes its request's trace id.
    func testRepliesEchoTheTraceAndSayWhenReplayed() async throws {
        let server = try makeServer()
        let client = try RPCClient(endpoint: server.endpoint!, serviceName: "echo", context: context)
        let body = try BinaryEncoder().encode(Echo(text: "a"))
        let trace = [UInt8](repeating: 7, count: 16)
        let first = try await client.callRaw("count", body: body, idempotencyKey: "k-r", traceID: trace)
        XCTAssertFalse(first.envelope.replayed)
        XCTAssertEqual(first.envelope.traceID, trace)
        let retryTrace = [UInt8](repeating: 9, count: 16)
        let again = try await client.callRaw("count", body: body, idempotencyKey: "k-r", traceID: retryTrace)
        XCTAssertTrue(again.envelope.replayed, "answered from the record")
        XCTAssertEqual(again.envelope.traceID, retryTrace)
        XCTAssertEqual(again.body, first.body)
        let fresh = try await client.callRaw("count", body: body, traceID: trace)
        XCTAssertFalse(fresh.envelope.replayed)
        do {
            _ = try await client.callRaw("nope", body: body, traceID: trace)
            XCTFail("unknown method")
        } catch {
            XCTAssertEqual(error.code, .unknownMethod)
        }
        client.close()
        await server.shutdown()
    }

    /// Typed descriptors: the effect, not the call site, decides whether a call may be sent again.
    func testDescriptorsDecideRetries() {
        XCTAssertTrue(MethodEffect.read.retrySafe)
        XCTAssertTrue(MethodEffect.idempotentWrite.retrySafe)
        XCTAssertFalse(MethodEffect.write.retrySafe)
        let event = EventTopic<Echo>("log.<service>.<level>", "a log record")
        XCTAssertEqual(event.prefix, "log.")
        XCTAssertTrue(event.matches("log.payments.info"))
        XCTAssertFalse(event.matches("log.payments"))
        XCTAssertFalse(event.matches("logs.payments.info"))
        XCTAssertTrue(EventTopic<Echo>("payment.settled", "").matches("payment.settled"))
    }

    func testGracefulShutdownFinishesInFlight() async throws {
        let server = try makeServer()
        let client = try RPCClient(endpoint: server.endpoint!, serviceName: "echo", context: context)
        async let slow: Echo = client.call("echo", Echo(text: "slow", delayMillis: 300))
        try await Task.sleep(for: .milliseconds(100))
        await server.shutdown(grace: .seconds(3))
        let reply = try await slow
        XCTAssertEqual(reply.text, "slow")
        client.close()
    }

    func testPubSubPrefixes() async throws {
        let publisher = try Publisher(endpoint: "tcp://127.0.0.1:*", context: context)
        let subscriber = try Subscriber(endpoints: [publisher.endpoint], prefixes: ["log.a."], context: context)
        var iterator = subscriber.events.makeAsyncIterator()
        // Slow joiner: publish until the subscription is in place.
        let pump = Task {
            for i in 0..<200 {
                publisher.publish("log.b.info", Echo(text: "skip \(i)"))
                publisher.publish("log.a.info", Echo(text: "take \(i)"))
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        let event = await iterator.next()
        pump.cancel()
        XCTAssertEqual(event?.topic, "log.a.info")
        XCTAssertTrue(try event!.decode(Echo.self).text.hasPrefix("take"))
        subscriber.close()
        await publisher.close()
    }
}

final class CounterBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
