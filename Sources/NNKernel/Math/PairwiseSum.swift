/// Summation in NumPy's order.
///
/// `np.sum` / `np.mean` over a contiguous axis use pairwise summation: blocks of at most
/// 128 elements are summed with eight interleaved accumulators combined as
/// `((r0+r1)+(r2+r3)) + ((r4+r5)+(r6+r7))` plus a sequential tail, and longer runs are split
/// at `n/2` rounded down to a multiple of 8 and the halves added. The reduction starts
/// from the identity 0. Reproducing this order makes `db` and the loss round as NumPy's do.
enum PairwiseSum {
    static func sum<T: NNScalar>(_ p: UnsafePointer<T>, _ n: Int, stride: Int = 1) -> T {
        0 + block(p, n, stride)
    }

    @inline(__always)
    static func block<T: NNScalar>(_ a: UnsafePointer<T>, _ n: Int, _ s: Int) -> T {
        if n < 8 {
            var res: T = 0
            for i in 0..<n { res += a[i * s] }
            return res
        } else if n <= 128 && s == 1 {
            // The same eight accumulators as below, as the lanes of one SIMD vector (lane k
            // adds a[k], a[k + 8], … in order): the same sums, bit for bit, eight at a time.
            @inline(__always) func eight(_ i: Int) -> SIMD8<T> {
                SIMD8(a[i], a[i + 1], a[i + 2], a[i + 3], a[i + 4], a[i + 5], a[i + 6], a[i + 7])
            }
            var r = eight(0)
            var i = 8
            let end = n - (n % 8)
            while i < end { r = r + eight(i); i += 8 }
            var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n { res += a[i]; i += 1 }
            return res
        } else if n <= 128 {
            var r0 = a[0], r1 = a[s], r2 = a[2 * s], r3 = a[3 * s]
            var r4 = a[4 * s], r5 = a[5 * s], r6 = a[6 * s], r7 = a[7 * s]
            var i = 8
            let end = n - (n % 8)
            while i < end {
                r0 += a[i * s]; r1 += a[(i + 1) * s]; r2 += a[(i + 2) * s]; r3 += a[(i + 3) * s]
                r4 += a[(i + 4) * s]; r5 += a[(i + 5) * s]; r6 += a[(i + 6) * s]; r7 += a[(i + 7) * s]
                i += 8
            }
            var res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while i < n { res += a[i * s]; i += 1 }
            return res
        } else {
            var n2 = n / 2
            n2 -= n2 % 8
            return block(a, n2, s) + block(a + n2 * s, n - n2, s)
        }
    }
}
