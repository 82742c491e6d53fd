import Foundation
import Testing

/// `nn train` against the NumPy port of the notebook (scripts/notebook_numpy.py), same
/// seed, float64: a short version of the full 40-epoch comparison (2,000 training samples,
/// 4 epochs, the whole 20,000-sample test split). Needs python3 with numpy (CI installs it).
@Suite(.serialized) struct ParityTests {
    static let python: String? = {
        for p in ["/usr/bin/python3", "/usr/local/bin/python3"] + (ProcessInfo.processInfo.environment["PATH"] ?? "")
            .split(separator: ":").map({ "\($0)/python3" }) where FileManager.default.isExecutableFile(atPath: p) {
            let check = Process()
            check.executableURL = URL(fileURLWithPath: p)
            check.arguments = ["-c", "import numpy"]
            check.standardError = FileHandle.nullDevice
            if (try? check.run()) != nil { check.waitUntilExit(); if check.terminationStatus == 0 { return p } }
        }
        return nil
    }()

    func runPython(_ args: [String], cwd: String) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.python!)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func losses(_ path: String) throws -> [Double] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { Double($0.split(separator: ",")[1])! }
    }

    @Test(.enabled(if: ParityTests.python != nil, "python3 with numpy is not installed"))
    func shortRunMatchesTheNotebookCode() throws {
        let root = packageRoot()
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("nn-parity-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let prep = try runNN(["prepare", "--train-size", "2000", "--test-size", "20000", "--out", tmp + "/data"], cwd: root)
        #expect(prep.status == 0, "\(prep.stderr)")
        let train = try runNN(["train", "--config", "experiments/notebook.json", "--data", tmp + "/data", "--epochs", "4",
                               "--seed", "3", "--out", tmp + "/nn", "--quiet"], cwd: root)
        #expect(train.status == 0, "\(train.stderr)")
        let eval = try runNN(["eval", "--run", tmp + "/nn"], cwd: root)
        #expect(eval.status == 0, "\(eval.stderr)")
        let (npStatus, npOut) = try runPython(["scripts/notebook_numpy.py", "--train-limit", "2000", "--epochs", "4",
                                               "--seed", "3", "--out", tmp + "/numpy", "--quiet"], cwd: root)
        try #require(npStatus == 0, "\(npOut)")

        let a = try losses(tmp + "/nn/history.csv"), b = try losses(tmp + "/numpy/history.csv")
        #expect(a.count == 4 && b.count == 4)
        for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-10 * abs(y), "loss \(x) vs NumPy's \(y)") }

        let (status, report) = try runPython(["scripts/parity.py", tmp + "/nn", tmp + "/numpy"], cwd: root)
        #expect(status == 0, "\(report)")
        #expect(report.contains("PASS"))
    }
}
