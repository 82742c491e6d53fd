import CZlib
import Foundation
import NNBase

/// Streaming gzip decompression through zlib (the only file that imports zlib).
///
/// Files are sniffed by the gzip magic bytes `1f 8b`: a gzip file is inflated member by
/// member (multi-member files, as `cat a.gz b.gz` makes, are concatenated), anything else
/// is passed through as plain bytes. zlib checks each member's CRC-32 and ISIZE trailer;
/// a mismatch, a corrupt deflate stream or a file that ends mid-member is an `NNError`
/// naming the file.
enum Gzip {
    static let magic: [UInt8] = [0x1f, 0x8b]
    static let chunkSize = 1 << 20

    /// True when the file at `path` starts with the gzip magic bytes.
    static func isGzip(path: String) throws -> Bool {
        let fh = try openForReading(path)
        defer { try? fh.close() }
        let head = try fh.read(upToCount: 2) ?? Data()
        return Array(head) == magic
    }

    /// Calls `body` with successive chunks of the file's payload: the decompressed bytes
    /// of a gzip file, or the file's own bytes otherwise.
    ///
    /// `maxBytes` is the most payload the caller accepts (what the registry pins or the
    /// format allows): as soon as the payload would pass it, reading stops with an error
    /// naming the file, so a gzip bomb never inflates further than `maxBytes` (+1 byte).
    ///
    /// Before the first chunk, `start` is told the file's size and whether it is gzip'd, so
    /// a caller can bound a header's claim by `InputBound.payloadCeiling`; the payload itself
    /// never passes that ceiling either (`InputBound`).
    static func forEachChunk(path: String, maxBytes: Int = .max,
                             start: (_ fileSize: Int, _ gzip: Bool) throws -> Void = { _, _ in },
                             _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let (fd, fileSize) = try FileInput.openRegular(path)
        let fh = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        defer { try? fh.close() }
        var total = 0
        var first = try readChunk(fh, path: path)
        let gzip = first.count >= 2 && first[0] == magic[0] && first[1] == magic[1]
        try start(fileSize, gzip)
        // A plain file that grows while being read is cut at the size it had when opened.
        let ceiling = InputBound.payloadCeiling(fileSize: fileSize, gzip: gzip)
        let maxBytes = min(maxBytes, ceiling)
        func deliver(_ chunk: UnsafeRawBufferPointer) throws {
            total += chunk.count
            if total > maxBytes {
                let most = maxBytes == ceiling && gzip ? "deflate's largest expansion of a \(fileSize)-byte file" : "the most this file may hold"
                throw NNError("\(path): payload is more than \(maxBytes) bytes, \(most); stopped reading (wrong file, or a gzip bomb)")
            }
            try body(chunk)
        }
        if gzip {
            try inflate(fh: fh, firstChunk: first, path: path, maxBytes: maxBytes, deliver)
        } else {
            while !first.isEmpty {
                try first.withUnsafeBytes { try deliver($0) }
                first = try readChunk(fh, path: path)
            }
        }
    }

    /// The CRC-32 (ISO 3309, as zip and gzip use) of `bytes`, through zlib's `crc32`.
    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CZlib.crc32(0, nil, 0)
        var offset = 0
        while offset < bytes.count {
            // zlib takes a 32-bit length: feed at most 1 GiB at a time.
            let n = min(bytes.count - offset, 1 << 30)
            crc = CZlib.crc32(crc, bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(n))
            offset += n
        }
        return UInt32(crc)
    }

    // MARK: - Internals

    /// Opens a regular file (a FIFO, device or directory is refused; see `FileInput`).
    static func openForReading(_ path: String) throws -> FileHandle {
        try FileInput.handle(path)
    }

    static func readChunk(_ fh: FileHandle, path: String) throws -> [UInt8] {
        do {
            return Array(try fh.read(upToCount: chunkSize) ?? Data())
        } catch {
            throw NNError("\(path): read error: \(error.localizedDescription)")
        }
    }

    /// Inflates member by member; the output window is never larger than what is left of
    /// `maxBytes` plus one byte, so a bomb is caught after at most one byte too many.
    private static func inflate(fh: FileHandle, firstChunk: [UInt8], path: String, maxBytes: Int,
                                _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var stream = z_stream()
        guard nn_inflateInit2(&stream, 15 + 16) == Z_OK else {
            throw NNError("\(path): cannot initialise zlib inflate")
        }
        defer { inflateEnd(&stream) }
        var input = firstChunk
        var inputOffset = 0
        var output = [UInt8](repeating: 0, count: chunkSize)
        var inMember = true  // inside a gzip member whose end we have not yet seen
        var delivered = 0
        var eof = false
        while true {
            if inputOffset == input.count {
                if eof { break }
                input = try readChunk(fh, path: path)
                inputOffset = 0
                if input.isEmpty { eof = true; break }
            }
            if !inMember {
                // Between members: another member must start with the magic bytes; trailing
                // zero padding (as some tools write) is accepted and ignored.
                let rest = input[inputOffset...]
                if rest.allSatisfy({ $0 == 0 }) { inputOffset = input.count; continue }
                guard rest.first == magic[0] else {
                    throw NNError("\(path): trailing garbage after gzip member")
                }
                guard inflateReset(&stream) == Z_OK else { throw NNError("\(path): zlib reset failed") }
                inMember = true
            }
            var rc: Int32 = Z_OK
            var produced = 0
            input.withUnsafeMutableBufferPointer { inBuf in
                output.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_in = inBuf.baseAddress! + inputOffset
                    stream.avail_in = uInt(inBuf.count - inputOffset)
                    let left = maxBytes - delivered
                    let window = left < outBuf.count ? left + 1 : outBuf.count
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(window)
                    rc = CZlib.inflate(&stream, Z_NO_FLUSH)
                    produced = window - Int(stream.avail_out)
                    inputOffset = inBuf.count - Int(stream.avail_in)
                }
            }
            if produced > 0 {
                delivered += produced
                try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            }
            switch rc {
            case Z_OK:
                continue
            case Z_STREAM_END:
                inMember = false
            case Z_BUF_ERROR:
                // No progress possible: needs more input (handled at loop top) or is stuck.
                if inputOffset < input.count && produced == 0 {
                    throw NNError("\(path): corrupt gzip stream")
                }
            case Z_DATA_ERROR:
                let msg = stream.msg.map { String(cString: $0) } ?? "corrupt data"
                if msg.contains("length") {
                    throw NNError("\(path): gzip length mismatch (\(msg)); the file is corrupt")
                } else if msg.contains("check") {
                    throw NNError("\(path): gzip CRC-32 mismatch (\(msg)); the file is corrupt")
                }
                throw NNError("\(path): corrupt gzip stream (\(msg))")
            case Z_MEM_ERROR:
                throw NNError("\(path): out of memory while inflating")
            default:
                throw NNError("\(path): zlib inflate error \(rc)")
            }
        }
        if inMember {
            throw NNError("\(path): truncated gzip stream (file ends before the end of the compressed data)")
        }
    }
}
