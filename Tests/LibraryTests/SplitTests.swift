import Foundation
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import Testing

/// Expected splits were computed with scikit-learn 1.9.1 and NumPy 2.4.6:
///     train, test = train_test_split(np.arange(n), train_size=T, test_size=S, random_state=seed)
@Suite struct SplitTests {
    @Test(arguments: [
        (10, 6, 3, UInt32(42), [0, 7, 2, 9, 4, 3], [8, 1, 5]),
        (20, 12, 8, UInt32(0), [4, 2, 5, 14, 9, 7, 16, 11, 3, 0, 15, 12], [18, 1, 19, 8, 10, 17, 6, 13]),
        (7, 4, 3, UInt32(1), [0, 4, 3, 5], [6, 2, 1]),
    ])
    func matchesScikitLearn(n: Int, trainSize: Int, testSize: Int, seed: UInt32, train: [Int], test: [Int]) throws {
        let split = try TrainTestSplit(poolSize: n, trainSize: trainSize, testSize: testSize, seed: seed)
        #expect(split.train == train)
        #expect(split.test == test)
        #expect(split.poolSize == n && split.seed == seed)
    }

    @Test func notebookSplitOfTheFullPool() throws {
        let split = try TrainTestSplit(poolSize: 70_000, trainSize: 50_000, testSize: 20_000, seed: 42)
        #expect(Array(split.test.prefix(5)) == [46730, 48393, 41416, 34506, 43725])
        #expect(Array(split.train.prefix(5)) == [32027, 68060, 48945, 69033, 21449])
        #expect(Set(split.train).isDisjoint(with: split.test))
        #expect(Set(split.train + split.test).count == 70_000)
        #expect(TrainTestSplit.indexDigest(split.test) == "0ebed9477cb1407c11d92d4c562134a87f0a857316659b7cb2e2596e37337abe")
        #expect(TrainTestSplit.indexDigest(split.train) == "174e1f5eb81f60cd52b37c5ec877aeb8d0a9f5456d7456134b706a5b05535b6a")
    }

    @Test func indexDigestIsLittleEndianInt64() {
        // hashlib.sha256(np.array([8, 1, 5], '<i8').tobytes()).hexdigest()
        #expect(TrainTestSplit.indexDigest([8, 1, 5]) == "71767611dbd4af981f57ba866b9afde3252c6ce1a4772a1928d8031a5b08c691")
        #expect(TrainTestSplit.indexDigest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func sizesMayFillThePoolExactly() throws {
        let split = try TrainTestSplit(poolSize: 10, trainSize: 7, testSize: 3, seed: 42)
        #expect(Set(split.train + split.test) == Set(0..<10))
    }

    @Test(arguments: [(10, 8, 3, "--train-size 8 + --test-size 3 = 11"), (10, 0, 3, "--train-size 0"),
                      (10, 5, -1, "--test-size -1"), (0, 1, 1, "more than the 0 items")])
    func badSizesAreOneLineErrors(n: Int, trainSize: Int, testSize: Int, fragment: String) {
        let error = #expect(throws: NNError.self) {
            try TrainTestSplit(poolSize: n, trainSize: trainSize, testSize: testSize, seed: 42)
        }
        #expect(error?.message.contains(fragment) == true)
        #expect(error?.message.contains("\n") == false)
    }
}
