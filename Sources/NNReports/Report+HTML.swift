import NNRuns

extension Report.Files {
    /// These files with `report.html` before `report.md` (see `HTMLReport`); `runs` are the
    /// run or sweep directories reported on.
    package func addingHTML(runs: [String], imageDirectories: [String] = []) throws -> Report.Files {
        var copy = self
        let page = try HTMLReport.page(files: files, runs: runs, imageDirectories: imageDirectories)
        let at = copy.files.firstIndex { $0.name == Report.markdownFile } ?? copy.files.endIndex
        copy.files.insert((HTMLReport.file, page), at: at)
        return copy
    }
}
