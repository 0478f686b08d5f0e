package org.shufflenet3d.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * How results are written, one row per video. Parquet and JSON keep {@link #schema}'s columns as they are; CSV,
 * which has no arrays, spreads the top-K into {@code label_k}, {@code class_k}, {@code probability_k} columns
 * (k = 1..K) and writes an embedding as one column of space-separated numbers.
 */
public enum OutputFormat {
    PARQUET, CSV, JSON;

    /** The name Spark's writer knows the format by. */
    String sparkName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The columns of a job's result: {@code path}, {@code clips} (clips averaged over), then for
     * {@link JobSettings.Task#PREDICT} {@code labels} (array of int), {@code classes} (array of string) and
     * {@code probabilities} (array of double), likeliest first, or for {@link JobSettings.Task#EMBED}
     * {@code embedding} (array of float); last {@code error}, null unless the video could not be read (and then
     * the other columns but the path are null).
     */
    public static StructType schema(JobSettings.Task task) {
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField("path", DataTypes.StringType, false));
        fields.add(DataTypes.createStructField("clips", DataTypes.IntegerType, true));
        if (task == JobSettings.Task.PREDICT) {
            fields.add(DataTypes.createStructField("labels", DataTypes.createArrayType(DataTypes.IntegerType, false),
                    true));
            fields.add(DataTypes.createStructField("classes", DataTypes.createArrayType(DataTypes.StringType, false),
                    true));
            fields.add(DataTypes.createStructField("probabilities",
                    DataTypes.createArrayType(DataTypes.DoubleType, false), true));
        } else {
            fields.add(DataTypes.createStructField("embedding", DataTypes.createArrayType(DataTypes.FloatType, false),
                    true));
        }
        fields.add(DataTypes.createStructField("error", DataTypes.StringType, true));
        return DataTypes.createStructType(fields);
    }

    /** The rows as this format writes them; {@code ranks}: the K of the top-K. */
    Dataset<Row> shape(Dataset<Row> rows, JobSettings.Task task, int ranks) {
        if (this != CSV) {
            return rows;
        }
        List<Column> columns = new ArrayList<>(List.of(functions.col("path"), functions.col("clips")));
        if (task == JobSettings.Task.PREDICT) {
            for (int k = 1; k <= ranks; k++) {
                columns.add(functions.element_at(functions.col("labels"), k).as("label_" + k));
                columns.add(functions.element_at(functions.col("classes"), k).as("class_" + k));
                columns.add(functions.element_at(functions.col("probabilities"), k).as("probability_" + k));
            }
        } else {
            columns.add(functions.expr("array_join(transform(embedding, x -> cast(x as string)), ' ')")
                    .as("embedding"));
        }
        columns.add(functions.col("error"));
        return rows.select(columns.toArray(Column[]::new));
    }
}
