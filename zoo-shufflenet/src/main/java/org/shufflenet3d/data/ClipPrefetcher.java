package org.shufflenet3d.data;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidClipException;

/**
 * Builds batches of clips ahead of their use on background threads, so decoding and transforming video overlaps
 * the network's work. Batches come out in the order given, each stacked to [batch, 3, D, H, W]; which clip a
 * position holds depends only on the caller's clip function, never on thread timing, so runs are reproducible.
 * An error building a clip is thrown, with its cause, by the {@link #next} that reaches its batch.
 */
public final class ClipPrefetcher implements AutoCloseable {

    /** Threads used when none are configured: one per core, at least two, so one decode may wait on disk. */
    public static final int DEFAULT_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final List<int[]> batches;
    private final IntFunction<INDArray> clipOf;
    private final long[] clipShape;
    private final DataType dataType;
    private final int ahead;
    private final ExecutorService threads;
    private final Deque<List<Future<INDArray>>> pending = new ArrayDeque<>();
    private int submitted;

    /**
     * Prefetches {@code batches} (clip indices each) with {@code clipOf}, keeping up to {@code ahead} batches in
     * flight on {@code threadCount} threads; clips must be float [3, D, H, W] of {@code shape} and come out cast to
     * {@code dataType}.
     */
    public ClipPrefetcher(List<int[]> batches, IntFunction<INDArray> clipOf, ClipShape shape, DataType dataType,
            int threadCount, int ahead) {
        if (threadCount < 1 || ahead < 1) {
            throw new IllegalArgumentException("prefetching needs at least one thread and one batch ahead, got "
                    + threadCount + " and " + ahead);
        }
        this.batches = List.copyOf(batches);
        this.clipOf = clipOf;
        this.clipShape = new long[] {ClipShape.CHANNELS, shape.frames(), shape.height(), shape.width()};
        this.dataType = dataType;
        this.ahead = ahead;
        int pool = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(threadCount, task -> {
            Thread thread = new Thread(task, "clip-prefetch-" + pool + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        fill();
    }

    public boolean hasNext() {
        return !pending.isEmpty();
    }

    /** The next batch, waiting for it if it is not ready yet. */
    public INDArray next() {
        if (pending.isEmpty()) {
            throw new NoSuchElementException("all " + batches.size() + " batches were taken");
        }
        List<Future<INDArray>> batch = pending.removeFirst();
        fill();
        INDArray[] clips = new INDArray[batch.size()];
        for (int i = 0; i < clips.length; i++) {
            clips[i] = await(batch.get(i));
        }
        return Nd4j.stack(0, clips);
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }

    private void fill() {
        while (submitted < batches.size() && pending.size() < ahead) {
            int[] indices = batches.get(submitted++);
            pending.addLast(Arrays.stream(indices).mapToObj(index -> threads.submit(() -> checked(index))).toList());
        }
    }

    private INDArray checked(int index) {
        INDArray clip = clipOf.apply(index);
        if (clip == null || !Arrays.equals(clip.shape(), clipShape) || !clip.dataType().isFPType()) {
            throw new InvalidClipException("clip " + index + " is " + (clip == null ? "null"
                    : clip.dataType() + " " + Arrays.toString(clip.shape())) + "; expected float "
                    + Arrays.toString(clipShape) + " (channels x frames x height x width)");
        }
        return clip.dataType() == dataType ? clip : clip.castTo(dataType);
    }

    private static INDArray await(Future<INDArray> clip) {
        try {
            return clip.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a clip", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("building a clip failed: " + e.getCause(), e.getCause());
        }
    }
}
