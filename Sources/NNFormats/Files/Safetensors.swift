import NNBase

/// The safetensors format (Hugging Face), written without its library:
///
///     u64 little-endian N, the header's length in bytes
///     N bytes  UTF-8 JSON header, padded with spaces to a multiple of 8:
///              {"__metadata__": {"key": "string value", ...},
///               "<tensor name>": {"dtype": "F64", "shape": [395, 785], "data_offsets": [begin, end]}, ...}
///     the byte buffer: each tensor's elements, row-major, little-endian
///
/// `data_offsets` are relative to the start of the byte buffer; the tensors are stored in
/// the given order, back to back, so together they cover the buffer exactly (which readers
/// check). Metadata values must be strings.
package enum Safetensors {
    package static func encode(_ tensors: [ExportTensor], metadata: [(key: String, value: String)]) throws -> [UInt8] {
        var members: [JSONMember] = []
        if !metadata.isEmpty {
            members.append(JSONMember("__metadata__", .object(metadata.map { JSONMember($0.key, .string($0.value)) })))
        }
        var offset = 0
        for t in tensors {
            guard let expected = MemoryBudget.product([t.dtype.size] + t.shape), expected == t.data.count else {
                throw NNError("safetensors: \(t.name) holds \(t.data.count) bytes, not \(t.dtype.rawValue) of shape \(t.shape)")
            }
            guard t.name != "__metadata__", !members.contains(where: { $0.key == t.name }) else {
                throw NNError("safetensors: tensor name \(t.name) is reserved or repeated")
            }
            let end = offset + t.data.count
            members.append(JSONMember(t.name, .object([
                JSONMember("dtype", .string(t.dtype.safetensors)),
                JSONMember("shape", .array(t.shape.map { .int($0) })),
                JSONMember("data_offsets", .array([.int(offset), .int(end)])),
            ])))
            offset = end
        }
        var header = Array(JSONValue.object(members).encoded(pretty: false).utf8)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + offset)
        appendLE(UInt64(header.count), to: &out)
        out += header
        for t in tensors { out += t.data }
        return out
    }
}
