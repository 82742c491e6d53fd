import NNKernel
import NNFormats
/// Turns prepared u8 images and 0-9 labels into the network's inputs and targets,
/// exactly as the notebook does on load:
///
///     X = np.c_[np.ones((n, 1)), X]    # bias column first …
///     X /= 255                          # … then scaling, so the bias input is 1/255
///     y = (y == 8).astype(int)          # binary target (or one-hot for all classes)
///
/// and transposed to the network's layout: `X` is `(1 + features) × n` (or `features × n`
/// without the bias column), `Y` is `outputs × n`. Each element is `pixel / 255` computed in
/// f64 (then rounded to f32 for `--precision f32`).
struct DesignMatrix<T: NNScalar> {
    let x: Matrix<T>
    let y: Matrix<T>
    let labels: [UInt8]

    init(images: [UInt8], labels: [UInt8], features: Int, target: PreparedTarget, biasColumn: Bool, parallel: Parallel) {
        let n = labels.count
        precondition(images.count == n * features, "images must hold n × features bytes")
        let offset = biasColumn ? 1 : 0
        let x = Matrix<T>(rows: features + offset, cols: n)
        let xp = x.pointer
        if biasColumn {
            let v = T(1.0 / 255.0)
            for j in 0..<n { xp[j] = v }
        }
        // 256-entry table: pixel -> pixel/255, the same value the division gives.
        let table = (0..<256).map { T(Double($0) / 255.0) }
        images.withUnsafeBufferPointer { img in
            let src = img.baseAddress!
            table.withUnsafeBufferPointer { tb in
                let t = tb.baseAddress!
                parallel.forRanges(features, cost: n) { lo, hi in
                    // A transpose in blocks of 64 samples, whose image rows stay in the cache
                    // while every feature of the range reads them.
                    for j0 in stride(from: 0, to: n, by: 64) {
                        let j1 = min(n, j0 + 64)
                        for f in lo..<hi {
                            let dst = xp + (f + offset) * n
                            for j in j0..<j1 { dst[j] = t[Int(src[j * features + f])] }
                        }
                    }
                }
            }
        }
        let outputs = target.outputs
        let y = Matrix<T>(rows: outputs, cols: n)
        let t = target.targets(for: labels)  // sample-major
        for j in 0..<n {
            for o in 0..<outputs { y.storage[o * n + j] = T(t[j * outputs + o]) }
        }
        self.x = x
        self.y = y
        self.labels = labels
    }
}
