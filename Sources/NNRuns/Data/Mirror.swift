import Foundation
import NNBase
import NNKernel
import NNFormats

/// A place a dataset's files can be fetched from: an `https://`, `http://` or `file://`
/// URL naming a directory. File `NAME` is fetched from `<base>/NAME`.
package struct Mirror: Sendable, Equatable, CustomStringConvertible {
    enum Scheme: String, Sendable { case https, http, file }

    let scheme: Scheme
    /// The directory URL, always ending in `/`.
    let base: URL

    /// Parses and checks `string`; throws a one-line `NNError` for anything unusable
    /// (another scheme, no host, a relative file path).
    package init(_ string: String) throws {
        guard let url = URL(string: string), let raw = url.scheme?.lowercased() else {
            throw NNError("mirror '\(string)': not a URL (expected https://, http:// or file://)")
        }
        guard let scheme = Scheme(rawValue: raw) else {
            throw NNError("mirror '\(string)': unsupported scheme '\(raw)' (expected https://, http:// or file://)")
        }
        switch scheme {
        case .http, .https:
            guard let host = url.host, !host.isEmpty else { throw NNError("mirror '\(string)': no host") }
        case .file:
            if let host = url.host, !host.isEmpty, host != "localhost" {
                throw NNError("mirror '\(string)': file:// URLs must name a local path (file:///dir/)")
            }
            guard url.path.hasPrefix("/") else { throw NNError("mirror '\(string)': file:// path must be absolute") }
        }
        let text = string.hasSuffix("/") ? string : string + "/"
        guard let base = URL(string: text) else { throw NNError("mirror '\(string)': not a URL") }
        self.scheme = scheme
        self.base = base
    }

    /// The URL of the file called `name` on this mirror.
    func url(for name: String) -> URL {
        base.appendingPathComponent(name)
    }

    package var description: String { base.absoluteString }
}
