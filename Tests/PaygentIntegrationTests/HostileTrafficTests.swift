import Foundation
import PaygentPaymentsAPI
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest
import PaygentRuntime

/// A running service fed frames that are not ours answers errors where it can, drops the rest,
/// logs each kind once, and keeps serving.
final class HostileTrafficTests: XCTestCase {
    func testServiceSurvivesHostileFrames() async throws {
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let context = ZMQContext()
        let service = try await startService(.payments, deployment: deployment, context: context)
        defer { service.signal(SIGKILL) }
        let endpoint = deployment.config.endpoints(.payments).rpc

        let raw = try ZMQSocket(context, type: .dealer)
        defer { raw.close() }
        try raw.connect(endpoint)

        func request(_ method: String, id: UInt64) -> [UInt8] {
            Envelope(kind: .request, requestID: id, method: method, deadlineMillis: 2000).encoded()
        }
        func reply(timeoutMillis: Int = 1000) throws -> Envelope? {
            guard try zmqPoll([.socket(raw)], timeoutMillis: timeoutMillis)[0],
                let received = try raw.receive()
            else { return nil }
            return try Envelope(decoding: received.frames[0])
        }
        let emptyBody = try BinaryEncoder().encode(HealthRequest())

        // Random bytes, a truncated envelope, wrong magic, wrong version: dropped, no reply.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let junk = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try raw.send([junk, junk])
        }
        let valid = request(CommonMethod.health.name, id: 7)
        try raw.send([Array(valid.prefix(10)), emptyBody])
        var wrongMagic = valid
        wrongMagic[0] = 0x58
        try raw.send([wrongMagic, emptyBody])
        var wrongVersion = valid
        wrongVersion[2] = 99
        try raw.send([wrongVersion, emptyBody])
        XCTAssertNil(try reply(timeoutMillis: 300), "unparseable messages get no reply")

        // An unknown method: an error naming it.
        try raw.send([request("payments.nope", id: 11), emptyBody])
        let unknown = try XCTUnwrap(try reply())
        XCTAssertEqual(unknown.requestID, 11)
        XCTAssertEqual(unknown.errorCode, .unknownMethod)

        // The wrong number of frames: an error, since the envelope can be read.
        try raw.send([request(CommonMethod.health.name, id: 12)])
        XCTAssertEqual(try XCTUnwrap(try reply()).errorCode, .malformedMessage)
        try raw.send([request(CommonMethod.health.name, id: 13), emptyBody, [1, 2, 3], [4]])
        let tooMany = try XCTUnwrap(try reply())
        XCTAssertEqual(tooMany.requestID, 13)
        XCTAssertEqual(tooMany.errorCode, .malformedMessage)

        // A body that is not a valid encoding: bad_request with what was wrong.
        try raw.send([request(CommonMethod.recentLogs.name, id: 14), [0x02, 0x05, 0x08]])
        let badBody = try XCTUnwrap(try reply())
        XCTAssertEqual(badBody.errorCode, .badRequest)
        XCTAssertTrue(badBody.errorMessage?.contains("truncated") ?? false, badBody.errorMessage ?? "")

        // An oversized frame: libzmq drops the connection (ZMQ_MAXMSGSIZE) before we read it.
        let oversized = try ZMQSocket(context, type: .dealer)
        defer { oversized.close() }
        try oversized.connect(endpoint)
        try oversized.send([request(CommonMethod.health.name, id: 15), [UInt8](repeating: 0x41, count: WireLimits.default.maxMessageBytes + 8192)], dontWait: false)
        XCTAssertFalse(try zmqPoll([.socket(oversized)], timeoutMillis: 500)[0], "no reply to an oversized frame")

        // Still serving.
        let client = try RPCClient(endpoint: endpoint, serviceName: "payments", context: context)
        let health: HealthReply = try await client.call(CommonMethod.health, HealthRequest())
        XCTAssertEqual(health.service, "payments")
        XCTAssertGreaterThanOrEqual(health.errors, 4)
        client.close()

        // Logged once per kind, not once per message.
        await service.stop()
        let output = service.output
        let dropped = output.split(separator: "\n").filter { $0.contains("unreadable envelope dropped") }
        XCTAssertEqual(dropped.count, 1, output)
        XCTAssertTrue(output.contains("request for an unknown method"))
    }
}
