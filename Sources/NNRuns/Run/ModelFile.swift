import Foundation
import NNBase
import NNKernel
import NNFormats

/// The model file format (`model.nnm`), little-endian:
///
///     offset 0   8 bytes  magic "NNMODEL1"
///     offset 8   u32      header length H
///     offset 12  H bytes  header: UTF-8 JSON, sorted keys —
///                         {"activations":[...],"format":1,"gradient":"notebook","loss":"bce",
///                          "precision":"f64","sizes":[785,...,1]}
///     then, for each layer in order: W (out × in, row-major), then b (out);
///     each element an IEEE-754 binary64 (f64) or binary32 (f32) as the header says.
///
/// Writing then reading gives the same weights bit for bit, and the same network gives the
/// same bytes.
enum ModelFile {
    static let magic = Array("NNMODEL1".utf8)

    struct Header: Codable {
        var format: Int
        var precision: String
        var sizes: [Int]
        var activations: [Activation]
        var loss: LossKind
        var gradient: GradientPath
    }

    static func encode<T: NNScalar>(_ net: Network<T>) throws -> [UInt8] {
        let a = net.architecture
        let header = Header(format: 1, precision: T.precisionName, sizes: a.sizes, activations: a.activations,
                            loss: a.loss, gradient: a.gradient)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let h = Array(try e.encode(header))
        var out = magic
        withUnsafeBytes(of: UInt32(h.count).littleEndian) { out.append(contentsOf: $0) }
        out += h
        for p in net.parameters {
            for v in UnsafeBufferPointer(p.value.storage) { appendLE(v, to: &out) }
        }
        return out
    }

    static func appendLE<T: NNScalar>(_ v: T, to out: inout [UInt8]) {
        if let d = v as? Double { withUnsafeBytes(of: d.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        else if let f = v as? Float { withUnsafeBytes(of: f.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
    }

    static func write<T: NNScalar>(_ net: Network<T>, to path: String) throws {
        try AtomicFile.write(try encode(net), to: path)
    }

    /// The header and body of a model file. Checked before anything is allocated: the
    /// file is a regular file within physical memory, the magic, a header length inside
    /// the file, a JSON header of format 1.
    static func parse(path: String) throws -> (header: Header, body: [UInt8]) {
        let bytes = try readFileBytes(path)
        guard bytes.count >= 12, Array(bytes[0..<8]) == magic else { throw NNError("\(path): not an nn model file (bad magic)") }
        guard let (header, body) = split(bytes, as: Header.self) else { throw NNError("\(path): corrupt model header") }
        guard header.format == 1 else { throw NNError("\(path): unsupported model format \(header.format)") }
        return (header, body)
    }

    /// A file of 8 bytes of magic, a u32 header length H, H bytes of JSON header and a body
    /// (the model file, `Checkpoint`): the decoded header and the body; nil when the length
    /// is out of the file or the header does not decode.
    static func split<H: Decodable>(_ bytes: [UInt8], as: H.Type) -> (H, [UInt8])? {
        guard bytes.count >= 12 else { return nil }
        let hlen = Int(UInt32(bytes[8]) | UInt32(bytes[9]) << 8 | UInt32(bytes[10]) << 16 | UInt32(bytes[11]) << 24)
        guard hlen <= bytes.count - 12, let header = try? JSONDecoder().decode(H.self, from: Data(bytes[12..<(12 + hlen)])) else {
            return nil
        }
        return (header, Array(bytes[(12 + hlen)...]))
    }

    /// Reads a model in precision `T`; the file's precision must match. The header's
    /// architecture must be valid and its parameter count (overflow-checked) times the
    /// element size must equal the body's size exactly — checked before the network is
    /// allocated; every weight must be finite (a diverged model is never loaded).
    static func read<T: NNScalar>(path: String, as: T.Type) throws -> Network<T> {
        let (h, body) = try parse(path: path)
        guard h.precision == T.precisionName else {
            throw NNError("\(path): model is \(h.precision), expected \(T.precisionName)")
        }
        let arch = Architecture(sizes: h.sizes, activations: h.activations, loss: h.loss, gradient: h.gradient)
        do { try arch.validate() } catch {
            throw NNError("\(path): invalid architecture in model header: \(error.key == "layers" ? "sizes" : error.key): \(error.problem)")
        }
        let size = MemoryLayout<T>.size
        let expected = arch.checkedParameterCount.flatMap { MemoryBudget.product([$0, size]) }
        guard body.count == expected else {
            let need = expected.map { "\($0)" } ?? "more than \(Int.max)"
            throw NNError("\(path): model body is \(body.count) bytes, but header sizes \(h.sizes) need \(need)")
        }
        try arch.requireMemory(scalarBytes: size, what: path)
        let net = Network<T>(architecture: arch)
        var offset = 0
        body.withUnsafeBytes { raw in
            for p in net.parameters {
                let m = p.value
                for i in 0..<m.count {
                    if T.self == Double.self {
                        m.storage[i] = T(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))))
                    } else {
                        m.storage[i] = T(Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))))
                    }
                    offset += size
                }
            }
        }
        guard net.parametersAreFinite else {
            throw NNError("\(path): the model holds non-finite weights (NaN or infinity); it is damaged or from a diverged run")
        }
        // Above √max, products of two weights overflow: the outputs are not finite (or saturated),
        // whatever the BLAS kernels make of inf − inf; training never keeps such weights.
        guard net.parametersAreUsable else {
            throw NNError("\(path): the model holds weights above √max (\(NumberText.real(Network<T>.usableMagnitude.double))), so its outputs are not finite; it is damaged or from a diverged run")
        }
        return net
    }
}
