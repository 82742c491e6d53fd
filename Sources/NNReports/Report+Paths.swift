import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps

extension Report {
    /// `nn report`: one or more run directories, or a single sweep directory.
    /// Several runs need `out`; `metric` and `param` apply only to a sweep.
    @discardableResult
    package static func write(paths: [String], out: String?, metric: String? = nil, param: String? = nil,
                             logY: Bool = false, xScale: XScale = .auto, extraSections: [ReportSection] = [],
                             html: Bool = false) throws -> [String] {
        guard !paths.isEmpty else { throw NNError("report: no directory given") }
        for path in paths where !FilePath.exists(path, directory: true) {
            throw NNError("\(path): no such directory")
        }
        let sweeps = paths.filter(SweepDirectory.looksLikeSweep)
        if !sweeps.isEmpty {
            guard paths.count == 1 else { throw NNError("\(sweeps[0]): a sweep directory must be reported on its own") }
            let files = try sweep(dir: paths[0], metric: metric, param: param, out: out, logY: logY, xScale: xScale,
                                  extraSections: extraSections)
            return try (html ? files.addingHTML(runs: paths) : files).write(to: out ?? paths[0])
        }
        if let metric { throw NNError("--metric \(metric): applies only to a sweep directory") }
        if let param { throw NNError("--param \(param): applies only to a sweep directory") }
        if xScale != .auto { throw NNError("--x-scale \(xScale.rawValue): applies only to a sweep directory") }
        if paths.count == 1 {
            let files = try run(dir: paths[0], out: out, logY: logY, extraSections: extraSections)
            return try (html ? files.addingHTML(runs: paths, imageDirectories: [paths[0]]) : files).write(to: out ?? paths[0])
        }
        guard let out else { throw NNError("--out: required when reporting on several run directories") }
        let files = try runs(dirs: paths, logY: logY, extraSections: extraSections)
        return try (html ? files.addingHTML(runs: paths) : files).write(to: out)
    }
}
