import Foundation
import NNKernel
import NNFormats
import NNRuns

extension SweepSetup {
    /// The base experiment of `nn sweep` without `--config`: this file when it exists, else
    /// the built-in notebook defaults. The file holds exactly the defaults' values except
    /// `description` (a label, outside run ids, but written in `sweep.json`'s `base`), so
    /// it stays the sweep's default while `nn train` uses the built-in defaults.
    static let defaultBaseFile = "experiments/notebook.json"

    /// The sweep `nn sweep` is asked for, checked (`build`): the base experiment (`config`,
    /// else `defaultBaseFile` if present, else the built-in defaults), its file's `grid`
    /// section overridden key by key by `lists` (key, list as typed, flag) and
    /// `assignments` (`--grid key=v1,v2`), named `name` or the base experiment's name;
    /// `random` (count, sample seed) samples the keys given distributions (`RandomSearch`).
    package static func resolve(config: String?, name: String?, dataDirectory: String?,
                                lists: [(key: String, value: String, source: String)], assignments: [String],
                                threads: Int, random: (count: Int, seed: UInt32)? = nil) throws -> SweepSetup {
        let file = config ?? (FileManager.default.fileExists(atPath: defaultBaseFile) ? defaultBaseFile : nil)
        var base = ExperimentConfig()
        var fileGrid: [(key: String, values: [String])] = []
        if let file {
            let loaded = try ExperimentConfig.load(path: file)
            base = loaded.0
            fileGrid = loaded.1.map { (key: $0.0, values: $0.1) }
        }
        var flags = lists.map { (key: $0.key, list: $0.value, source: $0.source) }
        for g in assignments {
            let (key, list) = try SweepGrid.splitAssignment(g)
            flags.append((key, list, "--grid \(key)"))
        }
        let grid = try SweepGrid(file: fileGrid, fileSource: file ?? "", flags: flags, random: random)
        // A key given on the command line that no point's optimizer uses would only make
        // copies of the same training under other run ids (the file's keys are not checked).
        let optimizers = Set((grid.values(of: "optimizer") ?? [base.text("optimizer")]).compactMap(OptimizerKind.init(rawValue:)))
        for f in flags { try ExperimentConfig.checkUsed(f.key, by: optimizers, source: f.source) }
        return try build(name: name ?? base.name, base: base, grid: grid, dataDirectory: dataDirectory, threads: threads)
    }
}

extension SweepSetup {
    /// Makes this a successive-halving sweep (`Halving`), after checking the settings
    /// against every point (`Halving.check`). `metric` defaults to the base experiment's
    /// `monitor` (`val_loss` unless set), `goal` to the metric's (`defaultGoal`).
    package mutating func useHalving(minEpochs: Int, eta: Int, metric: HalvingMetric?, goal: HalvingGoal?) throws {
        let halving = Halving(minEpochs: minEpochs, eta: eta, metric: metric ?? HalvingMetric(rawValue: plan.base.monitor.rawValue) ?? .valLoss,
                              goal: goal)
        try halving.check(self)
        plan.halving = halving
    }
}
