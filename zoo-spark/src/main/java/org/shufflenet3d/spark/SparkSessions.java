package org.shufflenet3d.spark;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session a command runs in. Under {@code spark-submit} (which sets {@code spark.master}), the one it
 * configured; otherwise an embedded one: {@code --master} when given, else local mode on every core. Executors get
 * {@code OMP_WAIT_POLICY=PASSIVE} unless it is configured, so that ND4J's idle OpenMP threads sleep (see
 * {@link org.shufflenet3d.NativeThreads}).
 */
final class SparkSessions {

    private static final String EXECUTOR_WAIT_POLICY = "spark.executorEnv.OMP_WAIT_POLICY";

    private SparkSessions() {
    }

    static boolean underSparkSubmit() {
        return System.getProperty("spark.master") != null;
    }

    /** The session for {@code master} (null: spark-submit's, or local mode on all cores). */
    static SparkSession start(String appName, String master) {
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        if (!underSparkSubmit()) {
            // the JVM options Spark's own launcher would give it on Java 17 (the jar's manifest opens the modules)
            System.setProperty("io.netty.tryReflectionSetAccessible", "true");
            builder.master(master == null ? "local[*]" : master);
            if (master == null || master.startsWith("local")) {
                builder.config("spark.ui.enabled", "false");
            } else {
                thisJar().ifPresent(jar -> builder.config("spark.jars", jar));
            }
        } else if (master != null) {
            builder.master(master);
        }
        if (System.getProperty(EXECUTOR_WAIT_POLICY) == null) {
            builder.config(EXECUTOR_WAIT_POLICY, "PASSIVE");
        }
        return builder.getOrCreate();
    }

    /** The jar this class was loaded from, which executors of a cluster started from it need. */
    private static Optional<String> thisJar() {
        CodeSource source = SparkSessions.class.getProtectionDomain().getCodeSource();
        try {
            Path location = source == null ? null : Path.of(source.getLocation().toURI());
            return location != null && Files.isRegularFile(location)
                    ? Optional.of(location.toString()) : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
