package org.shufflenet3d.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.parallelism.ParallelInference;
import org.deeplearning4j.parallelism.inference.InferenceMode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.zoo.ShuffleNetV2;

/**
 * Ways of feeding 5D clips through DL4J's plumbing: the ones docs/dl4j.md recommends work, the others fail as it says.
 */
class DataPlumbingTest {

    private static final int[] INPUT = {3, 4, 16, 16};

    private static ComputationGraph smallGraph() {
        return ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(3).inputShape(INPUT).build().init();
    }

    @Test
    void parallelInferenceInPlaceAnswersManyThreadsAtOnce() throws Exception {
        ComputationGraph graph = smallGraph();
        List<INDArray> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requests.add(Nd4j.rand(DataType.FLOAT, 1 + i % 3, 3, 4, 16, 16).muli(200).subi(100));
        }
        ParallelInference inference = new ParallelInference.Builder(graph).inferenceMode(InferenceMode.INPLACE)
                .workers(2).build();
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            List<Future<INDArray>> answers = new ArrayList<>();
            for (INDArray request : requests) {
                answers.add(callers.submit(() -> inference.output(request)));
            }
            for (int i = 0; i < requests.size(); i++) {
                assertTrue(graph.outputSingle(requests.get(i)).equalsWithEps(answers.get(i).get(2, TimeUnit.MINUTES),
                        1e-6), "request " + i);
            }
        } finally {
            callers.shutdownNow();
            inference.shutdown();
        }
    }

    /** DL4J's own behaviour, which docs/dl4j.md states: it merges examples only up to rank 4. */
    @Test
    void listDataSetIteratorRefusesClipsAsTheReadmeSays() {
        INDArray features = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 16, 16);
        List<DataSet> examples = new DataSet(features, Nd4j.eye(2).castTo(DataType.FLOAT)).asList();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new ListDataSetIterator<>(examples, 2).next());
        assertTrue(e.getMessage().startsWith("Cannot merge examples: features rank must be in range 2 to 4 inclusive"),
                e.getMessage());
        assertEquals(e.getMessage(), assertThrows(IllegalStateException.class, () -> DataSet.merge(examples))
                .getMessage());
    }
}
