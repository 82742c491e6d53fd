import NNBase
/// What a network allocates, computed with overflow checks before anything is allocated
/// and compared with physical memory (`MemoryBudget`).
extension Architecture {
    /// Weights and biases of all layers (`out × in + out` each), or nil on overflow.
    package var checkedParameterCount: Int? {
        MemoryBudget.sum(zip(sizes, sizes.dropFirst()).map { input, output in
            MemoryBudget.sum([MemoryBudget.product([output, input]), output])
        })
    }

    /// Throws, naming `what` (the flag or file the sizes came from) and the figure, unless
    /// - each layer's weights (`out × in × scalarBytes`) fit in physical memory, and
    /// - with `samples` > 0, training fits: the parameters `2 + optimizerCopies` times
    ///   (weights, gradients, optimizer state), each layer's activations for `samples`
    ///   columns three times (A, Z, gradient) and the `in × samples` input.
    /// For example `--layers 785,1000000000000,1 needs 5.6 PiB for layer 1's weights;
    /// this machine has 24 GiB`. Sizes that are not positive are left to `validate`.
    package func requireMemory(scalarBytes: Int, samples: Int = 0, optimizer: OptimizerKind = .gd,
                              what: String) throws {
        guard sizes.allSatisfy({ $0 > 0 }) else { return }
        for (i, (input, output)) in zip(sizes, sizes.dropFirst()).enumerated() {
            try MemoryBudget.require(MemoryBudget.product([output, input, scalarBytes]),
                                     for: what, purpose: "layer \(i + 1)'s weights")
        }
        guard samples > 0 else { return }
        let copies = 2 + (optimizer == .adam ? 2 : optimizer == .momentum ? 1 : 0)
        let parameters = MemoryBudget.product([checkedParameterCount ?? -1, copies, scalarBytes])
        let units = MemoryBudget.sum(Array(sizes.dropFirst()))
        let activations = MemoryBudget.product([units ?? -1, samples, 3, scalarBytes])
        let input = MemoryBudget.product([sizes[0], samples, scalarBytes])
        try MemoryBudget.require(MemoryBudget.sum([parameters, activations, input]), for: what,
                                 purpose: "weights, gradients and activations for \(samples) samples")
    }
}

extension Network {
    /// The largest parameter magnitude training accepts: √(largest finite value), about
    /// 1.3e154 in f64 and 1.8e19 in f32. Beyond it the product of two such numbers
    /// overflows, so the network's outputs are infinities, NaNs or saturated 0/1 however
    /// finite the weights still are (`--lr 1e308` made weights of 4e307 whose every
    /// prediction was exactly 0). No trained network comes near it.
    package static var usableMagnitude: T { T.sqrt(T.greatestFiniteMagnitude) }

    /// True when every weight and bias is finite and at most `usableMagnitude` in size
    /// (one pass over the parameters: cheap next to an epoch).
    package var parametersAreUsable: Bool {
        let limit = Self.usableMagnitude
        return everyParameter { abs($0) <= limit }
    }

    /// True when every weight and bias is finite (one pass over the parameters: cheap
    /// next to an epoch, which multiplies each of them by every sample).
    package var parametersAreFinite: Bool { everyParameter { $0.isFinite } }

    /// True when `test` holds for every weight and bias of every layer.
    private func everyParameter(_ test: (T) -> Bool) -> Bool {
        parameters.allSatisfy { p in UnsafeBufferPointer(start: p.value.pointer, count: p.value.count).allSatisfy(test) }
    }
}
