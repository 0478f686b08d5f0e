package org.shufflenet3d.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidConfigurationException;

/**
 * {@link LabeledClips} as a DL4J {@link DataSetIterator}, for {@code ComputationGraph.fit}, {@code evaluate} and
 * whatever else takes one: mini-batches of float32 clips [batch, 3, D, H, W] with one-hot labels [batch, classes],
 * the last batch smaller when the clips do not divide evenly. Clips are built ahead on background threads
 * ({@link ClipPrefetcher}), so DL4J's own asynchronous prefetching is not asked for.
 *
 * <p>{@link #ClipDataSetIterator(LabeledClips, int) In order}, every clip once an epoch as {@link LabeledClips#clip}
 * gives it (for evaluation); {@link #training} shuffles the clips each epoch and asks for
 * {@link LabeledClips#trainingClip}, both drawn from the seed and the epoch alone, so a run is reproducible. An epoch
 * ends when {@link #hasNext()} turns false; {@link #reset()} starts the next. A {@link #setPreProcessor
 * pre-processor} sees each batch before it is returned: {@link ClipNormalizer} applies the reference's
 * normalisation to clips of raw pixels.
 *
 * <p>Not thread-safe, as DL4J's iterators are not. An iterator left in the middle of an epoch keeps its (daemon)
 * threads until {@link #reset()}.
 */
public final class ClipDataSetIterator implements DataSetIterator {

    private static final int BATCHES_AHEAD = 2;

    private final LabeledClips clips;
    private final int batchSize;
    private final boolean training;
    private final long seed;
    private DataSetPreProcessor preProcessor;
    private int epoch;
    private List<int[]> batches;
    private int position;
    private ClipPrefetcher prefetcher;

    /** Every clip once an epoch, in index order, in batches of {@code batchSize}. */
    public ClipDataSetIterator(LabeledClips clips, int batchSize) {
        this(clips, batchSize, false, 0);
    }

    private ClipDataSetIterator(LabeledClips clips, int batchSize, boolean training, long seed) {
        if (clips == null || clips.size() < 1) {
            throw new InvalidConfigurationException("a clip iterator needs at least one clip, got "
                    + (clips == null ? "null" : "none"));
        }
        if (batchSize < 1) {
            throw new InvalidConfigurationException("the batch size must be at least 1, got " + batchSize);
        }
        this.clips = clips;
        this.batchSize = batchSize;
        this.training = training;
        this.seed = seed;
        planEpoch();
    }

    /**
     * Training batches: the clips in an order shuffled anew each epoch, each as {@link LabeledClips#trainingClip}
     * cuts it (random crops, flips and windows for the datasets that augment), all drawn from {@code seed} and the
     * epoch.
     */
    public static ClipDataSetIterator training(LabeledClips clips, int batchSize, long seed) {
        return new ClipDataSetIterator(clips, batchSize, true, seed);
    }

    @Override
    public boolean hasNext() {
        return position < batches.size();
    }

    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " has no batches left (" + batches.size()
                    + " taken); call reset() for the next epoch");
        }
        if (prefetcher == null) {
            long clipSeeds = mix(seed, epoch, 1);
            prefetcher = new ClipPrefetcher(batches.subList(position, batches.size()),
                    index -> training ? clips.trainingClip(index, mix(clipSeeds, index, 0)) : clips.clip(index),
                    clips.clipShape(), DataType.FLOAT, ClipPrefetcher.DEFAULT_THREADS, BATCHES_AHEAD);
        }
        int[] indices = batches.get(position++);
        INDArray features = prefetcher.next();
        if (!hasNext()) {
            closePrefetcher();
        }
        DataSet batch = new DataSet(features, oneHot(indices));
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    /** Only whole batches of the configured size: construct the iterator with the batch size you want. */
    @Override
    public DataSet next(int num) {
        if (num != batchSize) {
            throw new UnsupportedOperationException("this iterator returns batches of " + batchSize + " clips, not "
                    + num + "; construct it with the batch size you want");
        }
        return next();
    }

    @Override
    public void reset() {
        closePrefetcher();
        epoch++;
        planEpoch();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    /** False: batches are already built ahead on background threads. */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    /** The values per clip, 3·D·H·W. */
    @Override
    public int inputColumns() {
        ClipShape shape = clips.clipShape();
        return ClipShape.CHANNELS * shape.frames() * shape.height() * shape.width();
    }

    @Override
    public int totalOutcomes() {
        return clips.numClasses();
    }

    @Override
    public int batch() {
        return batchSize;
    }

    /** The class names, by label. */
    @Override
    public List<String> getLabels() {
        return clips.classNames();
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    private void planEpoch() {
        List<Integer> order = new ArrayList<>(IntStream.range(0, clips.size()).boxed().toList());
        if (training) {
            Collections.shuffle(order, new Random(mix(seed, epoch, 0)));
        }
        batches = new ArrayList<>();
        for (int start = 0; start < order.size(); start += batchSize) {
            batches.add(order.subList(start, Math.min(order.size(), start + batchSize)).stream()
                    .mapToInt(Integer::intValue).toArray());
        }
        position = 0;
    }

    private INDArray oneHot(int[] indices) {
        int classes = clips.numClasses();
        INDArray labels = Nd4j.zeros(DataType.FLOAT, indices.length, classes);
        for (int row = 0; row < indices.length; row++) {
            int label = clips.label(indices[row]);
            if (label < 0 || label >= classes) {
                throw new InvalidDatasetException("clip " + indices[row] + " has label " + label + "; expected 0 to "
                        + (classes - 1) + " (" + classes + " classes)");
            }
            labels.putScalar(row, label, 1f);
        }
        return labels;
    }

    private void closePrefetcher() {
        if (prefetcher != null) {
            prefetcher.close();
            prefetcher = null;
        }
    }

    /** A seed for {@code stream} of {@code counter} (an epoch, a clip) derived from {@code seed}. */
    private static long mix(long seed, int counter, int stream) {
        return seed * 0x9E3779B97F4A7C15L + counter * 0xBF58476D1CE4E5B9L + stream;
    }
}
