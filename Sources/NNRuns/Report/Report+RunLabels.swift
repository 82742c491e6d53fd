import Foundation
import NNKernel
import NNFormats

extension Report {
    /// The legend and column label of each run of a report (one run, several, or the
    /// notebook comparison's seeds): the name given (`--name`, `meta.json`), else the
    /// configuration fields that differ between the runs (`lr=0.1 seed=2`, at most three),
    /// else the experiment's name (`config.json` `name`), else the shortest distinct path
    /// suffix (`runLabels`) — never a bare run id when the configurations differ. Labels
    /// that would repeat fall back to the path suffix.
    package static func legendLabels(dirs: [String], configs: [JSONValue?]) -> [String] {
        let hidden: Set<String> = ["name", "description", "data.directory", "data.manifest_sha256"]
        let fields = configs.map { config in
            Dictionary((config?.flattened() ?? []).filter { !hidden.contains($0.key) }.map { ($0.key, $0.value.text) },
                       uniquingKeysWith: { a, _ in a })
        }
        let keys = Set(fields.flatMap(\.keys)).sorted()
        let differing = keys.filter { key in Set(fields.map { $0[key] ?? "" }).count > 1 }
        let paths = runLabels(dirs)
        let labels = dirs.indices.map { i -> String in
            if let name = givenName(dir: dirs[i]) { return name }
            guard !differing.isEmpty else {
                if case .string(let s)? = configs[i]?["name"], !s.isEmpty { return s }
                return paths[i]
            }
            let shown = differing.prefix(3).map { "\($0)=\(fields[i][$0] ?? "-")" }
            return shown.joined(separator: " ") + (differing.count > 3 ? " …" : "")
        }
        let counts = Dictionary(labels.map { ($0, 1) }, uniquingKeysWith: +)
        return labels.indices.map { counts[labels[$0]]! > 1 ? paths[$0] : labels[$0] }
    }

    /// The name given to the run in `dir` (`nn train --name`, its `meta.json`), if any.
    static func givenName(dir: String) -> String? {
        ((try? RunMeta.read(dir: dir)) ?? nil)?.name
    }
}
