import Foundation

/// The one way nn builds and tests file-system paths.
package enum FilePath {
    /// `dir/name/...`: the components joined by single slashes. A `dir` that already ends
    /// in `/` gets no second one, and an empty `dir` gives the rest unchanged.
    package static func join(_ dir: String, _ names: String...) -> String {
        names.reduce(dir) { path, name in
            path.isEmpty ? name : path.hasSuffix("/") ? path + name : path + "/" + name
        }
    }

    /// True when `path` exists and is a directory (`directory`) or something else (not).
    package static func exists(_ path: String, directory: Bool = false) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue == directory
    }
}
