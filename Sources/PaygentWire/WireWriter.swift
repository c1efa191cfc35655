/// Where an encoded value goes: the root, an element of an array, a tagged field, or a named one.
enum Slot {
    case root
    case element
    case field(UInt32)
    case named(String)
}

/// The byte buffer behind one encoding, with the stack of containers still open.
///
/// A container is written in place: its header, a one-byte length placeholder, then its content.
/// When it closes, the placeholder becomes the real varint length (shifting the content only
/// when the length needs more than one byte). Containers close in stack order: writing to a
/// container first closes every container opened after it; writing to one already closed is
/// an error (Codable's synthesized code never does this).
final class WireWriter {
    var bytes: [UInt8] = []
    private var open: [(start: Int, serial: Int)] = []
    private var nextSerial = 1
    let maxDepth: Int
    /// The first error raised where Codable gives no way to throw (opening a container).
    private(set) var failure: WireError?

    func `defer`(_ error: WireError) {
        if failure == nil { failure = error }
    }

    init(maxDepth: Int, capacity: Int = 128) {
        self.maxDepth = maxDepth
        bytes.reserveCapacity(capacity)
    }

    // MARK: primitives

    @inline(__always)
    func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    @inline(__always)
    func fixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    func fixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    func header(_ slot: Slot, _ type: WireType) {
        switch slot {
        case .root, .element:
            bytes.append(type.rawValue)
        case .field(let tag):
            varint(UInt64(tag) << 3 | UInt64(type.rawValue))
        case .named(let name):
            let utf8 = name.utf8
            varint(UInt64(utf8.count) << 3 | UInt64(WireType.named.rawValue))
            bytes.append(contentsOf: utf8)
            bytes.append(type.rawValue)
        }
    }

    @inline(__always)
    func blob(_ slot: Slot, _ payload: some Collection<UInt8>) {
        header(slot, .bytes)
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    func string(_ slot: Slot, _ value: String) {
        var value = value
        value.withUTF8 { blob(slot, $0) }
    }

    // MARK: containers

    /// Opens a length-prefixed container in `slot`; returns its serial.
    func openContainer(_ slot: Slot, path: @autoclosure () -> String) throws(WireError) -> Int {
        guard open.count < maxDepth else {
            throw WireError(.depthExceeded, path: path(), "nesting deeper than \(maxDepth)")
        }
        header(slot, .bytes)
        bytes.append(0)
        let serial = nextSerial
        nextSerial += 1
        open.append((bytes.count, serial))
        return serial
    }

    /// Makes `serial` the innermost open container, closing those opened after it.
    /// Serial 0 stands for the root level (outside every container).
    @inline(__always)
    func focus(_ serial: Int, path: @autoclosure () -> String) throws(WireError) {
        if let failure { throw failure }
        if let top = open.last, top.serial == serial { return }
        if serial == 0 && open.isEmpty { return }
        guard serial == 0 || open.contains(where: { $0.serial == serial }) else {
            throw WireError(.invalidEncoding, path: path(), "container written after it was closed")
        }
        while let top = open.last, top.serial != serial {
            close()
        }
    }

    /// Closes every open container.
    func finish() {
        while !open.isEmpty { close() }
    }

    var depth: Int { open.count }

    private func close() {
        let (start, _) = open.removeLast()
        let length = bytes.count - start
        if length < 0x80 {
            bytes[start - 1] = UInt8(length)
            return
        }
        var prefix: [UInt8] = []
        var v = UInt64(length)
        while v >= 0x80 {
            prefix.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        prefix.append(UInt8(truncatingIfNeeded: v))
        // Only outer containers remain open and they start earlier, so nothing else moves.
        bytes.replaceSubrange((start - 1)..<start, with: prefix)
    }
}
