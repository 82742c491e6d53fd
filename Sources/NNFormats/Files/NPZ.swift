import NNBase

/// A named little-endian array, for the export formats (`NPZ`, `Safetensors`).
package struct ExportTensor: Equatable, Sendable {
    package enum DType: String, Sendable {
        case f64, f32
        /// Bytes per element.
        package var size: Int { self == .f64 ? 8 : 4 }
        /// NumPy's dtype string (`<f8`, `<f4`).
        var numpy: String { self == .f64 ? "<f8" : "<f4" }
        /// safetensors' dtype (`F64`, `F32`).
        var safetensors: String { self == .f64 ? "F64" : "F32" }
    }

    package var name: String
    package var dtype: DType
    package var shape: [Int]
    /// The elements, row-major, each little-endian: `shape`'s product × `dtype.size` bytes.
    var data: [UInt8]

    package init(name: String, dtype: DType, shape: [Int], data: [UInt8]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }
}

/// NumPy's `.npy` (format 1.0) and `.npz` (a zip of `.npy` files), written without NumPy.
///
/// `.npy`: the magic `\x93NUMPY`, version bytes `01 00`, a u16 little-endian header length
/// H, then H bytes of ASCII header — a Python dict literal
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (395, 785), }` padded with spaces
/// and ended by `\n` so the data starts at a multiple of 64 — then the elements, C order.
///
/// `.npz`: a zip archive (PKWARE APPNOTE 6.3) with one *stored* (uncompressed) member
/// `<name>.npy` per array: local file header, data, then the central directory and the
/// end-of-central-directory record. Times are fixed (1980-01-01 00:00) and no extra fields
/// are written, so the same arrays give the same bytes. Zip64 is not written: a member or
/// archive of 4 GiB or more is refused. `np.load(path)[name]` reads each array back.
package enum NPZ {
    /// One `.npy` file: header for `descr` and `shape`, then `data` (already in that layout).
    static func npy(descr: String, shape: [Int], data: [UInt8]) -> [UInt8] {
        let dims = shape.map(String.init)
        let tuple = dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(tuple), }"
        // 10 bytes of magic, version and length; the newline ends the header.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        appendLE(UInt16(header.utf8.count), to: &out)
        return out + Array(header.utf8) + data
    }

    /// A `.npy` of `tensor`.
    static func npy(_ tensor: ExportTensor) -> [UInt8] {
        npy(descr: tensor.dtype.numpy, shape: tensor.shape, data: tensor.data)
    }

    /// A 0-d `.npy` array of Unicode text (`<U<n>`, UTF-32LE code points), which `np.load`
    /// reads without pickling; `str(array)` gives the text back.
    static func npyString(_ text: String) -> [UInt8] {
        var data: [UInt8] = []
        for scalar in text.unicodeScalars { appendLE(scalar.value, to: &data) }
        return npy(descr: "<U\(max(1, text.unicodeScalars.count))", shape: [], data: text.isEmpty ? [0, 0, 0, 0] : data)
    }

    /// A stored zip archive of `members` (file name, bytes), in the given order.
    static func zip(_ members: [(name: String, bytes: [UInt8])]) throws -> [UInt8] {
        var out: [UInt8] = [], central: [UInt8] = []
        for m in members {
            let name = Array(m.name.utf8)
            let offset = out.count
            guard m.bytes.count < 0xFFFF_FFFF, offset < 0xFFFF_FFFF, name.count <= 0xFFFF else {
                throw NNError("npz: member \(m.name) of \(m.bytes.count) bytes needs zip64, which is not supported")
            }
            let crc = m.bytes.withUnsafeBytes { Gzip.crc32($0) }
            // Fields shared by the local header and the central entry, from "version needed".
            var common: [UInt8] = []
            appendLE(UInt16(20), to: &common)           // version needed: 2.0
            appendLE(UInt16(0), to: &common)            // flags
            appendLE(UInt16(0), to: &common)            // method: stored
            appendLE(UInt16(0), to: &common)            // time 00:00:00
            appendLE(UInt16((0 << 9) | (1 << 5) | 1), to: &common)  // date 1980-01-01
            appendLE(crc, to: &common)
            appendLE(UInt32(m.bytes.count), to: &common) // compressed size
            appendLE(UInt32(m.bytes.count), to: &common) // uncompressed size
            appendLE(UInt16(name.count), to: &common)
            appendLE(UInt16(0), to: &common)            // extra field length
            appendLE(UInt32(0x0403_4B50), to: &out)
            out += common + name + m.bytes
            appendLE(UInt32(0x0201_4B50), to: &central)
            appendLE(UInt16(20), to: &central)          // version made by: 2.0, MS-DOS
            central += common
            appendLE(UInt16(0), to: &central)           // comment length
            appendLE(UInt16(0), to: &central)           // disk number start
            appendLE(UInt16(0), to: &central)           // internal attributes
            appendLE(UInt32(0), to: &central)           // external attributes
            appendLE(UInt32(offset), to: &central)
            central += name
        }
        let directoryOffset = out.count
        guard members.count <= 0xFFFF, directoryOffset < 0xFFFF_FFFF, central.count < 0xFFFF_FFFF else {
            throw NNError("npz: \(members.count) members, \(directoryOffset) bytes: needs zip64, which is not supported")
        }
        out += central
        appendLE(UInt32(0x0605_4B50), to: &out)
        appendLE(UInt16(0), to: &out)                   // this disk
        appendLE(UInt16(0), to: &out)                   // disk with the central directory
        appendLE(UInt16(members.count), to: &out)
        appendLE(UInt16(members.count), to: &out)
        appendLE(UInt32(central.count), to: &out)
        appendLE(UInt32(directoryOffset), to: &out)
        appendLE(UInt16(0), to: &out)                   // comment length
        return out
    }

    /// An `.npz` of `tensors` (members `<name>.npy`) plus the text `metadata` as the 0-d
    /// string array `metadata` (member `metadata.npy`).
    package static func encode(_ tensors: [ExportTensor], metadata: String) throws -> [UInt8] {
        try zip(tensors.map { ($0.name + ".npy", npy($0)) } + [("metadata.npy", npyString(metadata))])
    }
}

/// Appends `v` little-endian.
func appendLE<I: FixedWidthInteger>(_ v: I, to out: inout [UInt8]) {
    withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
}
