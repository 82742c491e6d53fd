
/// The one error type nn's modules throw for anything a user can cause: a bad file, a bad
/// flag value, a failed download. `description` is a single line that names the file
/// or flag and what was wrong; the CLI prints it as `Error: <description>`. NNKernel
/// itself throws typed values that name no flag (`ArchitectureError`); the layers above
/// turn them into NNErrors naming the flag or file that set the value.
package struct NNError: Error, CustomStringConvertible, Equatable, Sendable {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}
