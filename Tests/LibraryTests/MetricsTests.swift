import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

@Suite struct MetricsTests {
    /// The notebook's printed metrics come from TP=963, FP=32, FN=949, TN=18056.
    @Test func notebookFigures() {
        var p = [Double](), y = [Int]()
        func add(_ count: Int, prob: Double, label: Int) { p += Array(repeating: prob, count: count); y += Array(repeating: label, count: count) }
        add(963, prob: 0.9, label: 1); add(32, prob: 0.7, label: 0); add(949, prob: 0.2, label: 1); add(18056, prob: 0.01, label: 0)
        let m = Metrics.binary(probabilities: p, labels: y)
        #expect(m.tp == 963 && m.fp == 32 && m.fn == 949 && m.tn == 18056)
        #expect(m.accuracy == 0.95095)
        #expect(m.f1 == 0.6625386996904025)
        #expect(m.precision == 0.9678391959798995)
        #expect(m.recall == 0.5036610878661087)
    }

    @Test func thresholdIsStrict() {
        let m = Metrics.binary(probabilities: [0.5, 0.5000001], labels: [1, 1], threshold: 0.5)
        #expect(m.tp == 1 && m.fn == 1)
    }

    @Test func zeroDivisionIsZero() {
        let m = Metrics.binary(probabilities: [0.1, 0.2], labels: [0, 0])
        #expect(m.precision == 0 && m.recall == 0 && m.f1 == 0 && m.accuracy == 1)
    }

    @Test func multiClassAverages() {
        // truth 0,0,1,2 ; predicted 0,1,1,2
        let m = Metrics.multiClass(predicted: [0, 1, 1, 2], truth: [0, 0, 1, 2], classes: 3)
        #expect(m.confusion == [[1, 1, 0], [0, 1, 0], [0, 0, 1]])
        #expect(m.accuracy == 0.75)
        #expect(m.precision(1) == 0.5 && m.recall(0) == 0.5)
        #expect(abs(m.macroPrecision - (1 + 0.5 + 1) / 3) < 1e-15)
        #expect(abs(m.macroRecall - (0.5 + 1 + 1) / 3) < 1e-15)
        #expect(m.microF1 == 0.75 && m.microPrecision == 0.75)
    }
}
