package org.shufflenet3d.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;

/** Batches of LabeledClips as DL4J DataSets: shapes, labels, order, epochs and pre-processing. */
class ClipDataSetIteratorTest {

    private static final ClipShape SHAPE = new ClipShape(4, 12, 12);

    /** Ten clips whose every value is its index, labels cycling through three classes. */
    private static LabeledClips indexed() {
        return new LabeledClips() {
            @Override
            public int size() {
                return 10;
            }

            @Override
            public int numClasses() {
                return 3;
            }

            @Override
            public ClipShape clipShape() {
                return SHAPE;
            }

            @Override
            public INDArray clip(int index) {
                return Nd4j.valueArrayOf(new long[] {3, 4, 12, 12}, (float) index);
            }

            @Override
            public INDArray trainingClip(int index, long seed) {
                return clip(index).addi(1000);
            }

            @Override
            public int label(int index) {
                return index % 3;
            }
        };
    }

    private static List<Integer> indicesOf(DataSet batch) {
        List<Integer> indices = new ArrayList<>();
        for (int row = 0; row < batch.numExamples(); row++) {
            indices.add((int) (batch.getFeatures().slice(row).getDouble(0) % 1000));
        }
        return indices;
    }

    @Test
    void everyClipOnceInOrderWithOneHotLabels() {
        ClipDataSetIterator iterator = new ClipDataSetIterator(indexed(), 4);
        List<Integer> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        while (iterator.hasNext()) {
            DataSet batch = iterator.next();
            assertEquals(DataType.FLOAT, batch.getFeatures().dataType());
            assertArrayEquals(new long[] {batch.numExamples(), 3, 4, 12, 12}, batch.getFeatures().shape());
            List<Integer> indices = indicesOf(batch);
            for (int row = 0; row < indices.size(); row++) {
                INDArray expected = Nd4j.zeros(DataType.FLOAT, 3);
                expected.putScalar(indices.get(row) % 3, 1f);
                assertEquals(expected, batch.getLabels().getRow(row));
            }
            seen.addAll(indices);
            sizes.add(batch.numExamples());
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), seen);
        assertEquals(List.of(4, 4, 2), sizes);
        assertThrows(NoSuchElementException.class, iterator::next);
        iterator.reset();
        assertEquals(List.of(0, 1, 2, 3), indicesOf(iterator.next()));
        assertEquals(3, iterator.totalOutcomes());
        assertEquals(3 * 4 * 12 * 12, iterator.inputColumns());
        assertEquals(List.of("0", "1", "2"), iterator.getLabels());
        assertFalse(iterator.asyncSupported());
    }

    @Test
    void trainingShufflesEachEpochReproduciblyWithTrainingClips() {
        List<List<Integer>> epochs = new ArrayList<>();
        ClipDataSetIterator iterator = ClipDataSetIterator.training(indexed(), 10, 7);
        for (int epoch = 0; epoch < 2; epoch++) {
            DataSet batch = iterator.next();
            assertEquals(1000.0, batch.getFeatures().minNumber().doubleValue() - indicesOf(batch).stream()
                    .mapToInt(Integer::intValue).min().orElseThrow(), 1e-9, "trainingClip is used");
            epochs.add(indicesOf(batch));
            iterator.reset();
        }
        assertNotEquals(epochs.get(0), epochs.get(1));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), epochs.get(0).stream().sorted().toList());
        assertEquals(epochs.get(0), indicesOf(ClipDataSetIterator.training(indexed(), 10, 7).next()));
        assertNotEquals(epochs.get(0), indicesOf(ClipDataSetIterator.training(indexed(), 10, 8).next()));
    }

    @Test
    void aPreProcessorSeesEachBatch() {
        ClipDataSetIterator iterator = new ClipDataSetIterator(indexed(), 5);
        iterator.setPreProcessor(batch -> batch.getFeatures().muli(2));
        DataSet first = iterator.next();
        assertEquals(8.0, first.getFeatures().maxNumber().doubleValue(), 1e-9);
    }

    @Test
    void refusesBadSettingsAndLabels() {
        assertThrows(org.shufflenet3d.InvalidConfigurationException.class, () -> new ClipDataSetIterator(indexed(), 0));
        assertThrows(UnsupportedOperationException.class, () -> new ClipDataSetIterator(indexed(), 4).next(3));
        LabeledClips wrong = new SyntheticMotion(2, SHAPE, 1, 1) {
            @Override
            public int label(int index) {
                return 7;
            }
        };
        InvalidDatasetException e = assertThrows(InvalidDatasetException.class,
                () -> new ClipDataSetIterator(wrong, 2).next());
        assertTrue(e.getMessage().contains("clip 0 has label 7; expected 0 to 3"), e.getMessage());
    }
}
