package org.shufflenet3d.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.VarSnippet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Runs every code cell of every notebook in {@code samples/notebooks}, in order, through JShell, the engine the
 * IJava kernel evaluates cells with, in this JVM and with the test classpath. A snippet that does not compile,
 * throws, or refers to something undefined fails the test. Magic lines are checked and then left out, because the
 * test classpath already holds what they load: {@code %maven} coordinates must be on it at that version, and
 * {@code %classpath} paths must exist or be ones docs/notebooks.md says how to fill ({@code %jars}, which JJava
 * deprecates, is refused). IJava's {@code display(Object)} is provided by {@link #PRELUDE} and recorded, so each
 * notebook's images can be counted; like the kernels' it returns a display id, and a cell whose last snippet's
 * value is one fails, as the kernels would print it after the image.
 */
class NotebookTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final Path NOTEBOOKS = REPOSITORY.resolve("samples/notebooks");

    /** How many images each notebook promises to display. */
    private static final Map<String, Integer> IMAGES = Map.of("quick-start.ipynb", 2, "fine-tuning.ipynb", 6);

    /** Each notebook writes its files under this variable's directory; the test deletes it afterwards. */
    private static final String OUTPUT_DIRECTORY = "outputDirectory";

    /** The kinds of snippet whose value IJava shows when a cell ends with one. */
    private static final Set<Snippet.SubKind> SHOWN = Set.of(Snippet.SubKind.VAR_VALUE_SUBKIND,
            Snippet.SubKind.OTHER_EXPRESSION_SUBKIND, Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND);

    /** IJava's {@code display(Object)}, recording instead of sending to the notebook. */
    private static final String PRELUDE =
            "String display(Object value) { return " + NotebookDisplays.class.getName() + ".record(value); }";

    static List<Path> notebooks() throws IOException {
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            List<Path> notebooks = files.filter(f -> f.toString().endsWith(".ipynb")).sorted().toList();
            assertFalse(notebooks.isEmpty(), "no notebooks in " + NOTEBOOKS);
            return notebooks;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notebooks")
    void everyCodeCellRunsInOrderThroughJShell(Path notebook) throws IOException {
        String name = notebook.getFileName().toString();
        assertTrue(IMAGES.containsKey(name), name + " is not listed in IMAGES with the images it displays");
        List<String> cells = codeCells(read(notebook));
        NotebookDisplays.clear();
        try (JShell shell = JShell.builder().executionEngine("local").build()) {
            shell.addToClasspath(testClasspath());
            try {
                run(shell, "the prelude", PRELUDE);
                for (int i = 0; i < cells.size(); i++) {
                    String where = name + ", code cell " + (i + 1);
                    run(shell, where, withoutMagics(cells.get(i), where));
                }
            } finally {
                deleteOutputDirectory(shell);
            }
        }
        assertEquals(IMAGES.get(name), NotebookDisplays.images().size(), name + ": images displayed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notebooks")
    void notebooksAreStoredWithoutOutputs(Path notebook) throws IOException {
        JsonNode root = read(notebook);
        assertEquals(4, root.path("nbformat").asInt(), "nbformat");
        assertEquals("java", root.path("metadata").path("kernelspec").path("language").asText(), "kernel language");
        for (JsonNode cell : root.path("cells")) {
            if (cell.path("cell_type").asText().equals("code")) {
                assertEquals(0, cell.path("outputs").size(), notebook.getFileName() + ": stored outputs in\n"
                        + source(cell));
                assertTrue(cell.path("execution_count").isNull(), notebook.getFileName()
                        + ": an execution count in\n" + source(cell));
            }
        }
    }

    private static JsonNode read(Path notebook) throws IOException {
        return new ObjectMapper().readTree(notebook.toFile());
    }

    private static List<String> codeCells(JsonNode root) {
        List<String> cells = new ArrayList<>();
        for (JsonNode cell : root.path("cells")) {
            if (cell.path("cell_type").asText().equals("code")) {
                cells.add(source(cell));
            }
        }
        return cells;
    }

    /** A cell's source: nbformat stores it as one string or as a list of lines. */
    private static String source(JsonNode cell) {
        JsonNode source = cell.path("source");
        if (source.isArray()) {
            StringBuilder text = new StringBuilder();
            source.forEach(line -> text.append(line.asText()));
            return text.toString();
        }
        return source.asText();
    }

    /**
     * The test JVM's classpath. Surefire launches tests through a jar whose manifest holds the classpath, and says
     * what that classpath is in {@code surefire.test.class.path}.
     */
    private static String testClasspath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** The cell with its magic lines checked and blanked (line numbers stay as in the notebook). */
    private static String withoutMagics(String cell, String where) {
        StringBuilder code = new StringBuilder();
        for (String line : cell.split("\n", -1)) {
            String magic = line.strip();
            if (magic.startsWith("%%")) {
                fail(where + ": cell magic " + magic + " is not one this test knows how to stand in for");
            } else if (magic.startsWith("%")) {
                checkMagic(magic, where);
                line = "";
            }
            code.append(line).append('\n');
        }
        return code.toString();
    }

    private static void checkMagic(String magic, String where) {
        String[] words = magic.substring(1).split("\\s+");
        List<String> arguments = List.of(words).subList(1, words.length);
        assertFalse(arguments.isEmpty(), where + ": " + magic + " has no arguments");
        switch (words[0]) {
            case "maven", "addMavenDependency", "addMavenDependencies" ->
                    arguments.forEach(coordinates -> checkOnClasspath(coordinates, where));
            case "classpath" -> arguments.forEach(path -> checkClasspathEntry(path, where));
            case "jars" -> fail(where + ": %jars is deprecated in JJava; use %classpath, which IJava takes too");
            default -> fail(where + ": magic %" + words[0] + " is not one this test knows how to stand in for");
        }
    }

    /** {@code groupId:artifactId[:packaging[:classifier]]:version} must be a jar of the test classpath. */
    private static void checkOnClasspath(String coordinates, String where) {
        String[] parts = coordinates.split(":");
        if (parts.length < 3 || parts.length > 5) {
            fail(where + ": %maven " + coordinates + " is not groupId:artifactId[:packaging[:classifier]]:version");
        }
        String artifact = parts[1];
        String version = parts[parts.length - 1];
        String classifier = parts.length == 5 ? "-" + parts[3] : "";
        String jar = String.join("/", parts[0].replace('.', '/'), artifact, version, artifact + "-" + version
                + classifier + ".jar");
        List<String> classpath = List.of(testClasspath().split(File.pathSeparator));
        assertTrue(classpath.stream().anyMatch(entry -> entry.replace(File.separatorChar, '/').endsWith(jar)),
                where + ": %maven " + coordinates + " is not on the test classpath (no .../" + jar + "): add it to"
                        + " zoo-tests' pom.xml at that version");
    }

    /**
     * A {@code %classpath} path, relative to the notebook as Jupyter runs it, must stay in the repository and either
     * exist or lie in a folder docs/notebooks.md names (build output, absent until its command runs).
     */
    private static void checkClasspathEntry(String glob, String where) {
        Path path = NOTEBOOKS.resolve(glob).normalize();
        assertTrue(path.startsWith(REPOSITORY), where + ": %classpath " + glob + " points outside the repository");
        if (Files.exists(path)) {
            return;
        }
        Path named = path.getFileName().toString().contains("*") ? path.getParent() : path;
        String relative = REPOSITORY.relativize(named).toString().replace(File.separatorChar, '/');
        String guide = readGuide();
        assertTrue(guide.contains(relative), where + ": %classpath " + glob + " is neither there nor explained: the"
                + " docs/notebooks.md does not mention " + relative);
    }

    private static String readGuide() {
        try {
            return Files.readString(REPOSITORY.resolve("docs/notebooks.md"));
        } catch (IOException e) {
            throw new AssertionError("cannot read docs/notebooks.md", e);
        }
    }

    /**
     * Evaluates a cell snippet by snippet, as IJava splits it, stopping at the first failure. The kernels show the
     * value of the cell's last snippet when it is an expression: that value must not be a display id.
     */
    private static void run(JShell shell, String where, String code) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = code;
        SnippetEvent last = null;
        while (true) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            }
            if (!info.completeness().isComplete()) {
                fail(where + ": the cell ends inside an unfinished snippet:\n" + remaining);
            }
            for (SnippetEvent event : shell.eval(info.source())) {
                if (event.causeSnippet() == null) {
                    check(shell, where, event);
                    last = event;
                }
            }
            remaining = info.remaining();
        }
        if (last != null && SHOWN.contains(last.snippet().subKind()) && last.value() != null
                && NotebookDisplays.isDisplayId(unquote(last.value()))) {
            String source = last.snippet().source().strip();
            fail(where + ": ends with " + source.substring(source.lastIndexOf('\n') + 1) + ", whose value, a display"
                    + " id, the kernel would print after the image: make it a statement ({ display(...); })");
        }
    }

    private static void check(JShell shell, String where, SnippetEvent event) {
        Snippet snippet = event.snippet();
        JShellException exception = event.exception();
        if (exception != null) {
            throw new AssertionError(where + ": " + describe(exception) + " in\n" + snippet.source().strip(),
                    exception);
        }
        if (event.status() == Snippet.Status.REJECTED) {
            String diagnostics = shell.diagnostics(snippet)
                    .map(d -> "  " + d.getMessage(Locale.ROOT) + " (at character " + d.getPosition() + ")")
                    .collect(Collectors.joining("\n"));
            fail(where + ": does not compile:\n" + diagnostics + "\nin\n" + snippet.source().strip());
        }
        if (snippet instanceof DeclarationSnippet declaration) {
            List<String> unresolved = shell.unresolvedDependencies(declaration).toList();
            assertTrue(unresolved.isEmpty(), where + ": refers to undefined " + unresolved + " in\n"
                    + snippet.source().strip());
        }
    }

    private static String describe(JShellException exception) {
        String type = exception instanceof EvalException thrown ? thrown.getExceptionClassName()
                : exception.getClass().getName();
        return type + (exception.getMessage() == null ? "" : ": " + exception.getMessage());
    }

    private static void deleteOutputDirectory(JShell shell) throws IOException {
        List<VarSnippet> outputs = shell.variables().filter(v -> v.name().equals(OUTPUT_DIRECTORY)).toList();
        for (VarSnippet output : outputs) {
            Path directory = Path.of(unquote(shell.varValue(output)));
            if (Files.isDirectory(directory)) {
                try (Stream<Path> files = Files.walk(directory)) {
                    for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(file);
                    }
                }
            }
        }
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
