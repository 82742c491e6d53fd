import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// Parses an SVG with Foundation's XMLParser; per `<g class="series">`, the number of
/// `<circle>` elements and of coordinate pairs in its `<polyline>`.
final class SVGCounter: NSObject, XMLParserDelegate {
    struct SeriesCount: Equatable { var circles = 0; var polylinePoints = 0 }
    var series: [SeriesCount] = []
    var titles: [String] = []
    private var depthInSeries: Int?
    private var depth = 0
    private var text = ""

    /// nil when the document is not well-formed XML.
    static func count(_ svg: String) -> SVGCounter? {
        let counter = SVGCounter()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = counter
        return parser.parse() ? counter : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        depth += 1
        text = ""
        if name == "g", attributes["class"] == "series" { depthInSeries = depth; series.append(SeriesCount()) }
        guard depthInSeries != nil else { return }
        if name == "circle" { series[series.count - 1].circles += 1 }
        if name == "polyline" {
            series[series.count - 1].polylinePoints = (attributes["points"] ?? "").split(separator: " ").count
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "title" { titles.append(text) }
        if depth == depthInSeries { depthInSeries = nil }
        depth -= 1
    }
}

@Suite struct SVGChartTests {
    let chart = LineChart(title: "Loss <&> \"quoted\"", xLabel: "epoch", yLabel: "loss", series: [
        Series("run <a> & 'b'", points: [(1, 0.69), (2, 0.5), (3, 0.31)]),
        Series("single", points: [(2, 0.4)]),
        Series("with gaps", points: [(1, 0.6), (2, .nan), (3, .infinity), (4, 0.2)]),
    ])

    @Test func isWellFormedWithOneCirclePerDrawnPoint() throws {
        let counts = try #require(SVGCounter.count(chart.svg()))
        #expect(counts.series == [
            .init(circles: 3, polylinePoints: 3),
            .init(circles: 1, polylinePoints: 0),
            .init(circles: 2, polylinePoints: 2),
        ])
        #expect(counts.titles.contains("Loss <&> \"quoted\""))
        #expect(counts.titles.contains("run <a> & 'b'"))
    }

    @Test func sameInputGivesIdenticalBytes() {
        let copy = LineChart(title: chart.title, xLabel: chart.xLabel, yLabel: chart.yLabel, series: chart.series)
        #expect(chart.svg() == copy.svg())
        #expect(!chart.svg().isEmpty)
    }

    @Test func emptyAndLogChartsAreWellFormed() throws {
        let empty = LineChart(title: "nothing", xLabel: "x", yLabel: "y", series: [])
        #expect(try #require(SVGCounter.count(empty.svg())).series.isEmpty)
        #expect(empty.svg().contains(">no data<"))
        var log = LineChart(title: "log", xLabel: "lr", yLabel: "loss",
                            series: [Series("s", points: [(0.001, 1), (0.1, 0.01), (-1, 0.5), (1, 0)])])
        log.logX = true
        log.logY = true
        // (-1, 0.5) and (1, 0) cannot sit on log axes.
        #expect(try #require(SVGCounter.count(log.svg())).series == [.init(circles: 2, polylinePoints: 2)])
    }

    @Test func linearTicksStepBy1_2_5() {
        let a = ChartAxis.linear([0.13, 0.69])
        #expect(a.ticks == [0, 0.2, 0.4, 0.6, 0.8])
        #expect(a.labels == ["0.0", "0.2", "0.4", "0.6", "0.8"])
        #expect(ChartAxis.linear([1, 40]).ticks == [0, 10, 20, 30, 40])
        #expect(ChartAxis.linear([0.3, 0.7]).ticks == [0.3, 0.4, 0.5, 0.6, 0.7])
        #expect(ChartAxis.linear([0.3, 0.7]).labels == ["0.3", "0.4", "0.5", "0.6", "0.7"])
        #expect(ChartAxis.linear([0.9712, 0.9755]).labels == ["0.971", "0.972", "0.973", "0.974", "0.975", "0.976"])
        #expect(ChartAxis.linear([5]).ticks == [4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6])
    }

    @Test func logTicksArePowersOfTen() {
        let wide = ChartAxis.logarithmic([0.002, 30])
        #expect(wide.ticks == [0.001, 0.01, 0.1, 1, 10, 100])
        #expect(wide.labels == ["0.001", "0.01", "0.1", "1", "10", "100"])
        #expect(ChartAxis.logarithmic([0.02, 0.5]).ticks == [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1])
    }
}

@Suite struct ChartReadabilityTests {
    @Test func metricAxesStayInsideTheMetricsRange() {
        // An all-zero F1 no longer gets an axis from -1 to 1.
        let zero = ChartAxis.linear([0, 0], bounds: 0...1)
        #expect(zero.lo == 0 && zero.hi == 1 && zero.ticks == [0, 0.5, 1])
        let high = ChartAxis.linear([0.97], bounds: 0...1)
        #expect(high.hi == 1 && high.ticks.allSatisfy { $0 <= 1 })
        // Inside the range: unchanged.
        #expect(ChartAxis.linear([0.13, 0.69], bounds: 0...1) == ChartAxis.linear([0.13, 0.69]))
    }

    @Test func epochTicksAreWholeNumbers() {
        #expect(ChartAxis.linear([1, 2], integer: true).ticks == [1, 2])
        #expect(ChartAxis.linear([1, 3], integer: true).labels == ["1", "2", "3"])
        #expect(ChartAxis.linear([1, 40], integer: true).ticks == [0, 10, 20, 30, 40])
    }

    @Test func seriesStylesBandsAndMarkers() throws {
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y", series: [
            Series(name: "mean", points: [ChartPoint(x: 1, y: 0.5), ChartPoint(x: 2, y: 0.6)],
                   band: [ChartBand(x: 1, lo: 0.4, hi: 0.6), ChartBand(x: 2, lo: 0.5, hi: 0.7)]),
            Series(name: "reference", points: [ChartPoint(x: 1, y: 0.2), ChartPoint(x: 2, y: 0.3)],
                   color: "#333333", dash: "6 4", markers: false),
        ])
        let svg = chart.svg()
        #expect(try #require(SVGCounter.count(svg)).series == [.init(circles: 2, polylinePoints: 2), .init(circles: 0, polylinePoints: 2)])
        #expect(svg.contains("<polygon class=\"band\""))
        #expect(svg.contains("stroke=\"#333333\" fill=\"#333333\"") && svg.contains("stroke-dasharray=\"6 4\""))
    }
}
