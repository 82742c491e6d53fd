import NNKernel

extension Divergence {
    /// The kernel's `problem` and what to change, in the experiment keys' flags (as
    /// `nn train` prints it and a sweep point's status.json and marker record it).
    package var message: String { problem + "; try a smaller --lr, --gradient stable, or --precision f64" }
}
