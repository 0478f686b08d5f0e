package org.shufflenet3d.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidClipException;

class ClipPrefetcherTest {

    private static final ClipShape SHAPE = new ClipShape(2, 3, 4);

    /** A clip filled with its index, built after a random pause so threads finish out of order. */
    private static INDArray slowClip(int index) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Nd4j.valueArrayOf(new long[] {3, 2, 3, 4}, (float) index);
    }

    @Test
    void batchesComeInTheGivenOrderWhateverTheThreadsDo() {
        List<int[]> batches = List.of(new int[] {4, 0, 7}, new int[] {2}, new int[] {9, 9}, new int[] {1, 3, 5});
        try (ClipPrefetcher prefetcher = new ClipPrefetcher(batches, ClipPrefetcherTest::slowClip, SHAPE,
                DataType.DOUBLE, 3, 2)) {
            for (int[] indices : batches) {
                assertTrue(prefetcher.hasNext());
                INDArray batch = prefetcher.next();
                assertArrayEquals(new long[] {indices.length, 3, 2, 3, 4}, batch.shape());
                assertSame(DataType.DOUBLE, batch.dataType());
                for (int i = 0; i < indices.length; i++) {
                    assertEquals(indices[i], batch.slice(i).minNumber().intValue());
                    assertEquals(indices[i], batch.slice(i).maxNumber().intValue());
                }
            }
            assertFalse(prefetcher.hasNext());
            assertThrows(NoSuchElementException.class, prefetcher::next);
        }
    }

    @Test
    void aFailingClipIsThrownByTheBatchThatHoldsIt() {
        List<int[]> batches = List.of(new int[] {0}, new int[] {1});
        try (ClipPrefetcher prefetcher = new ClipPrefetcher(batches, index -> {
            if (index == 1) {
                throw new InvalidDatasetException("video 1 is unreadable");
            }
            return slowClip(index);
        }, SHAPE, DataType.FLOAT, 2, 2)) {
            assertEquals(0, prefetcher.next().sumNumber().intValue());
            InvalidDatasetException error = assertThrows(InvalidDatasetException.class, prefetcher::next);
            assertEquals("video 1 is unreadable", error.getMessage());
        }
    }

    @Test
    void clipsOfTheWrongShapeAreRefusedByName() {
        try (ClipPrefetcher prefetcher = new ClipPrefetcher(List.<int[]>of(new int[] {6}),
                index -> Nd4j.zeros(DataType.FLOAT, 3, 2, 4, 3), SHAPE, DataType.FLOAT, 1, 1)) {
            InvalidClipException error = assertThrows(InvalidClipException.class, prefetcher::next);
            assertTrue(error.getMessage().contains("clip 6 is FLOAT [3, 2, 4, 3]; expected float [3, 2, 3, 4]"),
                    error.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new ClipPrefetcher(List.of(), ClipPrefetcherTest::slowClip,
                SHAPE, DataType.FLOAT, 0, 1));
    }
}
