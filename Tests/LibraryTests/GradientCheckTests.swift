import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// Finite differences against backprop, in float64, for every activation and loss.
///
/// For each parameter p: `(L(p+h) − L(p−h)) / 2h` with h = 1e-6 must match the backprop
/// gradient to 1e-7 (absolute, gradients here are O(0.1)). The loss is evaluated with ε = 0,
/// the function whose gradient the formulas compute.
@Suite struct GradientCheckTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var hidden: Activation
        var loss: LossKind
        var path: GradientPath
        var outputs: Int
        var testDescription: String { "\(hidden.rawValue) hidden, \(loss.rawValue) \(path.rawValue), \(outputs) outputs" }
    }

    static let cases: [Case] = {
        var c: [Case] = []
        for h in [Activation.relu, .tanh, .sigmoid, .identity] {
            c.append(Case(hidden: h, loss: .bce, path: .notebook, outputs: 1))
            c.append(Case(hidden: h, loss: .bce, path: .stable, outputs: 1))
            c.append(Case(hidden: h, loss: .bce, path: .stable, outputs: 2))
            c.append(Case(hidden: h, loss: .cce, path: .notebook, outputs: 3))
            c.append(Case(hidden: h, loss: .cce, path: .stable, outputs: 3))
        }
        return c
    }()

    @Test(arguments: cases)
    func backpropMatchesFiniteDifferences(_ c: Case) {
        let sizes = [4, 5, 3, c.outputs]
        let arch = Architecture(sizes: sizes, activations: [c.hidden, c.hidden, c.loss.outputActivation], loss: c.loss, gradient: c.path)
        let net = Network<Double>(architecture: arch)
        var rng = MT19937(seed: 7)
        net.initialize(.notebook, rng: &rng)
        // Non-zero biases so their gradients are exercised away from the symmetric start.
        for layer in net.layers { for i in 0..<layer.bias.count { layer.bias.storage[i] = rng.randomDouble() * 0.2 - 0.1 } }
        let n = 6
        let x = Matrix<Double>(rows: 4, cols: n, values: (0..<(4 * n)).map { _ in rng.randomDouble() * 2 - 1 })
        var yv = [Double](repeating: 0, count: c.outputs * n)
        for j in 0..<n {
            if c.loss == .cce { yv[(j % c.outputs) * n + j] = 1 } else { for o in 0..<c.outputs { yv[o * n + j] = Double((j + o) % 2) } }
        }
        let y = Matrix<Double>(rows: c.outputs, cols: n, values: yv)
        let grads = net.gradients(x: x, y: y)
        let h = 1e-6
        var worst = 0.0
        for (l, layer) in net.layers.enumerated() {
            for (tensor, analytic) in [(layer.weights, grads[l].w), (layer.bias, grads[l].b)] {
                for i in 0..<tensor.count {
                    let p = tensor.storage[i]
                    tensor.storage[i] = p + h
                    let up = net.loss(x: x, y: y, epsilon: 0)
                    tensor.storage[i] = p - h
                    let down = net.loss(x: x, y: y, epsilon: 0)
                    tensor.storage[i] = p
                    let numeric = (up - down) / (2 * h)
                    worst = max(worst, abs(numeric - analytic[i]))
                }
            }
        }
        #expect(worst < 1e-7, "largest |numeric − backprop| = \(worst)")
    }

    /// The stable path never turns a saturated sigmoid into NaN; the notebook formula does
    /// once 1 − A rounds to 0 (this is why `--gradient stable` exists).
    @Test func stablePathSurvivesSaturation() {
        for path in [GradientPath.notebook, .stable] {
            let arch = Architecture(sizes: [1, 1], activations: [.sigmoid], loss: .bce, gradient: path)
            let net = Network<Double>(architecture: arch)
            net.layers[0].weights.storage[0] = 100
            let x = Matrix<Double>(rows: 1, cols: 1, values: [1])
            let y = Matrix<Double>(rows: 1, cols: 1, values: [0])
            let g = net.gradients(x: x, y: y)[0].w[0]
            if path == .stable { #expect(g.isFinite && abs(g - 1) < 1e-12) } else { #expect(!g.isFinite) }
        }
    }
}
