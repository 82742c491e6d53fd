import Foundation
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands

/// Result of running the built `nn` executable.
struct NNRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Path of the `nn` binary (or another of the package's executables, `nn-train`...)
/// built beside the test bundle.
func nnExecutable(_ name: String = "nn") -> URL {
    var dir = Bundle.main.bundleURL
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent(name)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue {
            return candidate
        }
        dir = dir.deletingLastPathComponent()
    }
    // Fallback: the package's default build folder.
    return URL(fileURLWithPath: ".build/debug/" + name)
}

/// Runs `nn` (or `executable`) with `args` in `cwd` (default: the package root) and captures its output.
@discardableResult
func runNN(_ args: [String], cwd: String? = nil, environment: [String: String]? = nil, executable: String? = nil) throws -> NNRun {
    let p = Process()
    p.executableURL = executable.map { URL(fileURLWithPath: $0) } ?? nnExecutable()
    p.arguments = args
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    if let environment { p.environment = environment }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    // Read both pipes fully before waiting so a chatty child never blocks.
    final class Box: @unchecked Sendable { var data = Data() }  // written by one thread, read after wait()
    let outBox = Box()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { outBox.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    let outData = outBox.data
    p.waitUntilExit()
    return NNRun(status: p.terminationStatus,
                 stdout: String(decoding: outData, as: UTF8.self),
                 stderr: String(decoding: errData, as: UTF8.self))
}

/// The package root (where Package.swift lives), found from this source file's path.
func packageRoot() -> String {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
    }
    return FileManager.default.currentDirectoryPath
}

/// A small slice of the vendored MNIST prepared by `nn prepare` into a fixed temporary
/// directory (a no-op when already up to date); the error says why it failed.
func preparedMNIST(train: Int, test: Int, tag: String) -> Result<String, NNError> {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-\(tag)-mnist-\(train)-\(test)").path
    do {
        let r = try runNN(["prepare", "--train-size", String(train), "--test-size", String(test),
                           "--data-dir", packageRoot() + "/data/mnist", "--out", dir])
        return r.status == 0 ? .success(dir) : .failure(NNError("nn prepare failed: \(r.stderr)"))
    } catch {
        return .failure(NNError("nn prepare did not start: \(error)"))
    }
}

/// A fresh scratch directory under the system temporary directory (`nn-<tag>-<uuid>`).
func scratchDirectory(_ tag: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-\(tag)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Every file under `dir` (hidden ones too, and below subdirectories) with its bytes.
func snapshot(_ dir: String) -> [String: Data] {
    var out: [String: Data] = [:]
    for name in (try? FileManager.default.subpathsOfDirectory(atPath: dir)) ?? [] {
        if let d = FileManager.default.contents(atPath: dir + "/" + name) { out[name] = d }
    }
    return out
}

/// The names in `dir`, sorted (hidden ones too).
func entries(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
}
