import ArgumentParser
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

/// The run directory a command reads: a positional `DIR` (as `nn report`, `nn diff` and
/// `nn runs` take paths), or `--run DIR`, kept as an alias. `nn predict DIR INPUT...`
/// takes the first positional as the run unless `--run` is given (`run(positionals:)`).
struct RunDirOptions: ParsableArguments {
    @Option(name: .customLong("run"), help: ArgumentHelp("The run directory (as the positional DIR).", visibility: .hidden), completion: .directory)
    var option: String?

    /// The run directory from `--run` or the positional `dir` (one of them, not both).
    func run(positional dir: String?) throws -> String {
        switch (option, dir) {
        case (let o?, nil): return o
        case (nil, let d?): return d
        case (_?, let d?): throw ValidationError("give the run directory once: --run and '\(d)'")
        case (nil, nil): throw ValidationError("Missing expected argument '<dir>' (a run directory written by nn train)")
        }
    }

    /// `nn predict`'s positionals: the run (unless `--run` is given), then the inputs.
    func run(positionals: [String]) throws -> (run: String, rest: [String]) {
        if let option { return (option, positionals) }
        guard let first = positionals.first else {
            throw ValidationError("Missing expected argument '<dir>' (a run directory written by nn train)")
        }
        return (first, Array(positionals.dropFirst()))
    }
}
