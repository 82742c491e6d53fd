import Foundation
@testable import NNFormats
import TestSupport
import Testing

/// `nn predict` and `nn export` end to end on short real-MNIST runs: predicting the test
/// split reproduces predictions.csv exactly; the NumPy loader reproduces it from an npz
/// export within 1e-12.
@Suite(.serialized) struct PredictExportCommandTests {
    static let root = packageRoot()
    static let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("nn-predict-\(UUID().uuidString)").path
    /// The notebook's network (f64) trained 2 epochs on 1,000 images, evaluated on 1,000;
    /// and a small ten-class softmax run. Made once.
    static let runs: Bool = {
        func ok(_ args: [String]) -> Bool { (try? runNN(args, cwd: root))?.status == 0 }
        return ok(["prepare", "--train-size", "1000", "--test-size", "1000", "--out", tmp + "/bin"])
            && ok(["prepare", "--train-size", "1000", "--test-size", "300", "--classes", "all", "--out", tmp + "/all"])
            && ok(["train", "--config", "experiments/notebook.json", "--data", tmp + "/bin", "--out", tmp + "/run",
                   "--epochs", "2", "--quiet"])
            && ok(["eval", "--run", tmp + "/run"])
            && ok(["train", "--config", "experiments/mnist-10class.json", "--data", tmp + "/all", "--out", tmp + "/ten",
                   "--layers", "785,32,10", "--activations", "relu,softmax", "--epochs", "2", "--quiet"])
            && ok(["eval", "--run", tmp + "/ten"])
    }()

    static let pythonHasNumpy: Bool = (try? runPython(["-c", "import numpy"]))?.status == 0

    static func runPython(_ args: [String]) throws -> NNRun {
        try runNN(["python3"] + args, executable: "/usr/bin/env")
    }

    func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// predictions.csv as `index,prediction,probability` lines (its columns reordered).
    func expectedRows(_ run: String) throws -> [String] {
        let table = try CSVTable.read(path: run + "/predictions.csv")
        return table.rows.map { "\($0[0]),\($0[3]),\($0[2])" }
    }

    func lines(_ s: String) -> [String] { s.split(separator: "\n").map(String.init) }

    @Test func predictOnTheTestSplitReproducesPredictionsCSV() throws {
        try #require(Self.runs)
        let r = try runNN(["predict", "--run", Self.tmp + "/run", Self.tmp + "/bin/test-images.idx"])
        #expect(r.status == 0, "\(r.stderr)")
        let got = lines(r.stdout)
        #expect(got.first == "index,prediction,probability")
        let expected = try expectedRows(Self.tmp + "/run")
        #expect(expected.count == 1000)
        #expect(Array(got.dropFirst()) == expected)
        // The same through gzip and into a file.
        let gz = Self.tmp + "/test-images.idx.gz"
        try Data(try GzipWriter.compress(try readFileBytes(Self.tmp + "/bin/test-images.idx"))).write(to: URL(fileURLWithPath: gz))
        let f = try runNN(["predict", "--run", Self.tmp + "/run", gz, "--out", Self.tmp + "/p.csv"])
        #expect(f.status == 0 && f.stdout.isEmpty, "\(f.stderr)")
        #expect(try text(Self.tmp + "/p.csv") == r.stdout)
    }

    @Test func tenClassesPredictTheArgMaxClass() throws {
        try #require(Self.runs)
        let r = try runNN(["predict", "--run", Self.tmp + "/ten", Self.tmp + "/all/test-images.idx"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Array(lines(r.stdout).dropFirst()) == (try expectedRows(Self.tmp + "/ten")))
        // A Fashion-MNIST run (the same model, its config.json saying so) predicts by name.
        let fashion = Self.tmp + "/ten-fashion"
        try? FileManager.default.removeItem(atPath: fashion)
        try FileManager.default.copyItem(atPath: Self.tmp + "/ten", toPath: fashion)
        let config = try text(fashion + "/config.json").replacingOccurrences(of: "\"dataset\": \"mnist\"", with: "\"dataset\": \"fashion-mnist\"")
        try config.write(toFile: fashion + "/config.json", atomically: true, encoding: .utf8)
        let f = try runNN(["predict", "--run", fashion, Self.tmp + "/all/test-images.idx"])
        #expect(f.status == 0, "\(f.stderr)")
        let names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        let byName = lines(f.stdout).dropFirst().map { $0.split(separator: ",").map(String.init) }
        let byDigit = lines(r.stdout).dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(byName.count == 300 && zip(byName, byDigit).allSatisfy { $0[1] == names[Int($1[1])!] && $0[2] == $1[2] })
    }

    /// `--threshold` on a ten-class run is refused as `nn eval` refuses it: one line,
    /// status 2, nothing written.
    @Test func tenClassesRefuseAThreshold() throws {
        try #require(Self.runs)
        let out = Self.tmp + "/ten-threshold.csv"
        let r = try runNN(["predict", "--run", Self.tmp + "/ten", Self.tmp + "/all/test-images.idx", "--threshold", "0.3", "--out", out])
        let expected = "Error: --threshold: applies only to a binary target (ten classes predict the most probable class)\n"
        #expect(r.status == 2 && r.stderr == expected && r.stdout.isEmpty, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let e = try runNN(["eval", "--run", Self.tmp + "/ten", "--threshold", "0.3"])
        #expect(e.status == 2 && e.stderr == expected, "\(e.stderr)")
    }

    /// One test image as PNG, PGM (P5 and P2) and a CSV row on standard input: each gives
    /// predictions.csv's prediction and its probability within 1e-12 (one image is a
    /// one-column product, which BLAS may round differently from the 1,000-column one).
    @Test func pngPgmAndStandardInput() throws {
        try #require(Self.runs)
        let idx = try readFileBytes(Self.tmp + "/bin/test-images.idx")
        let pixels = Array(idx[16..<(16 + 784)])
        let dir = Self.tmp + "/images"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(try ImageWriter.png(width: 28, height: 28, pixels: pixels)).write(to: URL(fileURLWithPath: dir + "/0.png"))
        try Data(ImageWriter.pgm(width: 28, height: 28, pixels: pixels)).write(to: URL(fileURLWithPath: dir + "/0.pgm"))
        try ("P2\n28 28\n255\n" + pixels.map(String.init).joined(separator: " ") + "\n").write(toFile: dir + "/0p2.pgm", atomically: true, encoding: .utf8)
        try (pixels.map(String.init).joined(separator: ",") + "\n").write(toFile: dir + "/0.csv", atomically: true, encoding: .utf8)
        let nn = nnExecutable().path
        let r = try runNN(["-c", "\"$0\" predict --run \"$1\" \"$2/0.png\" \"$2/0.pgm\" - \"$2/0p2.pgm\" < \"$2/0.csv\"",
                           nn, Self.tmp + "/run", dir], executable: "/bin/sh")
        #expect(r.status == 0, "\(r.stderr)")
        let rows = lines(r.stdout).dropFirst().map { $0.split(separator: ",").map(String.init) }
        let want = try expectedRows(Self.tmp + "/run")[0].split(separator: ",").map(String.init)
        #expect(rows.map { $0[0] } == ["0", "1", "2", "3"])
        for row in rows {
            #expect(row[1] == want[1])
            #expect(abs(Double(row[2])! - Double(want[2])!) <= 1e-12)
        }
    }

    @Test func badInputsAreOneLineErrorsAndLeaveNoFile() throws {
        try #require(Self.runs)
        let dir = Self.tmp + "/bad"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "hello\n".write(toFile: dir + "/hello.txt", atomically: true, encoding: .utf8)
        try Data(ImageWriter.pgm(width: 27, height: 28, pixels: [UInt8](repeating: 0, count: 27 * 28)))
            .write(to: URL(fileURLWithPath: dir + "/small.pgm"))
        let cases: [(String, String)] = [
            (dir + "/hello.txt", "hello.txt: not an IDX, PNG or PGM image file"),
            (dir + "/small.pgm", "small.pgm: PGM image is 27x28, but the model takes 28x28 grey images"),
            (Self.tmp + "/bin/test-labels.idx", "test-labels.idx: IDX u8 of shape [1000] is not images"),
            (dir + "/missing.png", "missing.png: no such file"),
        ]
        for (input, mention) in cases {
            let out = dir + "/out.csv"
            let r = try runNN(["predict", "--run", Self.tmp + "/run", Self.tmp + "/bin/test-images.idx", input, "--out", out])
            #expect(r.status == 2)
            #expect(r.stderr.contains(mention) && lines(r.stderr).count == 1, "\(r.stderr)")
            #expect(r.stdout.isEmpty && !FileManager.default.fileExists(atPath: out))
        }
    }

    @Test(.enabled(if: pythonHasNumpy, "python3 with numpy is not installed (scripts/install-deps.sh installs it)"))
    func numpyLoaderReproducesPredictionsFromAnNPZExport() throws {
        try #require(Self.runs)
        let e = try runNN(["export", "--run", Self.tmp + "/run", "--format", "npz"])
        #expect(e.status == 0, "\(e.stderr)")
        #expect(e.stdout == "wrote \(Self.tmp)/run/model.npz: 10 tensors layers.{0-4}.weight/bias (785-395-200-100-20-1, f64)\n")
        let p = try Self.runPython([Self.root + "/scripts/nn_predict_numpy.py", Self.tmp + "/run/model.npz",
                                    Self.tmp + "/bin/test-images.idx", "1000"])
        #expect(p.status == 0, "\(p.stderr)")
        let got = lines(p.stdout).dropFirst().map { $0.split(separator: ",").map(String.init) }
        let want = try expectedRows(Self.tmp + "/run").map { $0.split(separator: ",").map(String.init) }
        #expect(got.count == 1000 && want.count == 1000)
        var maxDiff = 0.0
        for (g, w) in zip(got, want) {
            #expect(g[0] == w[0] && g[1] == w[1])
            maxDiff = max(maxDiff, abs(Double(g[2])! - Double(w[2])!))
        }
        #expect(maxDiff <= 1e-12, "max abs difference \(maxDiff)")
        // np.load reads the metadata and the exact weights of model.nnm.
        let check = """
        import json, sys, numpy as np
        z = np.load(sys.argv[1]); m = json.loads(str(z["metadata"]))
        raw = open(sys.argv[2], "rb").read(); h = int.from_bytes(raw[8:12], "little")
        body = np.frombuffer(raw[12 + h:], "<f8")
        flat = np.concatenate([z[f"layers.{i}.{k}"].ravel() for i in range(5) for k in ("weight", "bias")])
        assert z["layers.0.weight"].dtype == np.dtype("<f8") and z["layers.4.bias"].shape == (1,)
        assert (flat == body).all() and m["sizes"] == [785, 395, 200, 100, 20, 1] and m["preprocessing"]["bias_column"]
        print(m["activations"], m["target"]["kind"])
        """
        let c = try Self.runPython(["-c", check, Self.tmp + "/run/model.npz", Self.tmp + "/run/model.nnm"])
        #expect(c.status == 0 && c.stdout == "['relu', 'relu', 'relu', 'relu', 'sigmoid'] binary\n", "\(c.stderr)")
    }

    /// An f32 model exports `<f4` arrays, and the loader computes in f32 as nn does.
    @Test(.enabled(if: pythonHasNumpy, "python3 with numpy is not installed (scripts/install-deps.sh installs it)"))
    func f32ExportKeepsThePrecision() throws {
        try #require(Self.runs)
        let run = Self.tmp + "/f32"
        let t = try runNN(["train", "--data", Self.tmp + "/bin", "--out", run, "--layers", "785,16,1", "--activations", "relu,sigmoid",
                           "--precision", "f32", "--epochs", "2", "--quiet"], cwd: Self.root)
        #expect(t.status == 0, "\(t.stderr)")
        let predicted = try runNN(["predict", "--run", run, Self.tmp + "/bin/test-images.idx"])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let e = try runNN(["export", "--run", run, "--format", "npz", "--out", Self.tmp + "/f32.npz"])
        #expect(e.status == 0 && e.stdout.hasSuffix(": 4 tensors layers.{0-1}.weight/bias (785-16-1, f32)\n"), "\(e.stdout)\(e.stderr)")
        let p = try Self.runPython([Self.root + "/scripts/nn_predict_numpy.py", Self.tmp + "/f32.npz", Self.tmp + "/bin/test-images.idx"])
        #expect(p.status == 0, "\(p.stderr)")
        let got = lines(p.stdout).dropFirst().map { Double($0.split(separator: ",")[2])! }
        let want = lines(predicted.stdout).dropFirst().map { Double($0.split(separator: ",")[2])! }
        #expect(got.count == 1000 && want.count == 1000)
        #expect(zip(got, want).allSatisfy { abs($0 - $1) <= 1e-6 })
        let c = try Self.runPython(["-c", "import sys, numpy as np; print(np.load(sys.argv[1])['layers.0.weight'].dtype.str)", Self.tmp + "/f32.npz"])
        #expect(c.stdout == "<f4\n", "\(c.stderr)")
    }

    /// The safetensors export: its tensors are model.nnm's bytes, in order, with the right
    /// dtype and shapes; read with the `safetensors` package too when it is installed.
    @Test func safetensorsExport() throws {
        try #require(Self.runs)
        let out = Self.tmp + "/ten.safetensors"
        let e = try runNN(["export", "--run", Self.tmp + "/ten", "--format", "safetensors", "--out", out])
        #expect(e.status == 0, "\(e.stderr)")
        let bytes = try readFileBytes(out)
        let n = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
        let meta = try #require(header["__metadata__"] as? [String: String])
        #expect(meta["format"] == "nn-export" && meta["sizes"] == "[785,32,10]" && meta["precision"] == "f64")
        #expect(meta["activations"] == "[\"relu\",\"softmax\"]")
        let model = try readFileBytes(Self.tmp + "/ten/model.nnm")
        let h = model[8..<12].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(Array(bytes[(8 + n)...]) == Array(model[(12 + h)...]))
        let shapes = ["layers.0.weight": [32, 785], "layers.0.bias": [32], "layers.1.weight": [10, 32], "layers.1.bias": [10]]
        for (name, shape) in shapes {
            let t = try #require(header[name] as? [String: Any])
            #expect(t["dtype"] as? String == "F64" && t["shape"] as? [Int] == shape)
        }
        if (try? Self.runPython(["-c", "import safetensors"]))?.status == 0 {
            let r = try Self.runPython(["-c", "import sys; from safetensors.numpy import load_file; print(sorted(load_file(sys.argv[1])))", out])
            #expect(r.status == 0 && r.stdout.contains("'layers.1.bias'"), "\(r.stderr)")
        }
    }
}
