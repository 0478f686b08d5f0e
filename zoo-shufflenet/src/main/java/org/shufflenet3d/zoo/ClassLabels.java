package org.shufflenet3d.zoo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.deeplearning4j.zoo.util.ClassPrediction;
import org.deeplearning4j.zoo.util.Labels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.InvalidConfigurationException;
import org.shufflenet3d.data.VideoIndex;

/**
 * The names of a classifier's classes, by label, and the likeliest classes of its outputs. It is DL4J's
 * {@link Labels}, as {@code ImageNetLabels} is: {@link #decodePredictions} names the top classes of each row of a
 * batch of probabilities.
 */
public final class ClassLabels implements Labels {

    private final List<String> names;

    /** Labels named {@code names}, label 0 first; names must be distinct and not blank. */
    public ClassLabels(List<String> names) {
        this.names = List.copyOf(names);
        if (this.names.isEmpty()) {
            throw new InvalidConfigurationException("class labels need at least one class name, got none");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < this.names.size(); i++) {
            String name = this.names.get(i);
            if (name.isBlank()) {
                throw new InvalidConfigurationException("class " + i + " has a blank name");
            }
            if (!seen.add(name)) {
                throw new InvalidConfigurationException("class name '" + name + "' is given twice");
            }
        }
    }

    /**
     * The labels of a class-index file: one name a line, or UCF-101's {@code classInd.txt} form ({@code "1 <name>"},
     * {@code "2 <name>"}, ...), as {@link VideoIndex#readClassIndex} reads it.
     */
    public static ClassLabels read(Path file) {
        return new ClassLabels(VideoIndex.readClassIndex(file));
    }

    /** Labels from a resource of this library: one UTF-8 name a line. */
    static ClassLabels resource(String name) {
        try (InputStream in = ClassLabels.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the class-name resource " + name + " is missing from zoo-shufflenet's"
                        + " jar");
            }
            List<String> lines = new ArrayList<>();
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().forEach(lines::add);
            return new ClassLabels(lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the class-name resource " + name, e);
        }
    }

    /** The class names, label 0 first. */
    public List<String> names() {
        return names;
    }

    public int size() {
        return names.size();
    }

    @Override
    public String getLabel(int n) {
        if (n < 0 || n >= names.size()) {
            throw new IndexOutOfBoundsException("label " + n + " does not exist; expected 0 to " + (names.size() - 1));
        }
        return names.get(n);
    }

    /**
     * The {@code n} likeliest classes of each row of {@code predictions} ([batch, classes], or one row [classes]),
     * likeliest first (ties by label), each with its label, name and value; every class when there are fewer than n.
     */
    @Override
    public List<List<ClassPrediction>> decodePredictions(INDArray predictions, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("the number of top classes must be at least 1, got " + n);
        }
        INDArray rows = predictions.rank() == 1 ? predictions.reshape(1, predictions.length()) : predictions;
        if (rows.rank() != 2 || rows.size(1) != names.size()) {
            throw new IllegalArgumentException("expected predictions shaped [batch, " + names.size() + "] or ["
                    + names.size() + "] (one value per class), got " + Arrays.toString(predictions.shape()));
        }
        double[][] values = rows.castTo(DataType.DOUBLE).toDoubleMatrix();
        List<List<ClassPrediction>> decoded = new ArrayList<>(values.length);
        for (double[] row : values) {
            decoded.add(IntStream.range(0, row.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer c) -> -row[c]).thenComparing(c -> c))
                    .limit(n)
                    .map(c -> new ClassPrediction(c, names.get(c), row[c]))
                    .toList());
        }
        return decoded;
    }

    @Override
    public String toString() {
        return names.size() + " classes: " + String.join(", ", names.subList(0, Math.min(5, names.size())))
                + (names.size() > 5 ? ", ..." : "");
    }
}
