package org.shufflenet3d.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shufflenet3d.ReferenceOps.assertClose;
import static org.shufflenet3d.ReferenceOps.assertSameValues;
import static org.shufflenet3d.ReferenceOps.uniform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GraphExecutor against SameDiff's own execution on a graph with every kind of op the networks use: custom ops,
 * legacy transform and scalar ops, reshapes (taken as views), identities, a multi-output op, variables, constants,
 * placeholders. This is where a change in how SameDiff stores graphs shows first.
 */
class GraphExecutorTest {

    private static final List<String> OUTPUTS = List.of("out", "half", "x", "w");

    /** [N, 4, 6] → reshape, matmul with a variable, relu, unstack, legacy ops, identity. */
    private static SameDiff graph() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 4, 6);
        SDVariable w = sd.var("w", uniform(1, -1, 1, 6, 6));
        SDVariable c = sd.constant("c", uniform(2, -1, 1, 6));
        SDVariable rows = x.reshape(-1, 6);
        SDVariable h = sd.nn.relu(sd.mmul(rows, w).add(c), 0);
        SDVariable[] halves = sd.unstack(h.reshape(-1, 2, 2, 6), 1, 2);
        SDVariable combined = sd.math.tanh(halves[0]).mul(2.5).add(sd.math.exp(halves[1].neg()));
        sd.identity("out", sd.sum(combined, 2));
        sd.identity("half", halves[1]);
        return sd;
    }

    private static Map<String, INDArray> sameDiffOutputs(SameDiff sd, INDArray x) {
        return sd.output(Map.of("x", x), OUTPUTS);
    }

    @Test
    void computesWhatSameDiffComputes() {
        SameDiff sd = graph();
        GraphExecutor executor = new GraphExecutor(sd, OUTPUTS);
        INDArray x = uniform(3, -1, 1, 3, 4, 6);

        Map<String, INDArray> expected = sameDiffOutputs(sd, x);
        Map<String, INDArray> actual = executor.run(Map.of("x", x));

        for (String output : OUTPUTS) {
            assertSameValues(expected.get(output), actual.get(output));
        }
        assertEquals(java.util.Set.of("x"), executor.placeholders());
    }

    @Test
    void reusesItsArraysFromOneRunToTheNextAndLeavesTheCallersAlone() {
        SameDiff sd = graph();
        GraphExecutor executor = new GraphExecutor(sd, List.of("out"));
        INDArray x = uniform(4, -1, 1, 2, 4, 6);
        INDArray first = executor.run(Map.of("x", x)).get("out");
        INDArray firstCopy = first.dup();
        long afterFirst = executor.arraysAllocated();

        for (int i = 0; i < 5; i++) {
            assertSameValues(firstCopy, executor.run(Map.of("x", x)).get("out"));
        }

        assertSameValues(firstCopy, first);
        assertTrue(executor.arraysAllocated() <= afterFirst + 5, "at most one new array per run: the output handed over");
    }

    @Test
    void batchSizesMayChangeBetweenRuns() {
        SameDiff sd = graph();
        GraphExecutor executor = new GraphExecutor(sd, OUTPUTS);
        for (int batch : new int[] {2, 5, 1, 2}) {
            INDArray x = uniform(batch, -1, 1, batch, 4, 6);
            assertSameValues(sameDiffOutputs(sd, x).get("out"), executor.run(Map.of("x", x)).get("out"));
        }
    }

    @Test
    void threadsRunAtTheSameTimeAndAgreeWithOneThread() throws Exception {
        SameDiff sd = graph();
        GraphExecutor executor = new GraphExecutor(sd, List.of("out"));
        List<INDArray> inputs = new ArrayList<>();
        List<INDArray> expected = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            inputs.add(uniform(10 + i, -1, 1, 3, 4, 6));
            expected.add(executor.run(Map.of("x", inputs.get(i))).get("out"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<INDArray>> results = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (INDArray input : inputs) {
                    results.add(pool.submit(() -> executor.run(Map.of("x", input)).get("out")));
                }
            }
            for (int i = 0; i < results.size(); i++) {
                assertSameValues(expected.get(i % inputs.size()), results.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMissingPlaceholderIsNamed() {
        GraphExecutor executor = new GraphExecutor(graph(), List.of("out"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> executor.run(Map.of()));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }

    @Test
    void aFailingOpIsNamedWithItsInputs() {
        SameDiff sd = SameDiff.create();
        SDVariable a = sd.placeHolder("a", DataType.FLOAT, -1, 3);
        SDVariable b = sd.placeHolder("b", DataType.FLOAT, -1, 4);
        a.add("sum", b);
        GraphExecutor executor = new GraphExecutor(sd, List.of("sum"));

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> executor.run(Map.of(
                "a", Nd4j.ones(DataType.FLOAT, 2, 3), "b", Nd4j.ones(DataType.FLOAT, 2, 4))));
        assertTrue(e.getMessage().startsWith("op add (add) failed on [FLOAT[2, 3], FLOAT[2, 4]]"), e.getMessage());
    }

    @Test
    void aReshapeOfAContiguousArrayIsAView() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 6);
        x.mul(2.0).reshape(-1, 2, 3).add("y", 1.0);
        GraphExecutor executor = new GraphExecutor(sd, List.of("y"));
        INDArray input = uniform(5, -1, 1, 4, 6);
        executor.run(Map.of("x", input));
        long before = executor.arraysAllocated();

        INDArray y = executor.run(Map.of("x", input)).get("y");

        assertArrayEquals(new long[] {4, 2, 3}, y.shape());
        assertSameValues(input.mul(2.0).reshape(4, 2, 3).add(1.0), y);
        assertEquals(before + 1, executor.arraysAllocated(), "the reshape copies nothing; only the output is new");
    }

    @Test
    void placeholdersMayBeViewsIntoLargerArrays() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 6);
        x.reshape(-1, 2, 3).mul("y", 2.0);
        GraphExecutor executor = new GraphExecutor(sd, List.of("y"));
        INDArray whole = uniform(23, -1, 1, 5, 6);
        INDArray rows = whole.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 4),
                org.nd4j.linalg.indexing.NDArrayIndex.all());

        assertSameValues(rows.dup().reshape(2, 2, 3).mul(2.0), executor.run(Map.of("x", rows)).get("y"));
    }

    /** A layer's forward pass, then its backward pass from a gradient fed in between, as two parts of one run. */
    @Test
    void aRunInTwoPartsKeepsTheForwardArraysForTheBackwardPass() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 6);
        SDVariable w = sd.var("w", uniform(20, -1, 1, 6, 4));
        SDVariable y = sd.nn.relu("y", sd.math.tanh(sd.mmul(x, w)), 0);
        SDVariable epsilon = sd.placeHolder("epsilon", DataType.FLOAT, -1, 4);
        SDVariable loss = y.mul(epsilon).sum("loss");
        String gradient = Gradients.declare(sd, loss, List.of("w")).get("w").name();
        GraphExecutor executor = new GraphExecutor(sd, List.of(gradient), List.of("y"));
        INDArray input = uniform(21, -1, 1, 5, 6);
        INDArray eps = uniform(22, -1, 1, 5, 4);
        sd.setLossVariables("loss");
        INDArray expected = sd.calculateGradients(Map.of("x", input, "epsilon", eps), "w").get("w");

        for (int i = 0; i < 3; i++) {
            try (GraphExecutor.PartialRun run = executor.start(Map.of("x", input), null)) {
                assertSameValues(sd.output(Map.of("x", input), "y").get("y"), run.first().get("y"));
                assertClose(expected, run.finish(Map.of("epsilon", eps)).get(gradient), 1e-6);
            }
        }
        long allocated = executor.arraysAllocated();
        for (int i = 0; i < 5; i++) {
            executor.start(Map.of("x", input), null).close();
        }
        assertEquals(allocated, executor.arraysAllocated(), "an abandoned run gives its arrays back");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            try (GraphExecutor.PartialRun run = executor.start(Map.of("x", input), null)) {
                run.finish(Map.of());
            }
        });
        assertTrue(e.getMessage().contains("'epsilon'"), e.getMessage());
    }

    /** SameDiff's own session kept about 30 KB per call of the folded graph (60 MB over these runs). */
    @Test
    void heapStaysFlatOverManyRuns() {
        GraphExecutor executor = new GraphExecutor(graph(), List.of("out"));
        INDArray x = uniform(6, -1, 1, 3, 4, 6);
        for (int i = 0; i < 200; i++) {
            executor.run(Map.of("x", x));
        }
        long before = heapAfterCollection();
        for (int i = 0; i < 2000; i++) {
            executor.run(Map.of("x", x));
        }
        long growth = heapAfterCollection() - before;

        assertTrue(growth < 4_000_000, "heap grew by " + growth + " bytes over 2000 runs");
    }

    /** Heap in use after collections, with time for JavaCPP to free the native arrays the collections found. */
    private static long heapAfterCollection() {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }
}
