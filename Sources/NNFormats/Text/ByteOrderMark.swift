/// A UTF-8 byte-order mark (`EF BB BF`) at the very start of a text input is skipped, by
/// every reader of text alike: CSV files (`CSVTable`), JSON files (`JSONParser`: experiment
/// files, manifests, results), and CSV on standard input for `nn predict -` (`PredictInput.csv`). It is never
/// read as part of the first field, so a first row is never taken for a header and lost.
package enum ByteOrderMark {
    package static let utf8: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// 3 when `bytes` start with the mark, else 0: where the text begins.
    package static func length<C: Collection>(_ bytes: C) -> Int where C.Element == UInt8 {
        bytes.starts(with: utf8) ? utf8.count : 0
    }
}
