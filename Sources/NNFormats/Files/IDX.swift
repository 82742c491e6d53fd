import Foundation
import NNBase

/// Element types of the IDX format (the third byte of the magic number).
package enum IDXType: UInt8, Sendable, CaseIterable {
    case u8 = 0x08, i8 = 0x09, i16 = 0x0B, i32 = 0x0C, f32 = 0x0D, f64 = 0x0E

    /// Bytes per element.
    var size: Int {
        switch self {
        case .u8, .i8: return 1
        case .i16: return 2
        case .i32, .f32: return 4
        case .f64: return 8
        }
    }

    package var name: String {
        switch self {
        case .u8: return "u8"
        case .i8: return "i8"
        case .i16: return "i16"
        case .i32: return "i32"
        case .f32: return "f32"
        case .f64: return "f64"
        }
    }
}

/// An IDX array: `00 00 <type> <rank>`, then `rank` big-endian UInt32 dimensions, then the
/// elements in row-major order, each big-endian. `payload` holds the element bytes exactly
/// as stored (big-endian); the accessors convert.
package struct IDXArray: Equatable, Sendable {
    var type: IDXType
    var shape: [Int]
    var payload: [UInt8]

    var count: Int { shape.reduce(1, *) }

    init(type: IDXType, shape: [Int], payload: [UInt8]) {
        self.type = type
        self.shape = shape
        self.payload = payload
    }

    /// A u8 array (MNIST's pixels and labels).
    package init(u8 values: [UInt8], shape: [Int]) {
        self.init(type: .u8, shape: shape, payload: values)
    }

    /// Element `i` (flat, row-major) as a Double.
    @inline(__always)
    func value(at i: Int) -> Double {
        payload.withUnsafeBytes { raw in
            let o = i * type.size
            switch type {
            case .u8: return Double(raw[o])
            case .i8: return Double(Int8(bitPattern: raw[o]))
            case .i16: return Double(Int16(bigEndian: raw.loadUnaligned(fromByteOffset: o, as: Int16.self)))
            case .i32: return Double(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: o, as: Int32.self)))
            case .f32: return Double(Float(bitPattern: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self))))
            case .f64: return Double(bitPattern: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
            }
        }
    }

    /// All elements as doubles.
    func doubles() -> [Double] {
        if type == .u8 { return payload.map { Double($0) } }
        return (0..<count).map { value(at: $0) }
    }

    /// The serialised file: header then payload.
    package func encoded() -> [UInt8] {
        var out: [UInt8] = [0, 0, type.rawValue, UInt8(shape.count)]
        out.reserveCapacity(4 + 4 * shape.count + payload.count)
        for d in shape { withUnsafeBytes(of: UInt32(d).bigEndian) { out.append(contentsOf: $0) } }
        out.append(contentsOf: payload)
        return out
    }

    /// Writes the (uncompressed) IDX file atomically.
    func write(to path: String) throws {
        try AtomicFile.write(encoded(), to: path)
    }

    /// Parses IDX bytes (already decompressed). `name` is used in error messages.
    static func decode(_ bytes: [UInt8], name: String) throws -> IDXArray {
        let header = try IDXHeader.parse(bytes, name: name)
        try header.checkPayload(bytes.count - header.size, name: name)
        return IDXArray(type: header.type, shape: header.shape, payload: Array(bytes[header.size...]))
    }

    /// Reads an IDX file, gzip'd (sniffed by its magic) or plain, of at most `maxBytes`
    /// (header included; see `readFile`).
    static func read(path: String, maxBytes: Int = .max) throws -> IDXArray {
        try decode(readFile(path: path, maxBytes: maxBytes), name: path)
    }

    /// The decompressed bytes (header and payload) of the IDX file at `path`, each chunk
    /// also passed to `observe` (e.g. a hasher). What is checked, while reading:
    /// - the file is a regular file (`FileInput`);
    /// - the payload never passes `maxBytes` (the registry's pinned size, when known), nor
    ///   what a file of its size can hold (`InputBound`);
    /// - once the header is in, its dimensions fix the file's size (overflow-checked),
    ///   which must fit in `maxBytes`, in what the file's size can hold and in physical
    ///   memory (`InputBound.requireClaim`), and `accept` may refuse the header (a caller's
    ///   own shape or memory check), all before anything of that size is allocated;
    ///   reading stops as soon as the data runs past it.
    /// A short file, or a bad header when `maxBytes` bounds the read, is left for
    /// `IDXHeader.parse` / `checkPayload` to report.
    package static func readFile(path: String, maxBytes: Int = .max,
                                 accept: (IDXHeader) throws -> Void = { _ in },
                                 observe: (UnsafeRawBufferPointer) -> Void = { _ in }) throws -> [UInt8] {
        try load(path: path, maxBytes: maxBytes, keepHeader: true, accept: accept, observe: observe).bytes
    }

    /// The header and the payload alone (no copy of the header's bytes in front) of the IDX
    /// file at `path`, checked as `readFile` does and then by `checkPayload`: memory is the
    /// payload's size, nothing more.
    package static func readPayload(path: String, maxBytes: Int = .max,
                                    accept: (IDXHeader) throws -> Void = { _ in }) throws -> (header: IDXHeader, payload: [UInt8]) {
        let (header, bytes) = try load(path: path, maxBytes: maxBytes, keepHeader: false, accept: accept, observe: { _ in })
        guard let header else {
            _ = try IDXHeader.parse(bytes, name: path)   // reports why
            throw NNError("\(path): not an IDX file")
        }
        try header.checkPayload(bytes.count, name: path)
        return (header, bytes)
    }

    /// `readFile`'s reader: the header once parsed (nil for a file too short for it, or
    /// a bad header under a pin), and the bytes (without the header's with `keepHeader`
    /// false, once it is parsed).
    private static func load(path: String, maxBytes: Int, keepHeader: Bool, accept: (IDXHeader) throws -> Void,
                             observe: (UnsafeRawBufferPointer) -> Void) throws -> (header: IDXHeader?, bytes: [UInt8]) {
        var bytes = [UInt8]()
        var limit = maxBytes, received = 0
        var header: IDXHeader?
        var headerSeen = false
        var fileSize = 0, gzip = false
        try Gzip.forEachChunk(path: path, maxBytes: maxBytes, start: { fileSize = $0; gzip = $1 }) { chunk in
            observe(chunk)
            received += chunk.count
            if received > limit {
                throw NNError("\(path): IDX data runs past the \(limit) bytes its header declares; stopped reading")
            }
            bytes.append(contentsOf: chunk)
            guard !headerSeen, bytes.count >= 4, bytes.count >= 4 + 4 * Int(bytes[3]) else { return }
            headerSeen = true
            // A bad header is reported by the caller's checks (a pinned file's size and
            // SHA-256 come first); with no pin to bound the read it is reported now.
            guard let parsed = try? IDXHeader.parse(bytes, name: path) else {
                if maxBytes == .max { _ = try IDXHeader.parse(bytes, name: path) }
                return
            }
            let total = MemoryBudget.sum([parsed.size, parsed.payloadBytes])
            try InputBound.requireClaim(total, what: "IDX header of \(parsed.type.name) of shape \(parsed.shape)", path: path,
                                        fileSize: fileSize, gzip: gzip, maxBytes: maxBytes)
            try accept(parsed)
            header = parsed
            limit = total ?? .max
            if received > limit {
                throw NNError("\(path): IDX data runs past the \(limit) bytes its header declares; stopped reading")
            }
            // Exactly what the header declares, which a file of this size can hold: pages
            // the data never fills (a truncated file) are never touched.
            var exact = [UInt8]()
            exact.reserveCapacity(keepHeader ? limit : limit - parsed.size)
            exact.append(contentsOf: keepHeader ? bytes[...] : bytes[parsed.size...])
            bytes = exact
        }
        return (header, bytes)
    }
}

/// The header of an IDX file: `00 00 <type> <rank>` then `rank` big-endian UInt32 dimensions.
package struct IDXHeader: Equatable, Sendable {
    package var type: IDXType
    package var shape: [Int]

    /// Header bytes before the payload: 4 + 4 * rank.
    package var size: Int { 4 + 4 * shape.count }
    /// Payload bytes the dimensions require: element size times the product of dimensions
    /// (`Int.max` if that overflows; `parse` refuses such headers).
    var payloadBytes: Int { MemoryBudget.product([type.size] + shape) ?? .max }

    /// Parses the header at the start of `bytes` (which may go on with the payload).
    /// Throws an `NNError` naming `name` for a bad magic, an unknown type code, a file
    /// too short for its header or dimensions whose byte count overflows.
    package static func parse(_ bytes: [UInt8], name: String) throws -> IDXHeader {
        guard bytes.count >= 4 else { throw NNError("\(name): too short to be an IDX file (\(bytes.count) bytes)") }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw NNError("\(name): bad IDX magic \(hex(bytes[0..<4])) (expected 00 00 <type> <rank>)")
        }
        guard let type = IDXType(rawValue: bytes[2]) else {
            throw NNError("\(name): unknown IDX element type code 0x\(String(bytes[2], radix: 16, uppercase: true))")
        }
        let rank = Int(bytes[3])
        guard bytes.count >= 4 + 4 * rank else {
            throw NNError("\(name): IDX header declares rank \(rank) but the file ends after \(bytes.count) bytes")
        }
        var shape = [Int]()
        var expected = type.size
        for r in 0..<rank {
            let o = 4 + 4 * r
            let d = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            shape.append(d)
            let (m, overflow) = expected.multipliedReportingOverflow(by: d)
            if overflow { throw NNError("\(name): IDX dimensions \(shape) are too large") }
            expected = m
        }
        return IDXHeader(type: type, shape: shape)
    }

    /// Throws unless `actual` (bytes after the header) is exactly `payloadBytes`.
    package func checkPayload(_ actual: Int, name: String) throws {
        let expected = payloadBytes
        if actual < expected {
            throw NNError("\(name): IDX payload is \(actual) bytes, shorter than the \(expected) that dimensions \(shape) of \(type.name) require")
        }
        if actual > expected {
            throw NNError("\(name): IDX payload is \(actual) bytes, longer than the \(expected) that dimensions \(shape) of \(type.name) require")
        }
    }

    private static func hex(_ b: ArraySlice<UInt8>) -> String {
        b.map { String(format: "%02x", $0) }.joined(separator: " ")
    }
}
