import NNBase

/// The one bound every reader of untrusted input applies (IDX and gzip through
/// `Gzip.forEachChunk` and `IDXArray.readFile`, CSV and JSON through `readFileBytes` (then
/// `CSVTable`, `JSONParser`; `PredictInput.csv` for standard input), PNG and PGM through
/// `readFileBytes` with their format's cap):
///
/// - the file is a regular file (`FileInput`);
/// - its payload — the file itself, or what its gzip members inflate to — can never pass
///   `payloadCeiling`: the file's size when plain, and deflate's largest expansion
///   (1032:1, as zlib documents) of it when gzip'd;
/// - a size a header claims (IDX dimensions, PNG width × height) is checked against that
///   ceiling, against the caller's own cap (a registry pin, a format's largest file) and
///   against physical memory (`MemoryBudget`) *before* anything of that size is allocated;
///   `requireClaim` is that check.
///
/// So a small file cannot make a reader allocate more than a valid file of its size would
/// need: a 291 KB gzip'd IDX claiming 10,000,000 images (7.8 GB) is refused after its
/// 16-byte header, as it can inflate to at most ~300 MB.
package enum InputBound {
    /// deflate's largest expansion: one bit per 258-byte match code and one per distance
    /// code gives 1032 output bytes per input byte (zlib's FAQ: "1032:1").
    static let deflateRatio = 1032
    /// Slack for a stream's first literals and block headers (a few bytes in practice).
    static let deflateSlack = 1 << 10

    /// The most payload bytes a file of `fileSize` bytes can hold: `fileSize` when plain,
    /// `1032 × fileSize + 1 KiB` when gzip'd (saturating at `Int.max`).
    static func payloadCeiling(fileSize: Int, gzip: Bool) -> Int {
        guard gzip else { return fileSize }
        return MemoryBudget.sum([MemoryBudget.product([fileSize, deflateRatio]), deflateSlack]) ?? .max
    }

    /// Throws unless a size claimed by a header (`claimed` bytes; nil when it overflows)
    /// fits in `ceiling` (what the file can hold, `payloadCeiling`), in `maxBytes` (the
    /// caller's cap) and in physical memory. `what` describes the claim
    /// (`IDX u8 of shape [10000000, 28, 28]`); errors name `path`.
    static func requireClaim(_ claimed: Int?, what: String, path: String, fileSize: Int,
                                     gzip: Bool, maxBytes: Int = .max) throws {
        let ceiling = payloadCeiling(fileSize: fileSize, gzip: gzip)
        let size = claimed.map { "\($0) bytes" } ?? "more than \(Int.max) bytes"
        let bytes = claimed ?? .max
        if maxBytes < ceiling, bytes > maxBytes {
            throw NNError("\(path): \(what) declares \(size), more than the \(maxBytes) bytes this file may hold")
        }
        if bytes > ceiling {
            let kind = gzip ? "a gzip file of \(fileSize) bytes inflates to at most \(ceiling)" : "the file has only \(fileSize)"
            throw NNError("\(path): \(what) declares \(size), but \(kind); the file is truncated, damaged or hostile")
        }
        try MemoryBudget.require(claimed, for: "\(path) (\(what))")
    }
}
