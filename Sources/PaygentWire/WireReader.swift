/// The location of one encoded value inside a message: its wire type and payload range.
/// For `.varint` the range covers the varint bytes; for `.bytes` it covers the payload only.
struct ValueRef {
    var type: WireType
    var start: Int
    var end: Int
}

/// Bounds-checked reads over a received message. Every read checks the bytes that remain
/// before it looks at them, and every length is checked before it is used.
final class WireReader {
    let bytes: [UInt8]
    let limits: WireLimits

    init(bytes: [UInt8], limits: WireLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    @inline(__always)
    func varint(at position: inout Int, end: Int, path: @autoclosure () -> String) throws(WireError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else {
                throw WireError(.truncated, path: path(), "varint cut short")
            }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 {
                throw WireError(.malformedVarint, path: path(), "varint overflows 64 bits")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 {
                throw WireError(.malformedVarint, path: path(), "varint longer than 10 bytes")
            }
        }
    }

    /// Reads the payload of a value of `type` starting at `position`, advancing past it.
    @inline(__always)
    func value(_ type: WireType, at position: inout Int, end: Int, path: @autoclosure () -> String) throws(WireError) -> ValueRef {
        let start = position
        switch type {
        case .varint:
            _ = try varint(at: &position, end: end, path: path())
            return ValueRef(type: .varint, start: start, end: position)
        case .fixed64:
            guard end - position >= 8 else { throw WireError(.truncated, path: path(), "fixed64 cut short") }
            position += 8
            return ValueRef(type: .fixed64, start: start, end: position)
        case .fixed32:
            guard end - position >= 4 else { throw WireError(.truncated, path: path(), "fixed32 cut short") }
            position += 4
            return ValueRef(type: .fixed32, start: start, end: position)
        case .null:
            return ValueRef(type: .null, start: start, end: start)
        case .bytes:
            let length = try varint(at: &position, end: end, path: path())
            guard length <= UInt64(end - position) else {
                throw WireError(.truncated, path: path(), "length \(length) exceeds the \(end - position) bytes left")
            }
            let payloadStart = position
            position += Int(length)
            return ValueRef(type: .bytes, start: payloadStart, end: position)
        case .named:
            throw WireError(.unknownWireType, path: path(), "named value outside a keyed container")
        }
    }

    /// Reads a type byte and the value after it (a root value or an array element).
    @inline(__always)
    func typedValue(at position: inout Int, end: Int, path: @autoclosure () -> String) throws(WireError) -> ValueRef {
        guard position < end else { throw WireError(.truncated, path: path(), "value expected") }
        let raw = bytes[position]
        guard let type = WireType(rawValue: raw), type != .named else {
            throw WireError(.unknownWireType, path: path(), "wire type \(raw)")
        }
        position += 1
        return try value(type, at: &position, end: end, path: path())
    }

    // MARK: payload readers

    @inline(__always)
    func unsigned(_ ref: ValueRef, path: @autoclosure () -> String) throws(WireError) -> UInt64 {
        guard ref.type == .varint else {
            throw WireError(.typeMismatch, path: path(), "expected varint, found \(ref.type)")
        }
        var position = ref.start
        return try varint(at: &position, end: ref.end, path: path())
    }

    @inline(__always)
    func signed(_ ref: ValueRef, path: @autoclosure () -> String) throws(WireError) -> Int64 {
        unzigzag(try unsigned(ref, path: path()))
    }

    @inline(__always)
    func fixed64(_ ref: ValueRef, path: @autoclosure () -> String) throws(WireError) -> UInt64 {
        guard ref.type == .fixed64 else {
            throw WireError(.typeMismatch, path: path(), "expected fixed64, found \(ref.type)")
        }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[ref.start + i]) << (8 * UInt64(i)) }
        return v
    }

    @inline(__always)
    func fixed32(_ ref: ValueRef, path: @autoclosure () -> String) throws(WireError) -> UInt32 {
        guard ref.type == .fixed32 else {
            throw WireError(.typeMismatch, path: path(), "expected fixed32, found \(ref.type)")
        }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[ref.start + i]) << (8 * UInt32(i)) }
        return v
    }

    @inline(__always)
    func blob(_ ref: ValueRef, path: @autoclosure () -> String) throws(WireError) -> ArraySlice<UInt8> {
        guard ref.type == .bytes else {
            throw WireError(.typeMismatch, path: path(), "expected bytes, found \(ref.type)")
        }
        guard ref.end - ref.start <= limits.maxStringBytes else {
            throw WireError(.limitExceeded, path: path(), "\(ref.end - ref.start) bytes exceeds \(limits.maxStringBytes)")
        }
        return bytes[ref.start..<ref.end]
    }

    @inline(__always)
    func string(_ ref: ValueRef, path: @autoclosure () -> String) throws(WireError) -> String {
        _ = try blob(ref, path: path())
        let text = bytes.withUnsafeBufferPointer { buffer -> String? in
            let utf8 = UnsafeBufferPointer(rebasing: buffer[ref.start..<ref.end])
            // Most strings on our wire are ASCII (addresses, ids, names): those need no decoding.
            if isASCII(utf8) { return String(decoding: utf8, as: UTF8.self) }
            return String(validating: utf8, as: UTF8.self)
        }
        guard let text else { throw WireError(.invalidUTF8, path: path()) }
        return text
    }
}

/// True if every byte is below 0x80; checks eight bytes at a time.
@inline(__always)
func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    let raw = UnsafeRawPointer(base)
    var index = 0
    let count = bytes.count
    while index + 8 <= count {
        if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
        index += 8
    }
    while index < count {
        if bytes[index] >= 0x80 { return false }
        index += 1
    }
    return true
}
