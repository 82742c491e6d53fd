import Foundation
import NNKernel
import NNFormats

extension Run {
    /// `config.json` of a run of `config` on `data`.
    static func configJSON(config: ExperimentConfig, data: PreparedDataset) -> JSONValue {
        JSONValue.sortedObject(config.jsonObject(extra: ["data": .sortedObject([
            "directory": .string(data.directory), "manifest_sha256": .string(data.manifestSHA256),
            "train_samples": .int(data.train.count), "test_samples": .int(data.test.count),
            "split_seed": .int(Int(data.manifest.split.seed))])]))
    }

    /// The outcome of re-running `nn train` on a run that is already there: when `dir`
    /// holds a complete run of the same configuration on the same data (its `config.json`
    /// equal but for where the data directory is), nothing is trained and the outcome is
    /// marked `upToDate`, as a sweep skips a complete point. Nil otherwise (then a run
    /// there is replaced only with `--force`).
    static func upToDate(config: ExperimentConfig, data: PreparedDataset, dir: String) throws -> TrainOutcome? {
        guard (try? RunMarker.read(dir: dir))??.state == .complete,
              let old = try? JSONValue.read(path: RunLayout(dir).config),
              let history = try? History.read(path: RunLayout(dir).history) else { return nil }
        func withoutDirectory(_ v: JSONValue) -> JSONValue {
            guard case .object(let members) = v else { return v }
            return .object(members.map { m in
                guard m.key == "data", case .object(let d) = m.value else { return m }
                return JSONMember(m.key, .object(d.filter { $0.key != "directory" }))
            })
        }
        guard withoutDirectory(old) == withoutDirectory(configJSON(config: config, data: data)) else { return nil }
        let records = zip(history.epochs, history.losses).map { EpochRecord(epoch: Int($0), loss: $1, seconds: 0) }
        return TrainOutcome(history: records, divergence: nil, runDirectory: dir, seconds: 0, upToDate: true)
    }
}

extension Run {
    /// What to do with a path that is not a run directory, fitting what it is: a directory
    /// that holds runs (a sweep's `runs/`, or run directories) is listed by `nn runs`;
    /// anything else can become a run with `nn train --out`.
    static func notARunHint(_ dir: String) -> String {
        let children = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        let holdsRuns = children.contains { child in
            child == "runs" || FileManager.default.fileExists(atPath: RunLayout(FilePath.join(dir, child)).config)
        }
        return holdsRuns ? "it holds runs: give one of them (`nn runs \(dir)` lists them)" : "run `nn train --out \(dir)` first"
    }
}
