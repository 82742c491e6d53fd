import Foundation
import NNBase
import NNKernel
import NNFormats

/// A run's checkpoint, `checkpoint.nnc`: everything training needs to continue exactly
/// where it was — the weights, the optimiser's state (step count, velocity, moments), the
/// generator's state (mini-batch order), the history so far and the validation state
/// (with the best weights for keep_best). Written atomically every `checkpoint_every`
/// epochs and after the last one; `nn train --resume` reads it (`RunResume`).
///
///     offset 0   8 bytes  magic "NNCKPT01"
///     offset 8   u32      header length H (little-endian)
///     offset 12  H bytes  header: UTF-8 JSON (`Header`): precision, sizes, optimizer, the
///                         epoch, the optimiser's step, the generator's position and cached
///                         Gaussian, the history and validation records (every double as
///                         its IEEE-754 bit pattern in hex, so it round-trips exactly), the
///                         SHA-256 of the configuration and of the payload
///     then the payload, little-endian: the generator's 624 u32 words; each parameter's
///     values (W₁, b₁, W₂, …); momentum's / Adam's m of each; Adam's v of each; the best
///     weights when keep_best has them.
///
/// Reading checks everything before allocating: sizes (overflow-checked) against the
/// payload's length, the payload's digest, and the configuration it belongs to.
struct Checkpoint<T: NNScalar> {
    static var magic: [UInt8] { Array("NNCKPT01".utf8) }

    var configSHA256: String
    var weights: [[T]]
    var optimizer: OptimizerState<T>
    var rng: MT19937.State
    var history: [EpochRecord]
    var validation: ValidationState?
    var bestWeights: [[T]]?

    var epoch: Int { history.last?.epoch ?? 0 }

    struct Header: Codable {
        var format: Int
        var precision: String
        var sizes: [Int]
        var optimizer: String
        var step: Int
        var rngPosition: Int
        var rngGaussian: String?
        /// [epoch, loss bits, seconds bits] per epoch.
        var history: [[String]]
        /// [epoch, loss bits or "", metric bits or ""] per epoch, with validation only.
        var validation: [[String]]?
        var bestEpoch: Int?
        var bestValue: String?
        var sinceBest: Int?
        var stoppedEarly: Bool?
        var hasBestWeights: Bool
        var configSHA256: String
        var payloadSHA256: String
        /// The configuration of `configSHA256` (compact JSON), so a mismatch can say which
        /// keys differ; absent in checkpoints written before it was recorded.
        var config: String?
        /// What code produced the checkpoint (`CodePath`); absent in older checkpoints.
        var code: CodePath?
    }

    /// The configuration a checkpoint belongs to: everything but `epochs` (a run is extended
    /// by more epochs) and `checkpoint_every` (which does not change results).
    static func configDigest(_ config: ExperimentConfig) -> String {
        Checksum.sha256(Array(configText(config).utf8))
    }

    /// The text `configDigest` hashes: the configuration without `epochs` and
    /// `checkpoint_every`, compact JSON with sorted keys.
    static func configText(_ config: ExperimentConfig) -> String {
        var c = config
        c.epochs = ExperimentConfig().epochs
        c.checkpointEvery = ExperimentConfig().checkpointEvery
        return JSONValue.sortedObject(c.jsonObject()).encoded(pretty: false)
    }

    /// The keys whose values differ between the configuration texts `recorded` (the
    /// checkpoint's) and `now`, as `key A in the checkpoint, B in config.json`.
    static func configDifferences(recorded: String, now: String) -> [String] {
        guard let a = try? JSONValue.parse(bytes: Array(recorded.utf8), name: "checkpoint"),
              let b = try? JSONValue.parse(bytes: Array(now.utf8), name: "config") else { return [] }
        let old = [String: String](a.flattened().map { ($0.key, $0.value.text) }, uniquingKeysWith: { x, _ in x })
        let new = [String: String](b.flattened().map { ($0.key, $0.value.text) }, uniquingKeysWith: { x, _ in x })
        return Set(old.keys).union(new.keys).sorted().compactMap { key in
            old[key] == new[key] ? nil : "\(key) \(old[key] ?? "(none)") in the checkpoint, \(new[key] ?? "(none)") in config.json"
        }
    }

    /// Element counts of the parameters of `sizes` (W, b per layer), nil on overflow.
    static func parameterCounts(_ sizes: [Int]) -> [Int]? {
        var out: [Int] = []
        for (i, o) in zip(sizes, sizes.dropFirst()) {
            guard let w = MemoryBudget.product([o, i]) else { return nil }
            out += [w, o]
        }
        return out
    }

    func encode(sizes: [Int], kind: OptimizerKind, config: String?, code: CodePath?) throws -> [UInt8] {
        var payload: [UInt8] = []
        for w in rng.key { withUnsafeBytes(of: w.littleEndian) { payload.append(contentsOf: $0) } }
        for block in weights + optimizer.m + optimizer.v + (bestWeights ?? []) {
            for v in block { ModelFile.appendLE(v, to: &payload) }
        }
        let bits = { (d: Double) in String(d.bitPattern, radix: 16) }
        let header = Header(
            format: 1, precision: T.precisionName, sizes: sizes, optimizer: kind.rawValue, step: optimizer.step,
            rngPosition: rng.position, rngGaussian: rng.cachedGaussian.map(bits),
            history: history.map { [String($0.epoch), bits($0.loss), bits($0.seconds)] },
            validation: validation?.records.map { [String($0.epoch), $0.loss.map(bits) ?? "", $0.metric.map(bits) ?? ""] },
            bestEpoch: validation?.bestEpoch, bestValue: validation?.bestValue.map(bits), sinceBest: validation?.sinceBest,
            stoppedEarly: validation?.stoppedEarly, hasBestWeights: bestWeights != nil,
            configSHA256: configSHA256, payloadSHA256: Checksum.sha256(payload), config: config, code: code)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let h = Array(try e.encode(header))
        var out = Self.magic
        withUnsafeBytes(of: UInt32(h.count).littleEndian) { out.append(contentsOf: $0) }
        return out + h + payload
    }

    /// Writes the checkpoint for `config` trained on `code` atomically (the temporary name
    /// is `AtomicFile`'s, which the next command in the directory removes if a kill left it).
    func write(to path: String, config: ExperimentConfig, code: CodePath) throws {
        try AtomicFile.write(try encode(sizes: config.layers, kind: config.optimizer, config: Self.configText(config), code: code),
                             to: path)
    }

    /// Reads the checkpoint at `path` for `config` on `code` (nil: any code path); any damage
    /// or mismatch is a one-line error naming the file and, for a mismatch, what differs.
    /// The file is only read, never changed or removed, whatever is wrong with it.
    static func read(path: String, config: ExperimentConfig, code: CodePath? = nil) throws -> Checkpoint {
        func bad(_ why: String) -> NNError { NNError("\(path): damaged or foreign checkpoint (\(why)); train the run again") }
        let bytes = try readFileBytes(path)
        guard bytes.count >= 12, Array(bytes[0..<8]) == magic else { throw bad("bad magic") }
        guard let (h, payload) = ModelFile.split(bytes, as: Header.self) else { throw bad("unreadable header") }
        guard h.format == 1 else { throw bad("format \(h.format)") }
        func differs(_ what: [String]) -> NNError {
            NNError("\(path): cannot resume from it: \(what.joined(separator: "; ")); the checkpoint is kept")
        }
        if h.precision != T.precisionName { throw differs(["precision \(h.precision) in the checkpoint, \(T.precisionName) in config.json"]) }
        if h.optimizer != config.optimizer.rawValue {
            throw differs(["optimizer state of \(h.optimizer) in the checkpoint, optimizer \(config.optimizer.rawValue) in config.json"])
        }
        if h.sizes != config.layers {
            throw differs(["layers \(h.sizes.map(String.init).joined(separator: ",")) in the checkpoint, \(config.layers.map(String.init).joined(separator: ",")) in config.json"])
        }
        if h.configSHA256 != configDigest(config) {
            let keys = h.config.map { configDifferences(recorded: $0, now: configText(config)) } ?? []
            throw differs(keys.isEmpty ? ["it belongs to another configuration than config.json"] : keys)
        }
        if let code, let recorded = h.code, recorded != code { throw differs(recorded.differences(now: code)) }
        guard Checksum.sha256(payload) == h.payloadSHA256 else { throw bad("payload checksum mismatch") }
        let kind = config.optimizer
        let size = MemoryLayout<T>.size
        guard let counts = parameterCounts(h.sizes) else { throw bad("sizes overflow") }
        let mCounts = counts.map { kind == .momentum || kind == .adam ? $0 : 0 }
        let vCounts = counts.map { kind == .adam ? $0 : 0 }
        let blocks = counts + mCounts + vCounts + (h.hasBestWeights ? counts : [])
        let expected = MemoryBudget.sum([624 * 4, MemoryBudget.product([MemoryBudget.sum(blocks) ?? -1, size])])
        guard let expected, payload.count == expected else { throw bad("payload is \(payload.count) bytes, the header needs \(expected.map(String.init) ?? "too many")") }
        func double(_ s: String) throws -> Double {
            guard let b = UInt64(s, radix: 16) else { throw bad("number '\(s.prefix(20))'") }
            return Double(bitPattern: b)
        }
        func optional(_ s: String) throws -> Double? { s.isEmpty ? nil : try double(s) }
        var offset = 0
        var key: [UInt32] = []
        var out: [[T]] = []
        payload.withUnsafeBytes { raw in
            for _ in 0..<624 { key.append(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))); offset += 4 }
            for count in blocks {
                var block = [T]()
                block.reserveCapacity(count)
                for _ in 0..<count {
                    if T.self == Double.self {
                        block.append(T(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))))
                    } else {
                        block.append(T(Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))))
                    }
                    offset += size
                }
                out.append(block)
            }
        }
        let n = counts.count
        let gaussian = try h.rngGaussian.map(double)
        let state = MT19937.State(key: key, position: h.rngPosition, cachedGaussian: gaussian)
        guard state.isValid, h.step >= 0 else { throw bad("generator or optimiser state out of range") }
        var history: [EpochRecord] = []
        for (i, row) in h.history.enumerated() {
            guard row.count == 3, Int(row[0]) == i + 1 else { throw bad("history row \(i + 1)") }
            history.append(EpochRecord(epoch: i + 1, loss: try double(row[1]), seconds: try double(row[2])))
        }
        var validation: ValidationState?
        if let rows = h.validation {
            var v = ValidationState(bestEpoch: h.bestEpoch, bestValue: try h.bestValue.map(double), sinceBest: h.sinceBest ?? 0,
                                    stoppedEarly: h.stoppedEarly ?? false)
            for (i, row) in rows.enumerated() {
                guard row.count == 3, Int(row[0]) == i + 1 else { throw bad("validation row \(i + 1)") }
                v.records.append(ValidationRecord(epoch: i + 1, loss: try optional(row[1]), metric: try optional(row[2])))
            }
            guard rows.count == history.count else { throw bad("validation rows do not match the history") }
            validation = v
        }
        return Checkpoint(configSHA256: h.configSHA256, weights: Array(out[0..<n]),
                          optimizer: OptimizerState(step: h.step, m: Array(out[n..<(2 * n)]), v: Array(out[(2 * n)..<(3 * n)])),
                          rng: state, history: history, validation: validation,
                          bestWeights: h.hasBestWeights ? Array(out[(3 * n)...]) : nil)
    }
}

/// The code path a checkpoint's numbers come from besides the configuration: the
/// kernel variant (`NN_KERNELS`), the BLAS and the thread count. A resume on another
/// code path would continue with other rounding, so it is refused (`read`).
struct CodePath: Codable, Equatable, Sendable {
    var kernels: String
    var blas: String
    var threads: Int

    /// The code path of this process at `threads` threads.
    static func current(threads: Int) -> CodePath {
        CodePath(kernels: Kernels.active.name, blas: BLAS.implementation, threads: threads)
    }

    /// What differs from `other` (this is the checkpoint's, `other` now), e.g.
    /// `threads 1 in the checkpoint, 2 now (give --threads 1)`.
    func differences(now other: CodePath) -> [String] {
        var out: [String] = []
        if kernels != other.kernels { out.append("kernels \(kernels) in the checkpoint, \(other.kernels) now (NN_KERNELS=\(kernels))") }
        if blas != other.blas { out.append("BLAS \(blas) in the checkpoint, \(other.blas) now") }
        if threads != other.threads { out.append("threads \(threads) in the checkpoint, \(other.threads) now (give --threads \(threads))") }
        return out
    }
}
