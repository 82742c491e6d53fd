import Foundation
import Testing
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

@Suite struct NumberTextTests {
    @Test func shortestRoundTripsAndDropsPointZero() {
        #expect(NumberText.shortest(40) == "40")
        #expect(NumberText.shortest(-0.0) == "0")
        #expect(NumberText.shortest(0.1) == "0.1")
        #expect(NumberText.shortest(0.6769232302749445) == "0.6769232302749445")
        #expect(NumberText.shortest(1e-05) == "1e-05")
        #expect(NumberText.shortest(.infinity) == "inf")
        #expect(NumberText.shortest(.nan) == "nan")
        for x in [0.1 + 0.2, 1.0 / 3, 6.02e23, Double.leastNonzeroMagnitude] { #expect(Double(NumberText.shortest(x)) == x) }
    }

    @Test func fixedRoundsHalfAwayFromZeroWithoutLocale() {
        #expect(NumberText.fixed(0.125, decimals: 2) == "0.13")
        #expect(NumberText.fixed(-0.125, decimals: 2) == "-0.13")
        #expect(NumberText.fixed(-0.001, decimals: 2) == "0.00")
        #expect(NumberText.fixed(2.5, decimals: 0) == "3")
        #expect(NumberText.fixed(0.05, decimals: 3) == "0.050")
        #expect(NumberText.fixed(1234.5678, decimals: 1) == "1234.6")
    }

    @Test func parseAcceptsDecimalsOnly() {
        #expect(NumberText.parse("1e5") == 100_000)
        #expect(NumberText.parse(".5") == 0.5)
        #expect(NumberText.parse("5.") == 5)
        #expect(NumberText.parse("-2.5E-3") == -0.0025)
        #expect(NumberText.parse("-inf") == -.infinity)
        #expect(NumberText.parse("NaN")?.isNaN == true)
        for text in ["", "0x10", " 1", "1 ", "1,5", "e5", "1e", "abc", "."] { #expect(NumberText.parse(text) == nil) }
    }
}

@Suite struct CSVTableTests {
    @Test func parsesQuotesCRLFAndBOM() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\r\n2,\"two\nlines\",\r\n\r\n"
        let t = try CSVTable.parse(text, name: "t.csv")
        #expect(t.header == ["a", "b", "c"])
        #expect(t.rows == [["1", "x,y", "say \"hi\""], ["2", "two\nlines", ""]])
        #expect(try CSVTable.parse(t.encoded(), name: "again") == t)
    }

    @Test func errorsNameTheFileAndLine() {
        func message(_ text: String) -> String {
            do { _ = try CSVTable.parse(text, name: "f.csv"); return "" } catch { return "\(error)" }
        }
        #expect(message("a,b\n1,2\n3\n") == "f.csv: line 3: expected 2 fields, found 1")
        #expect(message("a,b\n1,\"2\n") == "f.csv: line 2: unterminated quoted field")
        #expect(message("a,a\n") == "f.csv: line 1: duplicate column 'a'")
        #expect(message("") == "f.csv: empty file, no CSV header")
        #expect(message("a\n1\"2\n") == "f.csv: line 2: stray double quote inside an unquoted field")
    }
}

@Suite struct JSONTextTests {
    @Test func keepsMemberOrderAndNumberText() throws {
        let v = try JSONValue.parse(#"{"z": 1.0, "a": [1e-05, "x\"y", true, null], "m": {"k": -0}}"#, name: "j")
        #expect(v.encoded(pretty: false) == #"{"z":1.0,"a":[1e-05,"x\"y",true,null],"m":{"k":-0}}"#)
        #expect(try JSONValue.parse(v.encoded(), name: "again") == v)
    }

    @Test func flattensNestedObjectsAndArrays() throws {
        let v = try JSONValue.parse(#"{"lr": 0.3, "layers": [785, 20, 1], "data": {"sha": "00ff", "n": 5}, "confusion": [[1, 2], [3, 4]], "s": "0.5"}"#, name: "j")
        let flat = v.flattened()
        #expect(flat.map(\.key) == ["lr", "layers", "data.sha", "data.n", "confusion.0", "confusion.1", "s"])
        #expect(flat.map(\.value.text) == ["0.3", "785,20,1", "00ff", "5", "1,2", "3,4", "0.5"])
        #expect(flat[0].value.number == 0.3)
        #expect(flat[1].value.number == nil)
        #expect(flat[6].value.number == nil)  // a JSON string stays text
    }

    @Test func errorsGiveLineAndColumn() {
        #expect(throws: NNError("c.json: invalid JSON at line 2, column 9: expected ',' or '}' in object")) {
            try JSONValue.parse("{\"a\": 1,\n \"b\": 2 \"c\": 3}", name: "c.json")
        }
        #expect(throws: NNError("c.json: invalid JSON at line 1, column 8: duplicate member 'a'")) {
            try JSONValue.parse("{\"a\":1,\"a\":2}", name: "c.json")
        }
        #expect(throws: NNError.self) { try JSONValue.parse("[1, 2", name: "c.json") }
        #expect(throws: NNError.self) { try JSONValue.parse("01", name: "c.json") }
    }
}
