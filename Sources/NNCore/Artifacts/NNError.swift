import Foundation

/// The one error type NNCore throws for anything a user can cause: a bad file, a bad
/// flag value, a failed download. `description` is a single line that names the file
/// or flag and what was wrong; the CLI prints it as `error: <description>`.
public struct NNError: Error, CustomStringConvertible, LocalizedError, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}
