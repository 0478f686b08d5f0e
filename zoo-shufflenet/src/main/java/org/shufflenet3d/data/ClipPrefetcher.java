package org.shufflenet3d.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 *
 * <p>Clips that share a sequence key are built one after the other, in the order given, each once the one before
 * it is built: the clips of one video, so that its decoder reads it once from start to end instead of from the
 * start for each clip. Clips of different keys, or without a key, are built in parallel.
 */
public final class ClipPrefetcher implements AutoCloseable {

    /** Threads used when none are configured: one per core, at least two, so one decode may wait on disk. */
    public static final int DEFAULT_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final List<int[]> batches;
    private final IntFunction<INDArray> clipOf;
    private final IntFunction<?> sequenceOf;
    private final long[] clipShape;
    private final DataType dataType;
    private final int ahead;
    private final ExecutorService threads;
    private final Deque<List<CompletableFuture<INDArray>>> pending = new ArrayDeque<>();
    private final Map<Object, CompletableFuture<INDArray>> lastOfSequence = new HashMap<>();
    private int submitted;

    /**
     * Prefetches {@code batches} (clip indices each) with {@code clipOf}, keeping up to {@code ahead} batches in
     * flight on {@code threadCount} threads; clips must be float [3, D, H, W] of {@code shape} and come out cast to
     * {@code dataType}.
     */
    public ClipPrefetcher(List<int[]> batches, IntFunction<INDArray> clipOf, ClipShape shape, DataType dataType,
            int threadCount, int ahead) {
        this(batches, clipOf, index -> null, shape, dataType, threadCount, ahead);
    }

    /**
     * As {@link #ClipPrefetcher(List, IntFunction, ClipShape, DataType, int, int)}, clips of equal (non-null)
     * {@code sequenceOf} keys built in order, one at a time.
     */
    public ClipPrefetcher(List<int[]> batches, IntFunction<INDArray> clipOf, IntFunction<?> sequenceOf,
            ClipShape shape, DataType dataType, int threadCount, int ahead) {
        if (threadCount < 1 || ahead < 1) {
            throw new IllegalArgumentException("prefetching needs at least one thread and one batch ahead, got "
                    + threadCount + " and " + ahead);
        }
        this.batches = List.copyOf(batches);
        this.clipOf = clipOf;
        this.sequenceOf = sequenceOf;
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
        List<CompletableFuture<INDArray>> batch = pending.removeFirst();
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
            List<CompletableFuture<INDArray>> batch = new ArrayList<>();
            for (int index : batches.get(submitted++)) {
                batch.add(submit(index));
            }
            pending.addLast(batch);
        }
        lastOfSequence.values().removeIf(CompletableFuture::isDone);
    }

    private CompletableFuture<INDArray> submit(int index) {
        Object sequence = sequenceOf.apply(index);
        CompletableFuture<INDArray> previous = sequence == null ? null : lastOfSequence.get(sequence);
        CompletableFuture<INDArray> clip = previous == null
                ? CompletableFuture.supplyAsync(() -> checked(index), threads)
                : previous.handle((built, failure) -> index).thenApplyAsync(this::checked, threads);
        if (sequence != null) {
            lastOfSequence.put(sequence, clip);
        }
        return clip;
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

    private static INDArray await(CompletableFuture<INDArray> clip) {
        try {
            return clip.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a clip", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("building a clip failed: " + e.getCause(), e.getCause());
        }
    }
}
