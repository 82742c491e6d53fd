import Foundation
import NNFormats

/// `nn NAME ARGS...` when NAME is not a built-in command: the first executable `nn-NAME`
/// on the PATH replaces nn (execv, as git and cargo run their plugins), with `nn-NAME` as
/// its argv[0] and ARGS after it. Standard input, output and error, the environment, the
/// working directory, signals and the terminal are the plugin's as they were nn's, and its
/// exit status (or the signal that killed it, which a shell shows as 128+N) is nn's. With
/// no such plugin, nn reports the unknown command as usual (status 2).
enum Plugin {
    /// The plugin `arguments` ask for: a first argument that is not an option, not a
    /// built-in command or `help`, and a plain name (no `/`, so never a path).
    static func name(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.isEmpty, !first.hasPrefix("-"), !first.contains("/")
        else { return nil }
        let builtIn = NN.commandNames + ["help"]
        return builtIn.contains(first) ? nil : first
    }

    /// The first executable regular file `program` in the PATH's directories (an empty
    /// entry is the working directory, as for the shell), or nil.
    static func find(_ program: String, path: String?) -> String? {
        let directories = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false)
        for directory in directories {
            let candidate = FilePath.join(directory.isEmpty ? "." : String(directory), program)
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// Replaces this process by the plugin `arguments` name, when there is one on the
    /// PATH; returns otherwise. A plugin that is found but cannot start is status 2.
    static func execIfFound(_ arguments: [String]) {
        guard let name = name(arguments) else { return }
        let program = "nn-" + name
        guard let path = find(program, path: ProcessInfo.processInfo.environment["PATH"]) else { return }
        let argv = ([program] + arguments.dropFirst()).map { strdup($0) } + [nil]
        execv(path, argv)
        let reason = String(cString: strerror(errno))
        Console.err("Error: \(path): cannot run: \(reason)\n")
        exit(2)
    }
}
