import Foundation
import NNBase
import NNKernel
import NNFormats

/// What a person says about a run or a sweep: a display name, tags (`team=vision`) and a
/// note, from `nn train` / `nn sweep` `--name`, `--tag KEY=VALUE`, `--note TEXT`. Kept in
/// `meta.json` beside the results, never in `config.json`: it changes neither the run id
/// nor any results file. A sweep's `meta.json` (in the sweep directory) applies to its
/// points. `nn runs` shows the name and tags (`--filter tag.team=vision`), reports and
/// chart legends use the name.
package struct RunMeta: Sendable, Equatable {
    package static let file = "meta.json"

    package var name: String?
    /// Sorted by key, one value per key.
    package var tags: [(key: String, value: String)] = []
    package var note: String?

    package init(name: String? = nil, tags: [(key: String, value: String)] = [], note: String? = nil) {
        self.name = name
        self.tags = tags.sorted { $0.key < $1.key }
        self.note = note
    }

    package static func == (a: RunMeta, b: RunMeta) -> Bool {
        a.name == b.name && a.note == b.note && a.tags.map(\.key) == b.tags.map(\.key) && a.tags.map(\.value) == b.tags.map(\.value)
    }

    package var isEmpty: Bool { name == nil && tags.isEmpty && note == nil }

    /// From the flags: each tag `KEY=VALUE` (a key of letters, digits, `_`, `-`, `.`; a key
    /// given twice is an error); empty texts are errors naming the flag.
    package static func parse(name: String?, tags: [String], note: String?) throws -> RunMeta {
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty { throw NNError("--name: must not be empty") }
        if let note, note.trimmingCharacters(in: .whitespaces).isEmpty { throw NNError("--note: must not be empty") }
        var parsed: [(key: String, value: String)] = []
        for tag in tags {
            guard let eq = tag.firstIndex(of: "=") else { throw NNError("--tag \(tag): expected KEY=VALUE") }
            let key = String(tag[..<eq]), value = String(tag[tag.index(after: eq)...])
            guard !key.isEmpty, key.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_-.".unicodeScalars.contains($0)) })
            else { throw NNError("--tag \(tag): the key must be letters, digits, '_', '-' or '.'") }
            if parsed.contains(where: { $0.key == key }) { throw NNError("--tag \(tag): tag '\(key)' is given twice") }
            parsed.append((key, value))
        }
        return RunMeta(name: name, tags: parsed, note: note)
    }

    package var json: JSONValue {
        var members: [JSONMember] = []
        if let name { members.append(JSONMember("name", .string(name))) }
        if let note { members.append(JSONMember("note", .string(note))) }
        members.append(JSONMember("tags", .object(tags.map { JSONMember($0.key, .string($0.value)) })))
        return .object(members)
    }

    /// Writes `meta.json` into `dir` (atomically).
    package func write(dir: String) throws {
        try AtomicFile.write(json.encoded() + "\n", to: FilePath.join(dir, Self.file))
    }

    /// Merges this meta (what the flags give) into `dir`'s `meta.json`: a given name or
    /// note replaces that field, each given tag adds or replaces its key, everything not
    /// given is kept. Writes (atomically) only when that changes the file; returns what
    /// changed (`name quick`, `tag extra=1`, `note`), empty when nothing did. A bad
    /// `meta.json` is an error naming it, and is left as it was.
    @discardableResult
    package func merge(into dir: String) throws -> [String] {
        if isEmpty { return [] }
        let old = try Self.read(dir: dir)
        let merged = over(old)
        if merged == old { return [] }
        var changes: [String] = []
        if let name, name != old?.name { changes.append("name \(name)") }
        for t in tags where !(old?.tags.contains { $0.key == t.key && $0.value == t.value } ?? false) {
            changes.append("tag \(t.key)=\(t.value)")
        }
        if let note, note != old?.note { changes.append("note") }
        try merged.write(dir: dir)
        return changes
    }

    /// `nn: notes of DIR updated: tag extra=1, note`, what `nn train` and `nn sweep` print
    /// when they change the notes of a run or sweep that was already there.
    package static func updatedLine(dir: String, changes: [String]) -> String {
        "nn: notes of \(dir) updated: \(changes.joined(separator: ", "))"
    }

    /// Reads a `meta.json` document (`path` names it in errors).
    package static func parse(_ doc: JSONValue, path: String) throws -> RunMeta {
        guard case .object = doc else { throw NNError("\(path): expected a JSON object") }
        func text(_ key: String) throws -> String? {
            switch doc[key] {
            case nil, .null?: return nil
            case .string(let s)?: return s
            default: throw NNError("\(path): '\(key)' must be a string")
            }
        }
        var tags: [(key: String, value: String)] = []
        if case .object(let members)? = doc["tags"] {
            for m in members {
                guard case .string(let v) = m.value else { throw NNError("\(path): tag '\(m.key)' must be a string") }
                tags.append((m.key, v))
            }
        } else if let t = doc["tags"], t != .null {
            throw NNError("\(path): 'tags' must be an object")
        }
        return RunMeta(name: try text("name"), tags: tags, note: try text("note"))
    }

    /// `meta.json` of `dir`, or nil when there is none.
    package static func read(dir: String) throws -> RunMeta? {
        let path = FilePath.join(dir, file)
        guard FilePath.exists(path) else { return nil }
        return try parse(JSONValue.read(path: path), path: path)
    }

    /// This meta over `base` (a sweep's): the name, note and each tag of this one win.
    package func over(_ base: RunMeta?) -> RunMeta {
        guard let base else { return self }
        var tags = Dictionary(base.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        for t in self.tags { tags[t.key] = t.value }
        return RunMeta(name: name ?? base.name, tags: tags.map { ($0.key, $0.value) }, note: note ?? base.note)
    }

    /// The tags as one cell: `team=vision,try=2`.
    package var tagsText: String { tags.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
}
