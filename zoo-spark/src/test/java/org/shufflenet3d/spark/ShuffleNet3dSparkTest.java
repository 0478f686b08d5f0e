package org.shufflenet3d.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: what it writes, its exit codes and its one-line refusals. */
class ShuffleNet3dSparkTest {

    @TempDir
    static Path folder;

    private static TestCorpus corpus;

    private record Run(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void writeCorpus() throws IOException {
        corpus = new TestCorpus(folder.resolve("corpus"));
    }

    private static Run run(String... args) {
        CommandLine cli = ShuffleNet3dSpark.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exitCode = cli.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private static List<String> job(String command, Path output, String... more) {
        List<String> args = new ArrayList<>(List.of(command, corpus.videos.toString(), "--weights",
                corpus.weights.toString(), "--output", output.toString(), "--master", "local[2]", "--frames", "16",
                "--size", "32"));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void predictWritesEveryVideoAndExitsOneWhenSomeCouldNotBeRead() throws IOException {
        Path output = folder.resolve("predicted");
        Run run = run(job("predict", output, "--labels", corpus.labels.toString(), "--top", "2", "--format", "JSON")
                .toArray(String[]::new));
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.out().contains("wrote 9 rows to " + output), run.out());
        assertTrue(run.err().contains("1 of 9 videos could not be read"), run.err());
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(output)) {
            for (Path part : files.filter(path -> path.getFileName().toString().startsWith("part-")).toList()) {
                lines.addAll(Files.readAllLines(part));
            }
        }
        assertEquals(9, lines.size());
        assertEquals(8, lines.stream().filter(line -> line.matches(".*\"classes\":\\[\"[a-z]+\",\"[a-z]+\"\\].*"))
                .count(), lines.toString());
        assertEquals(1, lines.stream().filter(line -> line.contains("\"error\"")).count(), lines.toString());
    }

    @Test
    void embedWithoutUnreadableVideosExitsZero() {
        Path listing = corpus.root.resolve("good.txt");
        Path output = folder.resolve("embedded");
        try {
            Files.write(listing, corpus.good.stream().map(Path::toString).toList());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Run run = run("embed", listing.toString(), "--weights", corpus.weights.toString(), "--output",
                output.toString(), "--master", "local[2]", "--size", "32", "--l2", "--format", "csv");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(Files.exists(output.resolve("_SUCCESS")));
    }

    @Test
    void anUnknownFormatIsRefusedInOneLine() {
        Path output = folder.resolve("unknown-format");
        Run run = run(job("predict", output, "--format", "xml").toArray(String[]::new));
        assertEquals(2, run.exitCode());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("--format") && run.err().contains("xml"), run.err());
        assertFalse(Files.exists(output));
    }

    @Test
    void missingWeightsAndExistingOutputsAreRefusedInOneLine() throws IOException {
        Path output = folder.resolve("refused");
        Run missing = run("predict", corpus.videos.toString(), "--weights", folder.resolve("absent.npz").toString(),
                "--output", output.toString(), "--master", "local[2]", "--size", "32");
        assertEquals(1, missing.exitCode());
        assertEquals("shufflenet3d-spark: --weights " + folder.resolve("absent.npz") + " does not exist; expected a"
                + " checkpoint (.pth), .npz state_dict or saved model (.sd)", missing.err().strip());
        assertFalse(Files.exists(output));

        Files.createDirectories(output);
        Run existing = run(job("embed", output).toArray(String[]::new));
        assertEquals(1, existing.exitCode());
        assertEquals(1, existing.err().strip().lines().count(), existing.err());
        assertTrue(existing.err().contains("exists") && existing.err().contains("--overwrite"), existing.err());
    }
}
