package org.shufflenet3d.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.data.MovingShapeVideos;
import org.shufflenet3d.video.VideoClassifier;
import org.shufflenet3d.video.VideoClips;
import org.shufflenet3d.video.VideoEmbedder;

/** The job on local[2] against the library's single-machine results for the same videos. */
class VideoCorpusJobTest {

    private static final double TOLERANCE = 1e-5;

    @TempDir
    static Path folder;

    private static TestCorpus corpus;
    private static SparkSession spark;
    private static Map<String, VideoClassifier.Prediction> predictions;
    private static Map<String, VideoEmbedder.Embedding> embeddings;

    @BeforeAll
    static void start() throws IOException {
        corpus = new TestCorpus(folder.resolve("corpus"));
        ShuffleNet3d model = corpus.model();
        VideoClips clips = new VideoClips(TestCorpus.CLIPS.shape(), VideoClips.Preprocessing.DEFAULT);
        VideoClassifier classifier = new VideoClassifier(model, clips, MovingShapeVideos.CLASS_NAMES, 8);
        VideoEmbedder embedder = new VideoEmbedder(model, clips, 8, true);
        predictions = new HashMap<>();
        embeddings = new HashMap<>();
        for (Path video : corpus.good) {
            predictions.put(video.toString(), classifier.classify(video));
            embeddings.put(video.toString(), embedder.embed(video));
        }
        spark = SparkSessions.start("shufflenet3d test", "local[2]");
        RemoteTestFileSystem.register(spark.sparkContext().hadoopConfiguration());
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static JobSettings predict() {
        return JobSettings.predict(TestCorpus.CLIPS, 3);
    }

    private static JobSettings embed() {
        return JobSettings.embed(TestCorpus.CLIPS, true);
    }

    private static VideoCorpusJob.Summary run(String input, Path output, OutputFormat format, JobSettings settings)
            throws IOException {
        return VideoCorpusJob.run(spark, input, corpus.weights.toString(), corpus.labels, output.toString(), format,
                false, settings);
    }

    private static Map<String, Row> rowsByPath(Dataset<Row> table) {
        Map<String, Row> rows = new HashMap<>();
        for (Row row : table.collectAsList()) {
            assertNull(rows.put(row.getString(row.fieldIndex("path")), row), "one row per video");
        }
        return rows;
    }

    private static void assertSchema(StructType expected, StructType actual) {
        assertEquals(Arrays.stream(expected.fields()).map(StructField::name).toList(),
                Arrays.stream(actual.fields()).map(StructField::name).toList());
        for (StructField field : expected.fields()) {
            assertEquals(field.dataType().simpleString(), actual.apply(field.name()).dataType().simpleString(),
                    field.name());
        }
    }

    private static void assertBrokenRow(Row row) {
        assertNotNull(row, "the unreadable video has a row");
        assertNotNull(row.getString(row.fieldIndex("error")));
        assertTrue(row.isNullAt(row.fieldIndex("clips")));
    }

    @Test
    void predictionsEqualTheSingleMachineOnesInParquet() throws IOException {
        Path output = folder.resolve("predict-parquet");
        VideoCorpusJob.Summary summary = run(corpus.videos.toString(), output, OutputFormat.PARQUET, predict());
        assertEquals(9, summary.videos());
        assertEquals(1, summary.failed());

        Dataset<Row> table = spark.read().parquet(output.toString());
        assertSchema(OutputFormat.schema(JobSettings.Task.PREDICT), table.schema());
        Map<String, Row> rows = rowsByPath(table);
        assertEquals(9, rows.size());
        assertBrokenRow(rows.get(corpus.broken.toString()));
        for (Map.Entry<String, VideoClassifier.Prediction> expected : predictions.entrySet()) {
            Row row = rows.get(expected.getKey());
            assertNull(row.getString(row.fieldIndex("error")), expected.getKey());
            VideoClassifier.Prediction prediction = expected.getValue();
            assertEquals(prediction.clips(), row.getInt(row.fieldIndex("clips")));
            List<VideoClassifier.Ranked> top = prediction.top(3);
            assertEquals(top.stream().map(VideoClassifier.Ranked::label).toList(),
                    row.getList(row.fieldIndex("labels")));
            assertEquals(top.stream().map(VideoClassifier.Ranked::name).toList(),
                    row.getList(row.fieldIndex("classes")));
            List<Double> probabilities = row.getList(row.fieldIndex("probabilities"));
            for (int k = 0; k < top.size(); k++) {
                assertEquals(top.get(k).probability(), probabilities.get(k), TOLERANCE);
            }
        }
        assertNoHiddenSiblings(output);
    }

    @Test
    void embeddingsEqualTheSingleMachineOnesInJson() throws IOException {
        Path output = folder.resolve("embed-json");
        run(corpus.videos.toString(), output, OutputFormat.JSON, embed());

        Dataset<Row> table = spark.read().schema(OutputFormat.schema(JobSettings.Task.EMBED))
                .json(output.toString());
        Map<String, Row> rows = rowsByPath(table);
        assertEquals(9, rows.size());
        assertBrokenRow(rows.get(corpus.broken.toString()));
        for (Map.Entry<String, VideoEmbedder.Embedding> expected : embeddings.entrySet()) {
            Row row = rows.get(expected.getKey());
            assertNull(row.getString(row.fieldIndex("error")), expected.getKey());
            assertEquals(expected.getValue().clips(), row.getInt(row.fieldIndex("clips")));
            List<Float> vector = row.getList(row.fieldIndex("embedding"));
            float[] actual = new float[vector.size()];
            for (int i = 0; i < actual.length; i++) {
                actual[i] = vector.get(i);
            }
            assertArrayEquals(expected.getValue().vector(), actual, (float) TOLERANCE);
        }
    }

    @Test
    void embeddingsInParquetHaveTheStatedSchema() throws IOException {
        Path output = folder.resolve("embed-parquet");
        run(corpus.videos.toString(), output, OutputFormat.PARQUET, embed());
        Dataset<Row> table = spark.read().parquet(output.toString());
        assertSchema(OutputFormat.schema(JobSettings.Task.EMBED), table.schema());
        Row row = rowsByPath(table).get(corpus.good.get(0).toString());
        assertEquals(1024, row.getList(row.fieldIndex("embedding")).size());
    }

    @Test
    void csvSpreadsTheTopKAndJoinsTheEmbedding() throws IOException {
        Path predicted = folder.resolve("predict-csv");
        run(corpus.videos.toString(), predicted, OutputFormat.CSV, predict());
        Dataset<Row> table = spark.read().option("header", "true").option("inferSchema", "true")
                .csv(predicted.toString());
        assertEquals(List.of("path", "clips", "label_1", "class_1", "probability_1", "label_2", "class_2",
                "probability_2", "label_3", "class_3", "probability_3", "error"), Arrays.asList(table.columns()));
        assertEquals(DataTypes.DoubleType, table.schema().apply("probability_1").dataType());
        Map<String, Row> rows = rowsByPath(table);
        assertBrokenRow(rows.get(corpus.broken.toString()));
        for (Map.Entry<String, VideoClassifier.Prediction> expected : predictions.entrySet()) {
            Row row = rows.get(expected.getKey());
            VideoClassifier.Ranked first = expected.getValue().top(1).get(0);
            assertEquals(first.name(), row.getString(row.fieldIndex("class_1")));
            assertEquals(first.probability(), row.getDouble(row.fieldIndex("probability_1")), TOLERANCE);
        }

        Path embedded = folder.resolve("embed-csv");
        run(corpus.videos.toString(), embedded, OutputFormat.CSV, embed());
        Map<String, Row> vectors = rowsByPath(spark.read().option("header", "true").csv(embedded.toString()));
        for (Map.Entry<String, VideoEmbedder.Embedding> expected : embeddings.entrySet()) {
            String[] numbers = vectors.get(expected.getKey()).getString(2).split(" ");
            float[] actual = new float[numbers.length];
            for (int i = 0; i < numbers.length; i++) {
                actual[i] = Float.parseFloat(numbers[i]);
            }
            assertArrayEquals(expected.getValue().vector(), actual, (float) TOLERANCE);
        }
    }

    @Test
    void listingsNamePathsRelativeToTheirFolder() throws IOException {
        Path listing = corpus.root.resolve("listing.txt");
        Path first = corpus.good.get(0);
        Files.writeString(listing, "# two videos\n" + corpus.root.relativize(first) + "\n\n" + corpus.broken + "\n",
                StandardCharsets.UTF_8);
        Path output = folder.resolve("from-listing");
        VideoCorpusJob.Summary summary = run(listing.toString(), output, OutputFormat.PARQUET, predict());
        assertEquals(2, summary.videos());
        assertEquals(1, summary.failed());
        Map<String, Row> rows = rowsByPath(spark.read().parquet(output.toString()));
        Row row = rows.get(corpus.root.relativize(first).toString());
        assertNull(row.getString(row.fieldIndex("error")));
        assertEquals(predictions.get(first.toString()).top(1).get(0).name(),
                row.getList(row.fieldIndex("classes")).get(0));

        Path csv = corpus.root.resolve("listing.csv");
        Files.writeString(csv, "id,path\n1,\"" + first + "\"\n", StandardCharsets.UTF_8);
        Path fromCsv = folder.resolve("from-csv");
        assertEquals(0, run(csv.toString(), fromCsv, OutputFormat.JSON, embed()).failed());
        assertEquals(1, spark.read().json(fromCsv.toString()).count());
    }

    @Test
    void savedModelsServeAsWeights() throws IOException {
        Path saved = corpus.root.resolve("model.sd");
        corpus.model().save(saved);
        Path output = folder.resolve("from-saved-model");
        VideoCorpusJob.run(spark, corpus.good.get(3).toString(), saved.toString(), null, output.toString(),
                OutputFormat.PARQUET, false, predict());
        Row row = spark.read().parquet(output.toString()).first();
        List<Double> probabilities = row.getList(row.fieldIndex("probabilities"));
        assertEquals(predictions.get(corpus.good.get(3).toString()).top(1).get(0).probability(),
                probabilities.get(0), TOLERANCE);
    }

    @Test
    void refusesAnExistingOutputUnlessOverwriting() throws IOException {
        Path output = Files.createDirectories(folder.resolve("existing"));
        Path marker = Files.writeString(output.resolve("mine.txt"), "keep", StandardCharsets.UTF_8);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> run(corpus.videos.toString(), output, OutputFormat.PARQUET, predict()));
        assertTrue(refused.getMessage().contains("--overwrite"), refused.getMessage());
        assertTrue(Files.exists(marker));

        VideoCorpusJob.run(spark, corpus.good.get(0).toString(), corpus.weights.toString(), null, output.toString(),
                OutputFormat.PARQUET, true, predict());
        assertFalse(Files.exists(marker));
        assertEquals(1, spark.read().parquet(output.toString()).count());
        assertNoHiddenSiblings(output);
    }

    @Test
    void refusesMissingWeightsAndEmptyInputsBeforeAnyTask() throws IOException {
        Path output = folder.resolve("never-written");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> VideoCorpusJob.run(spark, corpus.videos.toString(), folder.resolve("no.npz").toString(), null,
                        output.toString(), OutputFormat.PARQUET, false, predict()));
        assertTrue(missing.getMessage().contains("no.npz"), missing.getMessage());

        Path empty = Files.createDirectories(folder.resolve("empty"));
        IllegalArgumentException noVideos = assertThrows(IllegalArgumentException.class,
                () -> run(empty.toString(), output, OutputFormat.PARQUET, predict()));
        assertTrue(noVideos.getMessage().contains("holds no videos"), noVideos.getMessage());

        Path blank = Files.writeString(folder.resolve("blank.txt"), "\n# nothing\n", StandardCharsets.UTF_8);
        IllegalArgumentException noEntries = assertThrows(IllegalArgumentException.class,
                () -> run(blank.toString(), output, OutputFormat.PARQUET, predict()));
        assertTrue(noEntries.getMessage().contains("lists no videos"), noEntries.getMessage());

        IllegalArgumentException absent = assertThrows(IllegalArgumentException.class,
                () -> run(folder.resolve("nowhere").toString(), output, OutputFormat.PARQUET, predict()));
        assertTrue(absent.getMessage().contains("does not exist"), absent.getMessage());
        assertFalse(Files.exists(output));
    }

    @Test
    void remoteVideosAreCopiedForTheDecoderAndTheCopiesDeleted() throws IOException {
        Path listing = corpus.root.resolve("remote.txt");
        Files.write(listing, corpus.good.stream().map(video -> RemoteTestFileSystem.SCHEME + "://" + video).toList());
        Path output = folder.resolve("from-remote");
        List<Path> copiesBefore = temporaryCopies();
        int openedBefore = RemoteTestFileSystem.OPENED.get();
        assertEquals(0, run(listing.toString(), output, OutputFormat.PARQUET, predict()).failed());
        assertEquals(corpus.good.size(), RemoteTestFileSystem.OPENED.get() - openedBefore);
        assertEquals(copiesBefore, temporaryCopies());
        Map<String, Row> rows = rowsByPath(spark.read().parquet(output.toString()));
        for (Path video : corpus.good) {
            Row row = rows.get(RemoteTestFileSystem.SCHEME + "://" + video);
            List<Double> probabilities = row.getList(row.fieldIndex("probabilities"));
            assertEquals(predictions.get(video.toString()).top(1).get(0).probability(), probabilities.get(0),
                    TOLERANCE);
        }
    }

    @Test
    void aFailedJobLeavesNothingUnderTheOutputsName() throws IOException {
        Path exploding = Files.copy(corpus.good.get(0), corpus.root.resolve("explode.mp4"));
        Path listing = corpus.root.resolve("failing.txt");
        Files.write(listing, List.of(corpus.good.get(1).toString(), RemoteTestFileSystem.SCHEME + "://" + exploding,
                corpus.good.get(2).toString()));
        Path output = Files.createDirectories(folder.resolve("kept"));
        Path marker = Files.writeString(output.resolve("mine.txt"), "keep", StandardCharsets.UTF_8);
        Exception failure = assertThrows(Exception.class, () -> VideoCorpusJob.run(spark, listing.toString(),
                corpus.weights.toString(), null, output.toString(), OutputFormat.PARQUET, true, predict()));
        assertTrue(String.valueOf(failure.getMessage()).contains("the test file system fails the task"),
                failure.toString());
        assertEquals(List.of(marker), list(output));
        assertNoHiddenSiblings(output);

        Path fresh = folder.resolve("never-made");
        assertThrows(Exception.class, () -> run(listing.toString(), fresh, OutputFormat.PARQUET, predict()));
        assertFalse(Files.exists(fresh));
        assertNoHiddenSiblings(fresh);
    }

    /** The temporary copies of the corpus's good videos (another test's tasks, still stopping, may copy others). */
    private List<Path> temporaryCopies() throws IOException {
        List<String> endings = corpus.good.stream().map(video -> "-" + video.getFileName()).toList();
        return list(Path.of(System.getProperty("java.io.tmpdir"))).stream().filter(path -> {
            String name = path.getFileName().toString();
            return name.startsWith("shufflenet3d-video-") && endings.stream().anyMatch(name::endsWith);
        }).sorted().toList();
    }

    private static void assertNoHiddenSiblings(Path output) throws IOException {
        assertEquals(List.of(), list(output.getParent()).stream()
                .filter(path -> path.getFileName().toString().startsWith("." + output.getFileName() + "."))
                .toList());
    }

    private static List<Path> list(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.toList();
        }
    }
}
