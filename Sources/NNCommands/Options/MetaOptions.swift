import ArgumentParser
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

/// `--tag KEY=VALUE` and `--note TEXT` of `nn train` and `nn sweep` (each command has its
/// own `--name`): what a person says about a run, kept in `meta.json` (`RunMeta`), outside
/// the run id and the results files.
struct MetaOptions: ParsableArguments {
    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("A tag (repeatable; nn runs --filter tag.KEY=VALUE).", valueName: "key=value"))
    var tag: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("What this is for, in a sentence.", valueName: "text"))
    var note: String?

    /// The meta data the flags give, with `name`; checked.
    func meta(name: String?) throws -> RunMeta {
        try RunMeta.parse(name: name, tags: tag, note: note)
    }
}
