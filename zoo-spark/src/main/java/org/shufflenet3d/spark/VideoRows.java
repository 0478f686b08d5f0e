package org.shufflenet3d.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import scala.jdk.javaapi.CollectionConverters;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.video.InvalidVideoException;
import org.shufflenet3d.video.VideoClassifier;
import org.shufflenet3d.video.VideoClips;
import org.shufflenet3d.video.VideoEmbedder;

/**
 * The task of a job: the rows of one partition's videos, each computed as the single-machine tool computes it, with
 * the executor's one copy of the network ({@link ExecutorModels}) on as many ND4J threads as Spark gives the task
 * cores. A video that cannot be read or decoded gets a row with its error, and the partition goes on.
 */
final class VideoRows implements FlatMapFunction<Iterator<String>, Row> {

    private final JobSettings settings;
    private final ModelSource model;
    private final Broadcast<SerializableConfiguration> hadoop;
    private final String base;
    private final LongAccumulator failed;

    VideoRows(JobSettings settings, ModelSource model, Broadcast<SerializableConfiguration> hadoop, String base,
            LongAccumulator failed) {
        this.settings = settings;
        this.model = model;
        this.hadoop = hadoop;
        this.base = base;
        this.failed = failed;
    }

    @Override
    public Iterator<Row> call(Iterator<String> entries) {
        TaskContext task = TaskContext.get();
        NativeThreadCount.set(task == null ? 1 : task.cpus());
        ShuffleNet3d network = ExecutorModels.get(model);
        VideoClips clips = settings.clips().videoClips();
        Analysis analysis = settings.task() == JobSettings.Task.PREDICT
                ? predictor(new VideoClassifier(network, clips, settings.classNames(), settings.batch()))
                : embedder(new VideoEmbedder(network, clips, settings.batch(), settings.l2()));
        int width = OutputFormat.schema(settings.task()).size();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public Row next() {
                return row(entries.next(), analysis, width);
            }
        };
    }

    /** The values after {@code path} of a video's row, but the error. */
    private interface Analysis {
        Object[] of(java.nio.file.Path video);
    }

    private Analysis predictor(VideoClassifier classifier) {
        return video -> {
            VideoClassifier.Prediction prediction = classifier.classify(video);
            List<Integer> labels = new ArrayList<>();
            List<String> classes = new ArrayList<>();
            List<Double> probabilities = new ArrayList<>();
            for (VideoClassifier.Ranked ranked : prediction.top(settings.top())) {
                labels.add(ranked.label());
                classes.add(ranked.name());
                probabilities.add(ranked.probability());
            }
            return new Object[] {prediction.clips(), seq(labels), seq(classes), seq(probabilities)};
        };
    }

    private static Analysis embedder(VideoEmbedder embedder) {
        return video -> {
            VideoEmbedder.Embedding embedding = embedder.embed(video);
            List<Float> vector = new ArrayList<>(embedding.vector().length);
            for (float value : embedding.vector()) {
                vector.add(value);
            }
            return new Object[] {embedding.clips(), seq(vector)};
        };
    }

    /** A list as Spark's rows hold arrays. */
    private static <T> scala.collection.immutable.Seq<T> seq(List<T> list) {
        return CollectionConverters.asScala(list).toList();
    }

    private Row row(String entry, Analysis analysis, int width) {
        Object[] values = new Object[width];
        values[0] = entry;
        try (LocalVideo video = LocalVideo.of(entry, base, hadoop.value().value())) {
            Object[] computed = analysis.of(video.file());
            System.arraycopy(computed, 0, values, 1, computed.length);
        } catch (IOException | RuntimeException e) {
            failed.add(1);
            values = new Object[width];
            values[0] = entry;
            values[width - 1] = describe(e);
        }
        return RowFactory.create(values);
    }

    /** One line on why a video has no result. */
    static String describe(Exception e) {
        Throwable error = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : e;
        if (error instanceof NoSuchFileException missing) {
            return "no such file: " + missing.getFile();
        }
        if (error instanceof FileNotFoundException && error.getMessage() != null) {
            return error.getMessage();
        }
        String message = error.getMessage();
        if (message != null && (error instanceof InvalidVideoException || error instanceof IOException
                || error instanceof IllegalArgumentException)) {
            return message;
        }
        return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
