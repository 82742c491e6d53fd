import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// Small run and sweep directories in the formats `nn train` / `nn sweep` write,
/// built in a fresh temporary directory for each test.
enum ResultFixture {
    /// A new empty directory under the system temporary directory.
    static func directory(_ tag: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-\(tag)-\(UUID().uuidString)").path
        try AtomicFile.createDirectory(dir)
        return dir
    }

    /// A run directory: config.json (sorted keys), history.csv, metrics.json, metrics.csv,
    /// predictions.csv and timing.json (the last with `seconds`, to show it is ignored).
    static func run(at dir: String, lr: Double = 0.3, seed: Int = 0, f1: Double = 0.75,
                    losses: [Double] = [0.6769232302749445, 0.5, 0.31], seconds: Double = 1.5) throws {
        let config = """
            {
              "activations" : ["relu", "sigmoid"],
              "data" : {"manifest_sha256" : "0f3a", "train" : 50000},
              "epochs" : \(losses.count),
              "layers" : [785, 20, 1],
              "lr" : \(lr),
              "name" : "notebook",
              "precision" : "f64",
              "seed" : \(seed)
            }
            """
        try AtomicFile.write(config, to: dir + "/config.json")
        var history = "epoch,loss\n"
        for (i, loss) in losses.enumerated() { history += "\(i + 1),\(loss)\n" }
        try AtomicFile.write(history, to: dir + "/history.csv")
        let metrics: [(String, String)] = [
            ("accuracy", "0.9"), ("precision", "0.8"), ("recall", "0.7"), ("f1", "\(f1)"),
            ("tp", "10"), ("fp", "2"), ("fn", "3"), ("tn", "85"), ("threshold", "0.5"),
            ("samples", "100"), ("positives", "13"),
        ]
        try AtomicFile.write("{" + metrics.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}", to: dir + "/metrics.json")
        try AtomicFile.write("metric,value\n" + metrics.map { "\($0.0),\($0.1)\n" }.joined(), to: dir + "/metrics.csv")
        try AtomicFile.write("index,label,probability,prediction\n0,1,0.9,1\n1,0,0.2,0\n", to: dir + "/predictions.csv")
        try AtomicFile.write("{\"seconds\": \(seconds)}", to: dir + "/timing.json")
    }

    struct Point {
        var lr: Double
        var seed: Int
        var f1: Double
        var status = "ok"
    }

    /// The grid lr x seed with f1 = 0.5 + lr / 4 + seed / 100, all ok.
    static func grid(lrs: [Double] = [0.01, 0.1, 0.3, 1], seeds: [Int] = [0, 1]) -> [Point] {
        lrs.flatMap { lr in seeds.map { Point(lr: lr, seed: $0, f1: 0.5 + lr / 4 + Double($0) / 100) } }
    }

    static let summaryHeader = "run_id,status,lr,epochs,seed,layers,batch_size,optimizer,final_loss,accuracy,precision,recall,f1,tp,fp,fn,tn,error"

    /// A sweep directory: summary.csv (rows in `order`, default the grid's), sweep.json,
    /// timing.json and runs/<run_id>/ for every point (ok points get a run directory;
    /// failed points an empty metric part and an error message).
    static func sweep(at dir: String, points: [Point], order: [Int]? = nil) throws {
        var lines = [summaryHeader]
        for i in order ?? Array(points.indices) {
            let p = points[i]
            let id = String(format: "%012x", i)  // a run id: 12 lowercase hex digits
            let loss = 0.3 - p.lr / 10
            if p.status == "ok" {
                try run(at: "\(dir)/runs/\(id)", lr: p.lr, seed: p.seed, f1: p.f1, losses: [0.69, 0.5, loss])
                lines.append("\(id),ok,\(p.lr),3,\(p.seed),\"785,20,1\",0,gd,\(loss),0.9,0.8,0.7,\(p.f1),10,2,3,85,")
            } else {
                lines.append("\(id),failed,\(p.lr),3,\(p.seed),\"785,20,1\",0,gd,,,,,,,,,,\"diverged: loss is nan\"")
            }
        }
        try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: dir + "/summary.csv")
        try AtomicFile.write("{\"name\": \"lr-grid\"}", to: dir + "/sweep.json")
        try AtomicFile.write("{\"seconds\": 3}", to: dir + "/timing.json")
    }
}
